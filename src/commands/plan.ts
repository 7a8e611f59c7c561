import { Flags } from '@oclif/core';
import { renderPlanJunit } from '../render/plan-junit.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanSarif } from '../render/plan-sarif.js';
import { renderPlanText } from '../render/plan-text.js';
import { makePlan } from '../services/plan.js';
import { writePlanFile } from '../services/plan-file.js';
import { CisFixCommand } from './_shared/base-command.js';
import { waiverNotices } from './_shared/waiver-notices.js';
import { planRequestFrom, selectionFlags } from './_shared/selection-flags.js';

export default class Plan extends CisFixCommand {
  static override summary = 'Show what fails the benchmark and what cis-fix would change, as diffs. Changes nothing.';
  static override description =
    'Gathers facts from every node (one SSH exec each), evaluates the benchmark\'s controls with kube-bench\'s semantics, and prints per node each change with the controls it satisfies, the failing controls that need a decision, and a summary.';
  static override examples = [
    '<%= config.bin %> plan -i inventory.yaml',
    '<%= config.bin %> plan --only "4.1.*" -o plan.json',
    '<%= config.bin %> plan --format markdown > plan.md',
    '<%= config.bin %> plan --format junit > cis.xml   # or sarif, for CI dashboards',
    '<%= config.bin %> plan --detailed-exitcode   # exit 2 when there are changes',
  ];
  static override flags = {
    ...selectionFlags,
    out: Flags.string({ char: 'o', summary: 'Also write the plan to this file (JSON, mode 0600) for `cis-fix apply FILE`.' }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json', 'markdown', 'junit', 'sarif'], default: 'text' }),
    'detailed-exitcode': Flags.boolean({ summary: 'Exit 2 when the plan has changes, 0 when it has none.' }),
    'show-manual': Flags.boolean({ summary: 'Also list the manual controls per node.' }),
  };

  async run() {
    const { flags } = await this.parse(Plan);
    const { request, progressDone } = planRequestFrom(flags.inventory, flags);
    const { plan, unreachable } = await makePlan(request);
    progressDone();
    if (flags.out) await writePlanFile(flags.out, plan);
    if (!this.jsonEnabled()) {
      if (flags.format === 'json') this.print(JSON.stringify(plan, null, 2));
      else if (flags.format === 'markdown') this.print(renderPlanMarkdown(plan));
      else if (flags.format === 'junit') this.print(renderPlanJunit(plan));
      else if (flags.format === 'sarif') this.print(renderPlanSarif(plan));
      else this.print(renderPlanText(plan, this.style, { showManual: flags['show-manual'] }));
      if (flags.out) process.stderr.write(`Plan written to ${flags.out}; apply exactly it with 'cis-fix apply ${flags.out}'.\n`);
    }
    for (const notice of waiverNotices(plan.findings)) this.warnLine(notice);
    if (unreachable.length) {
      this.warnLine(`no facts from ${unreachable.join(', ')}: those nodes are not in the plan`);
      process.exitCode = 1;
    } else if (flags['detailed-exitcode'] && plan.changes.length > 0) {
      process.exitCode = 2;
    }
    return plan;
  }
}
