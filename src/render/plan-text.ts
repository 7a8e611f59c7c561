import type { Change } from '../model/change.js';
import type { Finding } from '../model/finding.js';
import type { Plan } from '../plan/plan.js';
import type { Style } from './style.js';

/**
 * The human plan (DESIGN.md §1): per node, each change with the controls it
 * satisfies, Terraform-like markers and a coloured diff; the failing
 * controls nothing fixes and why; then one summary line.
 */
export function renderPlanText(plan: Plan, style: Style, options: { showManual?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(style.bold(`Benchmark ${plan.benchmark.id}`) + style.dim(` (${plan.benchmark.chosenBy})`));
  lines.push('');
  for (const node of nodesInOrder(plan)) {
    const changes = plan.changes.filter((c) => c.node === node);
    const undecided = plan.findings.filter((f) => f.node === node && f.status === 'fail' && !f.fixable);
    const errors = plan.findings.filter((f) => f.node === node && f.status === 'error');
    const manual = options.showManual ? plan.findings.filter((f) => f.node === node && f.status === 'manual' && !f.notEvaluated) : [];
    if (changes.length + undecided.length + errors.length + manual.length === 0) {
      lines.push(`${style.bold(`Node ${node}`)}: ${style.green('no changes')}`);
      continue;
    }
    lines.push(style.bold(`Node ${node}`));
    for (const change of changes) lines.push(...renderChange(change, style));
    for (const finding of undecided) lines.push(...renderUndecided(finding, style));
    for (const finding of errors) lines.push(`  ${style.red('x')} ${finding.controlId} ${finding.title}`, `      ${style.red(finding.actual)}`);
    for (const finding of manual) lines.push(`  ${style.dim('?')} ${finding.controlId} ${style.dim(`${finding.title} (manual)`)}`);
    lines.push('');
  }
  const cluster = plan.findings.filter((f) => f.node === undefined && ((f.status === 'fail' && !f.fixable) || f.status === 'error'));
  const apiChanges = plan.changes.filter((c) => c.node === undefined);
  if (cluster.length || apiChanges.length || plan.findings.some((f) => f.node === undefined)) {
    const access = plan.cluster?.kind === 'connected' ? style.dim(` (${plan.cluster.server}, context ${plan.cluster.context}, Kubernetes ${plan.cluster.version})`) : plan.cluster ? style.dim(` (${plan.cluster.reason})`) : '';
    lines.push(style.bold('Cluster') + access);
    for (const change of apiChanges) lines.push(...renderChange(change, style));
    for (const finding of cluster) lines.push(...renderUndecided(finding, style));
    lines.push('');
  }
  lines.push(renderSummaryLine(plan, style));
  return `${lines.join('\n')}\n`;
}

function nodesInOrder(plan: Plan): string[] {
  const seen = new Set<string>(plan.selection.nodes);
  for (const f of plan.findings) if (f.node) seen.add(f.node);
  return [...seen];
}

function renderChange(change: Change, style: Style): string[] {
  const marker = change.action === 'create' ? style.green('+') : change.action === 'delete' ? style.red('-') : style.yellow('~');
  const head = `  ${marker} ${change.target}  ${style.dim(`[${change.controlIds.join(', ')}]`)}`;
  const lines = [head, ...change.diff.split('\n').filter((l) => l !== '').map((l) => `      ${colourDiffLine(l, style)}`)];
  if (change.kind === 'api-object') {
    // What the API server itself said in the dry run (Pod Security: the pods a level would reject), and what cis-fix knows it affects.
    for (const warning of change.dryRunWarnings) lines.push(`      ${style.yellow('warning from the API server:')} ${warning}`);
    for (const note of change.notes) lines.push(`      ${style.dim(`note: ${note}`)}`);
  }
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

function renderUndecided(finding: Finding, style: Style): string[] {
  const lines = [`  ${style.red('!')} ${finding.controlId} ${finding.title}`, `      ${finding.actual}; expected ${finding.expected}`];
  if (finding.notFixableReason) lines.push(`      ${style.yellow('needs a decision:')} ${finding.notFixableReason}`);
  return lines;
}

export function renderSummaryLine(plan: Plan, style: Style): string {
  const s = plan.summary;
  const text = `Plan: ${s.changes} change${s.changes === 1 ? '' : 's'} on ${s.nodesChanged} node${s.nodesChanged === 1 ? '' : 's'}; ${s.needDecision} failing control${s.needDecision === 1 ? '' : 's'} need${s.needDecision === 1 ? 's' : ''} a decision; ${s.manual} manual.`;
  const later = s.notEvaluated ? ` (${s.notEvaluated} control results not evaluated by this version)` : '';
  return style.bold(s.changes === 0 && s.needDecision === 0 ? style.green(text) : text) + style.dim(later);
}
