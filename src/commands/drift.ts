import { Flags } from '@oclif/core';
import { UserError } from '../model/errors.js';
import { renderApplyEvent } from '../render/apply-events.js';
import { renderDriftReport } from '../render/drift.js';
import { renderPlanJunit } from '../render/plan-junit.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanSarif } from '../render/plan-sarif.js';
import { renderPlanText } from '../render/plan-text.js';
import { detectDrift } from '../services/drift.js';
import { CisFixCommand } from './_shared/base-command.js';
import { parseDuration } from './_shared/duration.js';
import { planRequestFrom, selectionFlags } from './_shared/selection-flags.js';

export default class Drift extends CisFixCommand {
  static override summary = 'Find drift from the benchmark (and from what cis-fix last enforced); with --fix --yes, correct it.';
  static override description =
    'Plans afresh and compares with baseline.json, the controls cis-fix last enforced: controls that complied after an apply and fail now have drifted. Exit 0 when nothing is to change, 2 when changes are pending. With --fix --yes the plan just shown is applied through the full apply protocol (locks, preconditions, backups, health gates, rollback). Meant for a timer: see `cis-fix schedule`.';
  static override examples = ['<%= config.bin %> drift -i inventory.yaml', '<%= config.bin %> drift --fix --yes   # from a timer', '<%= config.bin %> drift --format sarif > drift.sarif'];
  static override flags = {
    ...selectionFlags,
    fix: Flags.boolean({ summary: 'Apply the plan to correct the drift (needs --yes: drift never prompts).' }),
    yes: Flags.boolean({ char: 'y', summary: 'With --fix: apply without asking.' }),
    format: Flags.string({ summary: 'Output format of the plan.', options: ['text', 'json', 'markdown', 'junit', 'sarif'], default: 'text' }),
    'health-timeout': Flags.string({ summary: 'With --fix: how long a restarted component may take to become healthy.', default: '5m' }),
  };

  async run() {
    const { flags } = await this.parse(Drift);
    if (flags.fix && !flags.yes) {
      throw new UserError('drift --fix runs unattended and never prompts: add --yes to apply the plan', [], ['Review first with cis-fix drift (or cis-fix plan), then run cis-fix drift --fix --yes.']);
    }
    const { request, progressDone } = planRequestFrom(flags.inventory, flags);
    const outcome = await detectDrift({
      plan: request,
      fix: flags.fix
        ? {
            concurrency: flags.concurrency,
            healthTimeoutMs: parseDuration(flags['health-timeout']),
            onEvent: (event) => {
              if (this.jsonEnabled()) return;
              const line = renderApplyEvent(event, this.style);
              if (line !== undefined) this.print(line);
            },
          }
        : false,
    });
    progressDone();
    const { plan, report } = outcome;
    if (!this.jsonEnabled()) {
      if (flags.format === 'json') this.print(JSON.stringify({ ...plan, drift: report }, null, 2));
      else if (flags.format === 'markdown') this.print(renderPlanMarkdown(plan));
      else if (flags.format === 'junit') this.print(renderPlanJunit(plan));
      else if (flags.format === 'sarif') this.print(renderPlanSarif(plan));
      else this.print(`${renderPlanText(plan, this.style)}${renderDriftReport(report, this.style)}`);
    }
    for (const problem of outcome.stateProblems) this.warnLine(`the drift baseline could not be read from ${problem.where}: ${problem.message}`);
    if (outcome.unreachable.length) {
      this.warnLine(`no facts from ${outcome.unreachable.join(', ')}: those nodes were not checked`);
      process.exitCode = 1;
    } else if (outcome.applied?.status === 'applied') {
      if (!this.jsonEnabled()) this.print(this.style.green(`Drift corrected: ${outcome.applied.result.applied.length} change(s), run ${outcome.applied.result.runId}.`));
    } else if (plan.changes.length > 0) {
      process.exitCode = 2;
    }
    return { drift: report, changes: plan.changes.length, ...(outcome.applied?.status === 'applied' ? { runId: outcome.applied.result.runId } : {}) };
  }
}
