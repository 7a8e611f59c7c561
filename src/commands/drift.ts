import { Flags } from '@oclif/core';
import { UserError } from '../model/errors.js';
import { renderApplyEvent } from '../render/apply-events.js';
import { renderDriftReport } from '../render/drift.js';
import { changeOverview, describeScope } from '../render/plan-overview.js';
import { renderPlanHtml } from '../render/plan-html.js';
import { renderPlanJunit } from '../render/plan-junit.js';
import { renderPlanMetrics } from '../render/plan-metrics.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanSarif } from '../render/plan-sarif.js';
import { renderPlanText } from '../render/plan-text.js';
import { terminalWidth } from '../render/wrap-text.js';
import { detectDrift } from '../services/drift.js';
import { metricsContext, writeMetricsFile } from '../services/metrics.js';
import { CisFixCommand } from './_shared/base-command.js';
import { waiverNotices } from './_shared/waiver-notices.js';
import { parseDuration } from './_shared/duration.js';
import { planRequestFrom, selectionFlags } from './_shared/selection-flags.js';
import { notRecorded } from './_shared/not-recorded.js';

export default class Drift extends CisFixCommand {
  static override summary = 'Find drift from the benchmark (and from what cis-fix last enforced); with --fix --yes, correct it.';
  static override description =
    'Plans afresh and compares with baseline.json, the controls cis-fix last enforced: controls that complied after an apply and fail now have drifted. Exit 0 when nothing is to change, 2 when changes are pending or an inventory waiver has expired. With --fix --yes the plan just shown is applied through the full apply protocol (locks, preconditions, backups, health gates, rollback). Meant for a timer: see `cis-fix schedule`.';
  static override examples = [
    '<%= config.bin %> drift -i inventory.yaml',
    '<%= config.bin %> drift --fix --yes   # from a timer',
    '<%= config.bin %> drift --format sarif > drift.sarif',
    '<%= config.bin %> drift --metrics-file /var/lib/node_exporter/textfile/cis_fix.prom   # for alerting',
  ];
  static override flags = {
    ...selectionFlags,
    fix: Flags.boolean({ summary: 'Apply the plan to correct the drift (needs --yes: drift never prompts).' }),
    yes: Flags.boolean({ char: 'y', summary: 'With --fix: apply without asking.' }),
    format: Flags.string({
      summary: 'Output format of the plan.',
      options: ['text', 'json', 'markdown', 'junit', 'sarif', 'html', 'prometheus'],
      default: 'text',
    }),
    'metrics-file': Flags.string({
      summary: "Also write Prometheus metrics to this file, atomically (for node_exporter's textfile collector: name it *.prom).",
    }),
    'health-timeout': Flags.string({ summary: 'With --fix: how long a restarted component may take to become healthy.', default: '5m' }),
  };

  async run() {
    const { flags } = await this.parse(Drift);
    if (flags.fix && !flags.yes) {
      throw new UserError(
        'drift --fix runs unattended and never prompts: add --yes to apply the plan',
        [],
        ['Review first with cis-fix drift (or cis-fix plan), then run cis-fix drift --fix --yes.'],
      );
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
    // After a --fix the journals hold the run just made: the metrics say so.
    const metrics = flags.format === 'prometheus' || flags['metrics-file'] ? renderPlanMetrics(plan, await metricsContext(plan, report)) : undefined;
    if (flags['metrics-file']) await writeMetricsFile(flags['metrics-file'], metrics!);
    if (!this.jsonEnabled()) {
      if (flags.format === 'json') this.print(JSON.stringify({ ...plan, drift: report }, null, 2));
      else if (flags.format === 'markdown') this.print(renderPlanMarkdown(plan));
      else if (flags.format === 'junit') this.print(renderPlanJunit(plan));
      else if (flags.format === 'sarif') this.print(renderPlanSarif(plan));
      else if (flags.format === 'html') this.print(renderPlanHtml(plan));
      else if (flags.format === 'prometheus') this.print(metrics!);
      else this.print(`${renderPlanText(plan, this.style, { width: terminalWidth(process.stdout) })}${renderDriftReport(report, this.style)}`);
    }
    for (const notice of waiverNotices(plan.findings)) this.warnLine(notice);
    // An expired waiver is a failure again: pending, even when no change can fix it (and so --fix could not).
    const expiredUnfixed = report.expiredWaivers.filter((f) => !f.fixable);
    for (const problem of outcome.stateProblems) this.warnLine(`the drift baseline could not be read from ${problem.where}: ${problem.message}`);
    if (outcome.unreachable.length) {
      // Never a success while a node was skipped (issue 10): --fix changed nothing anywhere.
      this.warnUnreached(outcome.unreached, flags.fix ? 'so they were not checked, and nothing was changed on any node' : 'so they were not checked');
      process.exitCode = 1;
    } else if (outcome.applied?.status === 'applied') {
      if (outcome.applied.unverified.length) this.warnLine(notRecorded(outcome.applied.unverified, outcome.applied.recheckFailed));
      if (!this.jsonEnabled())
        this.print(this.style.green(`Drift corrected: ${describeScope(changeOverview(outcome.applied.result.applied))}, run ${outcome.applied.result.runId}.`));
      if (expiredUnfixed.length > 0) process.exitCode = 2;
    } else if (plan.changes.length > 0 || report.expiredWaivers.length > 0) {
      process.exitCode = 2;
    }
    return { drift: report, changes: plan.changes.length, ...(outcome.applied?.status === 'applied' ? { runId: outcome.applied.result.runId } : {}) };
  }
}
