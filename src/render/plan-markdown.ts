import type { Finding } from '../model/finding.js';
import type { Plan } from '../plan/plan.js';
import { escapeName } from './escape-name.js';
import {
  changeOverview,
  controlTitles,
  count,
  describeScope,
  describeWaiver,
  isUnreachedFinding,
  nodeRoles,
  summaryRows,
  targetEntries,
  totalCounts,
  unreachedNodes,
  waiverNotice,
  type TargetEntry,
} from './plan-overview.js';
import { renderSummaryLine } from './plan-text.js';
import { createStyle } from './style.js';

/** GitHub refuses comments over 65,536 characters; stay clearly below. */
export const MARKDOWN_LIMIT = 65_000;

export interface PlanMarkdownOptions {
  /** Where the whole plan is (a plan file written with -o), named when something had to be left out. */
  readonly fullPlan?: string;
  /** The character budget (default MARKDOWN_LIMIT). */
  readonly limit?: number;
}

/**
 * The plan as a pull-request comment: the summary table first, then one
 * collapsed `<details>` section per node (and one for the cluster) with each
 * target's controls and a fenced `diff` block. Stays under `limit`
 * characters: nodes that do not fit keep their list of targets without
 * diffs, or are left out, and the comment says which and where the whole
 * plan is. Every name from a node is escaped (escapeName, then Markdown).
 */
export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const head = renderHead(plan);
  const sections = sectionsOf(plan);
  const withoutDiffs: string[] = [];
  const leftOut: string[] = [];
  const body: string[] = [];
  // Reserve room for the note about what was left out (it names nodes, so it grows with them).
  const reserve = 600 + sections.reduce((n, s) => n + s.name.length + 2, 0);
  let used = head.length + reserve;
  for (const section of sections) {
    const full = section.render(true);
    if (used + full.length <= limit) {
      body.push(full);
      used += full.length;
      continue;
    }
    const brief = section.render(false);
    if (used + brief.length <= limit) {
      body.push(brief);
      used += brief.length;
      withoutDiffs.push(section.name);
    } else {
      leftOut.push(section.name);
    }
  }
  const note: string[] = [];
  if (withoutDiffs.length || leftOut.length) {
    const where = options.fullPlan ? `the plan file \`${escapeName(options.fullPlan)}\`` : '`cis-fix plan -o plan.json` (or `--format text`)';
    note.push(`> **Shortened to stay under ${limit.toLocaleString('en-US')} characters.**`);
    if (withoutDiffs.length) note.push(`> Diffs left out for: ${withoutDiffs.map(inline).join(', ')}.`);
    if (leftOut.length) note.push(`> Left out entirely: ${leftOut.map(inline).join(', ')}.`);
    note.push(`> The whole plan: ${where}.`, '');
  }
  return [head, ...body, ...note].join('\n');
}

function renderHead(plan: Plan): string {
  const out: string[] = [
    `# cis-fix plan (${plan.benchmark.id})`,
    '',
    `_${text(plan.benchmark.chosenBy)}_`,
    '',
    `**${text(renderSummaryLine(plan, createStyle(false)))}**`,
    '',
  ];
  const rows = summaryRows(plan);
  const total = totalCounts(rows);
  out.push('| Section | Role | Nodes | Pass | Fail | Fixed by this plan | Needs a decision | Manual | Waived | Provider-managed | Not evaluated |');
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  const cells = (r: typeof total) => [r.pass, r.fail, r.fixed, r.decision, r.manual, r.waived, r.providerManaged, r.notEvaluated].map(String);
  for (const r of rows) out.push(`| ${r.section} | ${text(r.role)} | ${r.nodes} | ${cells(r).join(' | ')} |`);
  out.push(
    `| **total** | | | ${cells(total)
      .map((c) => `**${c}**`)
      .join(' | ')} |`,
    '',
  );
  const unreached = unreachedNodes(plan);
  if (unreached.length)
    out.push(`**Not reached:** ${count(unreached.length, 'node')} (${unreached.map(inline).join(', ')}): not evaluated, nothing planned there.`, '');
  const o = changeOverview(plan.changes);
  if (o.changes === 0) out.push('**What will change:** nothing.', '');
  else {
    out.push(`**What will change:** ${describeScope(o)}`, '');
    if (o.files) out.push(`- files: ${count(o.files, 'target')} (mode, owner or content)`);
    if (o.manifestRestarts.length)
      out.push(`- manifests: ${count(o.manifestRestarts.length, 'target')}, so restarts: ${o.manifestRestarts.map(text).join(', ')}`);
    if (o.kubeletRestarts.length) out.push(`- kubelet restarts: ${count(o.kubeletRestarts.length, 'node')} (${o.kubeletRestarts.map(inline).join(', ')})`);
    if (o.serviceRestarts.length) out.push(`- service restarts: ${o.serviceRestarts.map(text).join(', ')}`);
    if (o.clusterObjects) out.push(`- cluster objects: ${o.clusterObjects}`);
    out.push('');
  }
  return out.join('\n');
}

interface Section {
  readonly name: string;
  render(withDiffs: boolean): string;
}

function sectionsOf(plan: Plan): Section[] {
  const titles = controlTitles(plan);
  const roles = nodeRoles(plan);
  const nodes = [...new Set([...plan.selection.nodes, ...plan.findings.flatMap((f) => (f.node ? [f.node] : []))])];
  const sections: Section[] = [];
  const make = (name: string, label: string, findings: readonly Finding[], entries: readonly TargetEntry[]) => {
    const undecided = findings.filter((f) => (f.status === 'fail' && !f.fixable) || (f.status === 'error' && !isUnreachedFinding(f)));
    const unreached = findings.filter(isUnreachedFinding);
    const waived = findings.filter((f) => f.status === 'waived');
    if (entries.length + undecided.length + unreached.length + waived.length === 0) return;
    const changes = entries.reduce((n, e) => n + e.changes.length, 0);
    const summary = [
      unreached.length ? 'not reached' : undefined,
      entries.length ? `${count(changes, 'change')} to ${count(entries.length, label === 'cluster' ? 'cluster object' : 'target')}` : undefined,
      undecided.length ? `${count(undecided.length, 'failing control')} ${undecided.length === 1 ? 'needs' : 'need'} a decision` : undefined,
      waived.length ? `${waived.length} waived` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    sections.push({
      name,
      render: (withDiffs) => {
        const out = [`<details><summary><b>${html(name)}</b> (${html(label)}): ${html(summary)}</summary>`, ''];
        for (const f of unreached) out.push(`Not reached: ${text(f.actual)}`, '');
        for (const e of entries) out.push(...renderEntry(e, titles, withDiffs));
        if (undecided.length) {
          out.push('**Needs a decision**', '');
          for (const f of undecided)
            out.push(
              `- **${f.controlId}** ${text(f.title)}: ${text(f.actual)}; expected ${text(f.expected)}.${f.notFixableReason ? ` _${text(f.notFixableReason)}_` : ''}${waiverNotice(f) === 'expired' ? ` **${text(describeWaiver(f)!)}**` : ''}`,
            );
          out.push('');
        }
        if (waived.length) {
          out.push('**Waived**', '');
          for (const f of waived)
            out.push(
              `- **${f.controlId}** ${text(f.title)}: ${waiverNotice(f) === 'expires-soon' ? '**⚠ ' : ''}${text(describeWaiver(f) ?? 'waived')}${waiverNotice(f) === 'expires-soon' ? '**' : ''}`,
            );
          out.push('');
        }
        out.push('</details>', '');
        return out.join('\n');
      },
    });
  };
  for (const node of nodes)
    make(
      node,
      roles.get(node) ?? 'worker',
      plan.findings.filter((f) => f.node === node),
      targetEntries(plan.changes.filter((c) => c.node === node)),
    );
  make(
    'cluster',
    'cluster',
    plan.findings.filter((f) => f.node === undefined),
    targetEntries(plan.changes.filter((c) => c.node === undefined)),
  );
  return sections;
}

function renderEntry(e: TargetEntry, titles: ReadonlyMap<string, string>, withDiffs: boolean): string[] {
  const marker = e.action === 'create' ? '+' : e.action === 'delete' ? '-' : '~';
  const out = [`**${marker}** ${inline(e.target)}${e.restart ? ` (restarts ${text(e.restart)})` : ''}`, ''];
  for (const id of e.controlIds) out.push(`- ${id} ${text(titles.get(id) ?? '')}`.trimEnd());
  out.push('');
  if (!withDiffs) return out;
  const body = e.changes.flatMap((c) => [
    ...c.diff
      .split('\n')
      .filter((l) => l !== '')
      .map(escapeName),
    ...('dryRunWarnings' in c ? c.dryRunWarnings.map((w) => `# warning from the API server: ${escapeName(w)}`) : []),
    ...('notes' in c ? (c.notes ?? []).map((n) => `# note: ${escapeName(n)}`) : []),
  ]);
  const fence = '`'.repeat(Math.max(3, longestRun(body.join('\n'), '`') + 1));
  out.push(`${fence}diff`, ...body, fence, '');
  return out;
}

function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/** Inline code holding a name: escaped, in a backtick fence longer than any run inside it. */
function inline(name: string): string {
  const safe = escapeName(name);
  const fence = '`'.repeat(longestRun(safe, '`') + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/** Running text: escaped, then Markdown's and HTML's special characters neutralised. */
function text(s: string): string {
  return escapeName(s)
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

function html(s: string): string {
  return escapeName(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
