import { Args, Flags } from '@oclif/core';
import { escapeName } from '../render/escape-name.js';
import { count } from '../render/plan-overview.js';
import { describeRestoreScope, renderRestorePlan } from '../render/runs.js';
import { rollback } from '../services/rollback.js';
import { CisFixCommand, concurrencyFlag } from './_shared/base-command.js';
import { confirmOrRefuse } from './_shared/confirm.js';
import { parseDuration } from './_shared/duration.js';

export default class Rollback extends CisFixCommand {
  static override summary = 'Restore every target an apply run changed, byte-identical with its mode and owner.';
  static override description =
    'Restores from the backups the run left on each node, newest change first. A target that changed after the run is refused (named) unless --force. Works on an interrupted run too: the journal says what was started.';
  static override examples = ['<%= config.bin %> rollback --last', '<%= config.bin %> rollback 20261126T101500Z-a1b2c3 --yes'];
  static override args = { runId: Args.string({ description: 'Run to roll back (see cis-fix runs).', required: false }) };
  static override flags = {
    last: Flags.boolean({ summary: 'Roll back the most recent apply run.', exclusive: ['runId'] }),
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.' }),
    force: Flags.boolean({ summary: 'Restore even targets that changed after the run.' }),
    inventory: Flags.string({
      char: 'i',
      summary: 'Inventory to reach the nodes and the cluster (default: the one the run used, when this machine has the run).',
    }),
    concurrency: concurrencyFlag,
    'health-timeout': Flags.string({ summary: 'How long a restored component may take to come back healthy (e.g. 90s, 5m).', default: '5m' }),
  };

  async run() {
    const { args, flags } = await this.parse(Rollback);
    const result = await rollback({
      ...(args.runId ? { runId: args.runId } : {}),
      last: flags.last,
      ...(flags.inventory ? { inventoryFile: flags.inventory } : {}),
      force: flags.force,
      concurrency: flags.concurrency,
      healthTimeoutMs: parseDuration(flags['health-timeout']),
      onHealth: (node, component, outcome) => {
        if (!this.jsonEnabled())
          this.print(
            `  ${outcome.ok ? this.style.green('healthy') : this.style.red('unhealthy')} ${node}: ${component} after ${outcome.seconds.toFixed(1)}s${outcome.ok ? '' : ` (${outcome.last})`}`,
          );
      },
      confirm: async (run, items, apiItems) => {
        if (!this.jsonEnabled()) this.print(renderRestorePlan(run.runId, items, this.style, apiItems));
        return confirmOrRefuse('Restore these targets?', flags.yes);
      },
      onRestored: (item) => {
        if (!this.jsonEnabled()) this.print(`  ${this.style.green('restored')} ${escapeName(item.node)}:${escapeName(item.target)}`);
      },
      onApiRestored: (item) => {
        if (!this.jsonEnabled()) this.print(`  ${this.style.green('restored')} ${escapeName(item.target)}`);
      },
      onStateProblem: (problem) => this.warnLine(`${problem.where}: ${problem.message}`),
    });
    if (!this.jsonEnabled()) {
      if (result.status === 'restored')
        this.print(
          this.style.bold(
            `Rolled back ${result.rollsBack}: restored ${describeRestoreScope(result.restored.length, new Set(result.restored.map((i) => i.node)).size, result.restoredApi.length)}; ${count(result.alreadyOriginal.length, 'target')} already original (run ${result.runId}).`,
          ),
        );
      else if (result.status === 'declined') this.print('Rollback cancelled; nothing was changed.');
      else this.print(`Run ${result.rollsBack} changed nothing; there is nothing to restore.`);
    }
    return result;
  }
}
