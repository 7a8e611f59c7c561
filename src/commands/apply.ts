import { checkbox } from '@inquirer/prompts';
import { Args, Flags } from '@oclif/core';
import type { Change } from '../model/change.js';
import { UserError } from '../model/errors.js';
import { createApplyProgress, type ApplyProgress } from '../render/apply-progress.js';
import { escapeName } from '../render/escape-name.js';
import { changeOverview, describeScope, count } from '../render/plan-overview.js';
import { renderPlanBrief, renderPlanText } from '../render/plan-text.js';
import { terminalWidth } from '../render/wrap-text.js';
import { applyChanges } from '../services/apply.js';
import { CisFixCommand } from './_shared/base-command.js';
import { confirmOrRefuse } from './_shared/confirm.js';
import { parseDuration } from './_shared/duration.js';
import { planRequestFrom, selectionFlags } from './_shared/selection-flags.js';
import { notRecorded } from './_shared/not-recorded.js';

export default class Apply extends CisFixCommand {
  static override summary = 'Make the planned changes: locked, precondition-checked, backed up, verified, journaled.';
  static override description =
    'Without PLANFILE, plans afresh, shows the plan and asks. With PLANFILE, applies exactly that plan and refuses it whole (changing nothing) if any target changed since. Control-plane nodes are changed one at a time, workers in batches of --concurrency. Every run can be undone with `cis-fix rollback`.';
  static override examples = [
    '<%= config.bin %> apply -i inventory.yaml',
    '<%= config.bin %> apply plan.json --yes',
    '<%= config.bin %> apply --only "4.1.*" --interactive',
  ];
  static override args = { planFile: Args.string({ description: "A plan written by 'cis-fix plan -o FILE'.", required: false }) };
  static override flags = {
    ...selectionFlags,
    inventory: { ...selectionFlags.inventory, default: undefined, summary: 'Inventory file (default inventory.yaml, or the one the plan file names).' },
    yes: Flags.boolean({ char: 'y', summary: 'Apply without asking.' }),
    interactive: Flags.boolean({ summary: 'Choose the changes to apply one by one.', exclusive: ['yes'] }),
    'health-timeout': Flags.string({ summary: 'How long a restarted component may take to become healthy (e.g. 90s, 5m).', default: '5m' }),
    verbose: Flags.boolean({ char: 'v', summary: 'With a plan file: show the whole plan again (every change and its diff), not only its summary.' }),
  };

  async run() {
    const { args, flags } = await this.parse(Apply);
    if (args.planFile && (flags.only || flags.skip || flags.targets || flags.nodes || flags.benchmark)) {
      throw new UserError(
        'a plan file is applied exactly as it is: --only, --skip, --targets, --nodes and --benchmark cannot narrow it',
        [],
        ['Make a narrower plan with the same flags on cis-fix plan -o FILE, or use --interactive.'],
      );
    }
    const inventoryFile = flags.inventory ?? process.env.CIS_FIX_INVENTORY ?? 'inventory.yaml';
    const { request, progressDone } = planRequestFrom(inventoryFile, flags);
    let progress: ApplyProgress | undefined;
    const outcome = await applyChanges({
      ...(args.planFile ? { planFile: args.planFile, ...(flags.inventory ? { inventoryFile: flags.inventory } : {}) } : { planRequest: request }),
      concurrency: flags.concurrency,
      healthTimeoutMs: parseDuration(flags['health-timeout']),
      choose: async (plan) => {
        progressDone();
        if (!this.jsonEnabled()) {
          // A saved plan was reviewed when it was made: one screen, not the plan again (--verbose shows it all).
          const brief = !flags.verbose && !flags.interactive && args.planFile !== undefined;
          this.print(brief ? renderPlanBrief(plan, this.style) : renderPlanText(plan, this.style, { width: terminalWidth(process.stdout) }));
        }
        if (plan.changes.length === 0) return [];
        const chosen = flags.interactive
          ? await this.chooseInteractively(plan.changes)
          : (await confirmOrRefuse(`Apply these ${describeScope(changeOverview(plan.changes))}?`, flags.yes))
            ? plan.changes
            : [];
        if (!this.jsonEnabled() && chosen.length) {
          progress = createApplyProgress({
            nodes: [...new Set(chosen.flatMap((c) => (c.node === undefined ? [] : [c.node])))],
            style: this.style,
            out: process.stdout,
            status: process.stderr,
          });
        }
        return chosen;
      },
      onEvent: (event) => progress?.event(event),
    }).finally(() => progress?.done());
    progressDone();
    if (!this.jsonEnabled()) {
      if (outcome.status === 'applied') {
        if (outcome.unverified.length) this.warnLine(notRecorded(outcome.unverified, outcome.recheckFailed));
        this.print(
          this.style.bold(
            this.style.green(
              `Apply complete: ${describeScope(changeOverview(outcome.result.applied))}. Run ${outcome.result.runId}; undo with 'cis-fix rollback ${outcome.result.runId}'.`,
            ),
          ),
        );
      } else if (outcome.status === 'nothing-to-do') {
        const undecided = outcome.plan.summary.needDecision;
        this.print(
          this.style.green(
            `Nothing to do: no change is pending${undecided ? ` (${count(undecided, 'failing control')} ${undecided === 1 ? 'needs' : 'need'} a decision, see the plan)` : ''}.`,
          ),
        );
      } else {
        this.print('Apply cancelled; nothing was changed.');
      }
    }
    return outcome.status === 'applied'
      ? {
          status: outcome.status,
          runId: outcome.result.runId,
          applied: outcome.result.applied.map((c) => c.id),
          journal: outcome.journalFile,
          unverified: outcome.unverified,
        }
      : { status: outcome.status };
  }

  private async chooseInteractively(changes: readonly Change[]): Promise<Change[]> {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UserError('--interactive needs a terminal', [], ['Use --yes with a narrower plan (--only/--skip/--nodes) instead.']);
    }
    return checkbox({
      message: 'Choose the changes to apply',
      choices: changes.map((c) => ({
        name: `${escapeName(c.node ?? 'cluster')}: ${escapeName(c.target)}  ${escapeName(c.diff.split('\n')[0] ?? '')}  [${c.controlIds.join(', ')}]`,
        value: c,
        checked: false,
      })),
      pageSize: 20,
    });
  }
}
