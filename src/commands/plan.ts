import { Flags } from '@oclif/core';
import { renderPlanHtml } from '../render/plan-html.js';
import { renderPlanJunit } from '../render/plan-junit.js';
import { renderPlanMetrics } from '../render/plan-metrics.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanSarif } from '../render/plan-sarif.js';
import { renderPlanText } from '../render/plan-text.js';
import { terminalWidth } from '../render/wrap-text.js';
import { metricsContext, writeMetricsFile } from '../services/metrics.js';
import { makePlan } from '../services/plan.js';
import { writePlanFile } from '../services/plan-file.js';
import { CisFixCommand } from './_shared/base-command.js';
import { waiverNotices } from './_shared/waiver-notices.js';
import { planRequestFrom, selectionFlags } from './_shared/selection-flags.js';

export default class Plan extends CisFixCommand {
  static override summary = 'Show what fails the benchmark and what cis-fix would change, as diffs. Changes nothing.';
  static override description =
    "Gathers facts from every node (one SSH exec each), evaluates the benchmark's controls with kube-bench's semantics, and prints per node each change with the controls it satisfies, the failing controls that need a decision, and a summary.";
  static override examples = [
    '<%= config.bin %> plan -i inventory.yaml',
    '<%= config.bin %> plan --only "4.1.*" -o plan.json',
    '<%= config.bin %> plan --format markdown > plan.md',
    '<%= config.bin %> plan --format junit > cis.xml   # or sarif, for CI dashboards',
    '<%= config.bin %> plan --format html > report.html   # one self-contained page: heat map, findings, diffs',
    '<%= config.bin %> plan --metrics-file /var/lib/node_exporter/textfile/cis_fix.prom',
    '<%= config.bin %> plan --detailed-exitcode   # exit 2 when there are changes',
  ];
  static override flags = {
    ...selectionFlags,
    out: Flags.string({ char: 'o', summary: 'Also write the plan to this file (JSON, mode 0600) for `cis-fix apply FILE`.' }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json', 'markdown', 'junit', 'sarif', 'html', 'prometheus'], default: 'text' }),
    'metrics-file': Flags.string({
      summary: "Also write Prometheus metrics to this file, atomically (for node_exporter's textfile collector: name it *.prom).",
    }),
    'detailed-exitcode': Flags.boolean({ summary: 'Exit 2 when the plan has changes, 0 when it has none.' }),
    'show-manual': Flags.boolean({ summary: 'Also list the manual controls per node.' }),
  };

  async run() {
    const { flags } = await this.parse(Plan);
    const { request, progressDone } = planRequestFrom(flags.inventory, flags);
    const { plan, unreachable, unreached } = await makePlan(request);
    progressDone();
    if (flags.out) await writePlanFile(flags.out, plan);
    const metrics = flags.format === 'prometheus' || flags['metrics-file'] ? renderPlanMetrics(plan, await metricsContext(plan)) : undefined;
    if (flags['metrics-file']) await writeMetricsFile(flags['metrics-file'], metrics!);
    if (!this.jsonEnabled()) {
      if (flags.format === 'json') this.print(JSON.stringify(plan, null, 2));
      else if (flags.format === 'markdown') this.print(renderPlanMarkdown(plan, flags.out ? { fullPlan: flags.out } : {}));
      else if (flags.format === 'junit') this.print(renderPlanJunit(plan));
      else if (flags.format === 'sarif') this.print(renderPlanSarif(plan));
      else if (flags.format === 'html') this.print(renderPlanHtml(plan));
      else if (flags.format === 'prometheus') this.print(metrics!);
      else this.print(renderPlanText(plan, this.style, { showManual: flags['show-manual'], width: terminalWidth(process.stdout) }));
      if (flags.out) process.stderr.write(`Plan written to ${flags.out}; apply exactly it with 'cis-fix apply ${flags.out}'.\n`);
    }
    for (const notice of waiverNotices(plan.findings)) this.warnLine(notice);
    if (unreachable.length) {
      this.warnUnreached(unreached, 'so they are not in the plan, and apply refuses it');
      process.exitCode = 1;
    } else if (flags['detailed-exitcode'] && plan.changes.length > 0) {
      process.exitCode = 2;
    }
    return plan;
  }
}
