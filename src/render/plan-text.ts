import type { Change } from '../model/change.js';
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
  type ChangeOverview,
  type SectionRow,
  type TargetEntry,
} from './plan-overview.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';
import { wrapText } from './wrap-text.js';

export interface PlanTextOptions {
  /** Also list the manual controls per node. */
  readonly showManual?: boolean;
  /** Wrap long texts at this width (the terminal's; 100 when not a terminal). */
  readonly width?: number;
}

const DEFAULT_WIDTH = 100;

/**
 * The human plan (DESIGN.md §1), for a reviewer's first minute: a summary
 * table per benchmark section and node role, what will change by category,
 * then per node one entry per target (its mode, owner and content changes
 * together, each control with its title), the failing controls nothing fixes
 * and why, waivers, and one summary line. Every name from a node or the
 * cluster goes through escapeName: nothing in a plan can fake a plan line.
 */
export function renderPlanText(plan: Plan, style: Style, options: PlanTextOptions = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const titles = controlTitles(plan);
  const roles = nodeRoles(plan);
  const lines: string[] = [...renderHeader(plan, style), ''];
  lines.push(...renderSummaryTable(plan, style), '');
  lines.push(...renderChangeOverview(changeOverview(plan.changes), style), '');
  for (const node of nodesInOrder(plan)) {
    const entries = targetEntries(plan.changes.filter((c) => c.node === node));
    const mine = plan.findings.filter((f) => f.node === node);
    const unreached = mine.filter(isUnreachedFinding);
    const undecided = mine.filter((f) => f.status === 'fail' && !f.fixable);
    const errors = mine.filter((f) => f.status === 'error' && !isUnreachedFinding(f));
    const waived = mine.filter((f) => f.status === 'waived');
    const manual = options.showManual ? mine.filter((f) => f.status === 'manual' && !f.notEvaluated) : [];
    const heading = `Node ${escapeName(node)}`;
    if (unreached.length) {
      lines.push(`${style.bold(heading)}: ${style.red('not reached')}`);
      for (const f of unreached) lines.push(...wrapText(escapeName(f.actual), width, '      ').map((l) => style.red(l)));
      lines.push('');
      continue;
    }
    if (entries.length + undecided.length + errors.length + waived.length + manual.length === 0) {
      lines.push(`${style.bold(heading)} ${style.dim(`(${roles.get(node) ?? 'worker'})`)}: ${style.green('no changes')}`);
      continue;
    }
    lines.push(`${style.bold(heading)} ${style.dim(`(${roles.get(node) ?? 'worker'})`)}`);
    for (const entry of entries) lines.push(...renderTargetEntry(entry, titles, style));
    for (const finding of undecided) lines.push(...renderUndecided(finding, style, width));
    for (const finding of errors)
      lines.push(
        `  ${style.red('x')} ${finding.controlId} ${finding.title}`,
        ...wrapText(escapeName(finding.actual), width, '      ').map((l) => style.red(l)),
      );
    for (const finding of waived) lines.push(...renderWaived(finding, style, width));
    for (const finding of manual) lines.push(`  ${style.dim('?')} ${finding.controlId} ${style.dim(`${finding.title} (manual)`)}`);
    lines.push('');
  }
  const clusterFindings = plan.findings.filter((f) => f.node === undefined);
  const cluster = clusterFindings.filter((f) => (f.status === 'fail' && !f.fixable) || f.status === 'error');
  const clusterWaived = clusterFindings.filter((f) => f.status === 'waived');
  const apiEntries = targetEntries(plan.changes.filter((c) => c.node === undefined));
  if (cluster.length || apiEntries.length || clusterFindings.length) {
    const access =
      plan.cluster?.kind === 'connected'
        ? style.dim(` (${escapeName(plan.cluster.server)}, context ${escapeName(plan.cluster.context)}, Kubernetes ${escapeName(plan.cluster.version)})`)
        : plan.cluster
          ? style.dim(` (${escapeName(plan.cluster.reason)})`)
          : '';
    lines.push(style.bold('Cluster') + access);
    for (const entry of apiEntries) lines.push(...renderTargetEntry(entry, titles, style));
    for (const finding of cluster) lines.push(...renderUndecided(finding, style, width));
    for (const finding of clusterWaived) lines.push(...renderWaived(finding, style, width));
    lines.push('');
  }
  lines.push(renderSummaryLine(plan, style));
  return `${lines.join('\n')}\n`;
}

/**
 * What `apply PLANFILE --yes` shows instead of the whole plan: one screen —
 * the benchmark, what will change by category, one line per node (at most
 * `maxNodes`), and the summary line. `--verbose` shows the whole plan.
 */
export function renderPlanBrief(plan: Plan, style: Style, options: { readonly maxNodes?: number } = {}): string {
  const maxNodes = options.maxNodes ?? 12;
  const lines = [...renderHeader(plan, style), '', ...renderChangeOverview(changeOverview(plan.changes), style), ''];
  const nodes = [...new Set(plan.changes.flatMap((c) => (c.node === undefined ? [] : [c.node])))];
  for (const node of nodes.slice(0, maxNodes)) {
    const changes = plan.changes.filter((c) => c.node === node);
    const o = changeOverview(changes);
    const restarts = [...new Set(targetEntries(changes).flatMap((e) => (e.restart ? [e.restart] : [])))];
    lines.push(
      `  ${style.bold(escapeName(node))}: ${count(o.changes, 'change')} to ${count(o.targets, 'target')}${restarts.length ? style.dim(`; restarts ${restarts.join(', ')}`) : ''}`,
    );
  }
  if (nodes.length > maxNodes) lines.push(style.dim(`  … and ${count(nodes.length - maxNodes, 'more node')} (--verbose shows the whole plan)`));
  const objects = targetEntries(plan.changes.filter((c) => c.node === undefined)).length;
  if (objects) lines.push(`  ${style.bold('cluster')}: ${count(objects, 'cluster object')}`);
  lines.push('', renderSummaryLine(plan, style), style.dim('Run with --verbose for every change and its diff.'));
  return `${lines.join('\n')}\n`;
}

function renderHeader(plan: Plan, style: Style): string[] {
  return [style.bold(`Benchmark ${plan.benchmark.id}`) + style.dim(` (${escapeName(plan.benchmark.chosenBy)})`)];
}

const COLUMNS: readonly [keyof Omit<SectionRow, 'section' | 'role' | 'nodes'>, string][] = [
  ['pass', 'PASS'],
  ['fail', 'FAIL'],
  ['fixed', 'FIXED'],
  ['decision', 'DECIDE'],
  ['manual', 'MANUAL'],
  ['waived', 'WAIVED'],
  ['providerManaged', 'PROVIDER'],
  ['notEvaluated', 'NOT EVALUATED'],
];

/** Controls per section and node role; the column legend below it. */
export function renderSummaryTable(plan: Plan, style: Style): string[] {
  const rows = summaryRows(plan);
  const total = totalCounts(rows);
  const columns = total.errors ? [...COLUMNS, ['errors', 'ERROR'] as const] : COLUMNS;
  const cell = (n: number, key: string) =>
    n === 0
      ? style.dim('-')
      : key === 'fail' || key === 'errors'
        ? style.red(String(n))
        : key === 'fixed'
          ? style.green(String(n))
          : key === 'decision'
            ? style.yellow(String(n))
            : String(n);
  const table = renderTable(
    ['SECTION', 'ROLE', 'NODES', ...columns.map(([, h]) => h)],
    [
      ...rows.map((r) => [r.section, r.role, String(r.nodes), ...columns.map(([k]) => cell(r[k], k))]),
      [style.bold('total'), '', '', ...columns.map(([k]) => style.bold(String(total[k])))],
    ],
  );
  const lines = [style.bold('Controls by section and node role'), ...table.split('\n').map((l) => `  ${l}`)];
  lines.push(style.dim('  FIXED: failing, fixed by this plan. DECIDE: failing, needs a decision (a parameter or a human).'));
  const unreached = unreachedNodes(plan);
  if (unreached.length)
    lines.push(style.red(`  Not reached: ${count(unreached.length, 'node')} (${unreached.map(escapeName).join(', ')}): not evaluated, nothing planned there.`));
  return lines;
}

export function renderChangeOverview(o: ChangeOverview, style: Style): string[] {
  if (o.changes === 0) return [style.bold(style.green('What will change: nothing'))];
  const lines = [style.bold(`What will change: ${describeScope(o)}`)];
  const rows: string[][] = [];
  if (o.files) rows.push(['files', `${count(o.files, 'target')} (mode, owner or content)`]);
  if (o.manifestRestarts.length)
    rows.push(['manifests', `${count(o.manifestRestarts.length, 'target')}, so restarts: ${o.manifestRestarts.map(escapeName).join(', ')}`]);
  if (o.kubeletRestarts.length) rows.push(['kubelet restarts', `${count(o.kubeletRestarts.length, 'node')} (${o.kubeletRestarts.map(escapeName).join(', ')})`]);
  if (o.serviceRestarts.length) rows.push(['service restarts', o.serviceRestarts.map(escapeName).join(', ')]);
  if (o.clusterObjects) rows.push(['cluster objects', count(o.clusterObjects, 'cluster object')]);
  lines.push(
    ...renderTable(['', ''], rows)
      .split('\n')
      .slice(1)
      .map((l) => `  ${l}`),
  );
  return lines;
}

function nodesInOrder(plan: Plan): string[] {
  const seen = new Set<string>(plan.selection.nodes);
  for (const f of plan.findings) if (f.node) seen.add(f.node);
  return [...seen];
}

function marker(action: TargetEntry['action'], style: Style): string {
  return action === 'create' ? style.green('+') : action === 'delete' ? style.red('-') : style.yellow('~');
}

/** One target: its controls with titles, then each change's diff (mode, owner, content) in plan order. */
function renderTargetEntry(entry: TargetEntry, titles: ReadonlyMap<string, string>, style: Style): string[] {
  const restart = entry.restart ? style.dim(`  (restarts ${entry.restart})`) : '';
  const lines = [`  ${marker(entry.action, style)} ${style.bold(escapeName(entry.target))}${restart}`];
  for (const id of entry.controlIds) lines.push(`      ${style.dim(id)} ${style.dim(titles.get(id) ?? '')}`.trimEnd());
  for (const change of entry.changes) lines.push(...renderChangeBody(change, style));
  return lines;
}

function renderChangeBody(change: Change, style: Style): string[] {
  const lines = change.diff
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `      ${colourDiffLine(escapeName(l), style)}`);
  // What the API server said in its dry run, and what cis-fix knows a change affects (any kind may carry them).
  if ('dryRunWarnings' in change) for (const w of change.dryRunWarnings) lines.push(`      ${style.yellow('warning from the API server:')} ${escapeName(w)}`);
  if ('notes' in change) for (const note of change.notes ?? []) lines.push(`      ${style.dim(`note: ${escapeName(note)}`)}`);
  return lines;
}

function colourDiffLine(line: string, style: Style): string {
  if (line.startsWith('+++') || line.startsWith('---')) return style.bold(line);
  if (line.startsWith('+')) return style.green(line);
  if (line.startsWith('-')) return style.red(line);
  if (line.startsWith('@@')) return style.cyan(line);
  if (/ -> /.test(line)) {
    const [from, to] = line.split(' -> ');
    return `${from} -> ${style.green(to ?? '')}`;
  }
  return line;
}

function renderUndecided(finding: Finding, style: Style, width: number): string[] {
  const lines = [
    `  ${style.red('!')} ${finding.controlId} ${finding.title}`,
    ...wrapText(`${escapeName(finding.actual)}; expected ${escapeName(finding.expected)}`, width, '      '),
  ];
  if (finding.notFixableReason) {
    const [first, ...rest] = wrapText(`needs a decision: ${escapeName(finding.notFixableReason)}`, width, '      ');
    lines.push(first!.replace('needs a decision:', style.yellow('needs a decision:')), ...rest);
  }
  const notice = waiverNotice(finding);
  if (notice === 'expired') lines.push(...wrapText(escapeName(describeWaiver(finding)!), width, '      ').map((l) => style.red(l)));
  return lines;
}

function renderWaived(finding: Finding, style: Style, width: number): string[] {
  const text = describeWaiver(finding) ?? 'waived';
  const notice = waiverNotice(finding);
  const body = wrapText(escapeName(text), width, '      ').map((l) => (notice === 'expires-soon' ? style.yellow(l) : style.dim(l)));
  return [`  ${style.cyan('=')} ${finding.controlId} ${finding.title}${notice === 'expires-soon' ? style.yellow('  (waiver expires soon)') : ''}`, ...body];
}

/** One line: what the plan changes, and what is left to decide. */
export function renderSummaryLine(plan: Plan, style: Style): string {
  const s = plan.summary;
  const o = changeOverview(plan.changes);
  const unreached = unreachedNodes(plan).length;
  const parts = [
    o.changes === 0 ? 'no changes' : describeScope(o),
    `${count(s.needDecision, 'failing control')} ${s.needDecision === 1 ? 'needs' : 'need'} a decision`,
    `${count(s.manual, 'manual control')}`,
  ];
  const expired = plan.findings.filter((f) => waiverNotice(f) === 'expired').length;
  const soon = plan.findings.filter((f) => waiverNotice(f) === 'expires-soon').length;
  if (expired) parts.push(`${count(expired, 'waiver')} expired`);
  if (soon) parts.push(`${count(soon, 'waiver')} expiring within 14 days`);
  if (unreached) parts.push(`${count(unreached, 'node')} not reached`);
  const text = `Plan: ${parts.join('; ')}.`;
  const later = s.notEvaluated ? ` (${count(s.notEvaluated, 'control')} not evaluated by this version)` : '';
  const clean = s.changes === 0 && s.needDecision === 0 && unreached === 0 && expired === 0;
  return style.bold(clean ? style.green(text) : unreached || expired ? style.red(text) : text) + style.dim(later);
}
