import type { Plan } from '../plan/plan.js';
import { renderSummaryLine } from './plan-text.js';
import { createStyle } from './style.js';

/** The plan for a pull request or a ticket: one table of changes, one of undecided failures. */
export function renderPlanMarkdown(plan: Plan): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
  const out: string[] = [`# cis-fix plan (${plan.benchmark.id})`, '', `_${plan.benchmark.chosenBy}_`, ''];
  out.push('## Changes', '');
  if (plan.changes.length === 0) out.push('No changes.', '');
  else {
    out.push('| Node | Target | Controls | Change |', '|---|---|---|---|');
    for (const c of plan.changes) out.push(`| ${c.node ?? 'cluster'} | \`${escape(c.target)}\` | ${c.controlIds.join(', ')} | ${escape(c.diff.trim())} |`);
    out.push('');
  }
  const undecided = plan.findings.filter((f) => f.status === 'fail' && !f.fixable);
  if (undecided.length) {
    out.push('## Failing controls that need a decision', '', '| Node | Control | Observed | Why not fixed |', '|---|---|---|---|');
    for (const f of undecided) out.push(`| ${f.node ?? 'cluster'} | ${f.controlId} ${escape(f.title)} | ${escape(f.actual)} | ${escape(f.notFixableReason ?? '')} |`);
    out.push('');
  }
  out.push(`**${renderSummaryLine(plan, createStyle(false))}**`, '');
  return out.join('\n');
}
