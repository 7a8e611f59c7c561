import type { DriftReport } from '../plan/drift.js';
import { escapeName } from './escape-name.js';
import { count } from './plan-overview.js';
import type { Style } from './style.js';

/** The drift summary under the plan: what regressed since cis-fix enforced it, and what was never enforced. */
export function renderDriftReport(report: DriftReport, style: Style): string {
  const lines: string[] = [];
  if (report.drifted.length > 0) {
    lines.push(
      style.bold(
        style.red(`Drifted: ${count(report.drifted.length, 'control')} complied after a cis-fix run and fail${report.drifted.length === 1 ? 's' : ''} now:`),
      ),
    );
    for (const f of report.drifted)
      lines.push(`  ${style.red('!')} ${escapeName(f.node ?? 'cluster')} ${f.controlId} ${f.title}  ${style.dim(`(enforced by run ${f.enforcedBy})`)}`);
  } else {
    lines.push(style.green('No drift from what cis-fix last enforced.'));
  }
  if (report.neverEnforced.length > 0)
    lines.push(
      style.dim(
        `${count(report.neverEnforced.length, 'other failing control')} ${report.neverEnforced.length === 1 ? 'was' : 'were'} never enforced by cis-fix (see the plan).`,
      ),
    );
  return `${lines.join('\n')}\n`;
}
