import { Flags } from '@oclif/core';
import { renderRuns } from '../render/runs.js';
import { listRuns, pruneRuns } from '../services/runs.js';
import { describeSource } from '../model/run-record.js';
import { UserError } from '../model/errors.js';
import { CisFixCommand, concurrencyFlag } from './_shared/base-command.js';
import { parseDuration } from './_shared/duration.js';

export default class Runs extends CisFixCommand {
  static override summary =
    'List apply and rollback runs — from this machine, and with -i from the cluster and the nodes — newest first; --prune removes old ones.';
  static override description =
    "Without -i only this machine's state directory is read. With -i INVENTORY the runs kept in the cluster (namespace cis-fix, with a kubeconfig) and on every node (/var/lib/cis-fix/runs) are merged in, and each run says where it was seen. A node that cannot be reached is named; the others still count.\n\n" +
    "--prune removes old runs' backups (copies of sensitive files) and records on the nodes, in the cluster and here: --keep N keeps the newest N runs, --older-than 30d removes runs older than that. The last run of every node and unfinished runs are never removed.";
  static override examples = [
    '<%= config.bin %> runs',
    '<%= config.bin %> runs -i inventory.yaml --json',
    '<%= config.bin %> runs -i inventory.yaml --prune --keep 10',
    '<%= config.bin %> runs -i inventory.yaml --prune --older-than 30d',
  ];
  static override flags = {
    inventory: Flags.string({ char: 'i', summary: 'Also read the runs kept in the cluster and on the nodes of this inventory.' }),
    prune: Flags.boolean({ summary: 'Remove old runs (needs -i and --keep or --older-than).' }),
    keep: Flags.integer({ summary: 'With --prune: keep the newest N runs.', min: 1, dependsOn: ['prune'] }),
    'older-than': Flags.string({ summary: 'With --prune: remove runs older than this (e.g. 30d, 12h).', dependsOn: ['prune'] }),
    concurrency: concurrencyFlag,
  };

  async run() {
    const { flags } = await this.parse(Runs);
    if (flags.prune) {
      if (flags.inventory === undefined)
        throw new UserError(
          'runs --prune needs the inventory (-i): backups and records live on the nodes and in the cluster',
          [],
          ['cis-fix runs -i inventory.yaml --prune --keep 10'],
        );
      if (flags.keep === undefined && flags['older-than'] === undefined)
        throw new UserError('runs --prune needs --keep N or --older-than DURATION', [], ['cis-fix runs -i inventory.yaml --prune --older-than 30d']);
      const outcome = await pruneRuns({
        inventoryFile: flags.inventory,
        concurrency: flags.concurrency,
        rule: {
          ...(flags.keep !== undefined ? { keep: flags.keep } : {}),
          ...(flags['older-than'] !== undefined ? { olderThanMs: parseDuration(flags['older-than']) } : {}),
        },
      });
      for (const problem of outcome.problems) this.warnLine(`${problem.where}: ${problem.message}`);
      if (!this.jsonEnabled()) {
        for (const run of outcome.prune) this.print(`  ${this.style.red('removed')} ${run.journal.runId} (${run.journal.kind}, ${run.journal.startedAt})`);
        for (const kept of outcome.spared) this.print(`  ${this.style.dim('kept')}    ${kept.runId}: ${kept.reason}`);
        this.print(this.style.bold(`Pruned ${outcome.prune.length} runs; kept ${outcome.spared.length} the rule would have removed.`));
      }
      if (outcome.problems.length > 0) process.exitCode = 1;
      return { pruned: outcome.prune.map((r) => r.journal.runId), spared: outcome.spared, problems: outcome.problems };
    }
    const { runs, problems } = await listRuns({ inventoryFile: flags.inventory, concurrency: flags.concurrency });
    for (const problem of problems) this.warnLine(`${problem.where}: ${problem.message}`);
    if (!this.jsonEnabled()) this.print(renderRuns(runs, this.style));
    return runs.map(({ journal: r, by, seenIn }) => ({
      runId: r.runId,
      kind: r.kind,
      status: r.status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      changes: r.changes,
      rollsBack: r.rollsBack,
      inventory: r.inventory.file,
      ...(by ? { by } : {}),
      seenIn: seenIn.map(describeSource),
    }));
  }
}
