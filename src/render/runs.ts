import type { ApiRestoreItem, RestoreItem, RunJournal } from '../model/run-journal.js';
import { escapeName } from './escape-name.js';
import { count } from './plan-overview.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

export function renderRuns(runs: readonly RunJournal[], style: Style): string {
  if (runs.length === 0) return 'No runs yet.';
  const colour = (status: string) => (status === 'succeeded' ? style.green(status) : status === 'running' || status === 'stale' || status === 'nothing-to-do' ? style.yellow(status) : style.red(status));
  return renderTable(
    ['RUN', 'KIND', 'STATUS', 'STARTED', 'CHANGES', 'NOTE'],
    runs.map((r) => [r.runId, r.kind, colour(r.status), r.startedAt, String(r.changes), r.rollsBack ? `undoes ${r.rollsBack}` : r.status === 'running' && r.finishedAt === undefined ? 'interrupted or in progress' : '']),
  );
}

export function renderRestorePlan(runId: string, items: readonly RestoreItem[], style: Style, apiItems: readonly ApiRestoreItem[] = []): string {
  const lines = [style.bold(`Rollback of run ${runId} will restore ${describeRestoreScope(items.length, new Set(items.map((i) => i.node)).size, apiItems.length)}, newest first:`)];
  for (const item of apiItems) {
    const what = item.revert.action === 'patch' ? `patch back ${Object.keys(item.revert.patch).map(escapeName).join(', ')}` : item.revert.action === 'delete' ? 'delete (the run created it)' : 're-create (the run deleted it)';
    lines.push(`  ${style.yellow('<')} cluster:${escapeName(item.target)}  ${style.dim(what)}`);
  }
  for (const item of items) {
    const what = item.original.absent ? 'removed (the run created it)' : `-> mode ${item.original.mode}, owner ${item.original.user}:${item.original.group}${item.original.sha256 ? ', content from backup' : ''}`;
    lines.push(`  ${style.yellow('<')} ${escapeName(item.node)}:${escapeName(item.target)}  ${style.dim(what)}`);
  }
  return lines.join('\n');
}

/** "3 targets on 2 nodes and 1 cluster object": the units plan and apply use. */
export function describeRestoreScope(targets: number, nodes: number, clusterObjects: number): string {
  const parts = [targets ? `${count(targets, 'target')} on ${count(nodes, 'node')}` : undefined, clusterObjects ? count(clusterObjects, 'cluster object') : undefined].filter(Boolean);
  return parts.length ? parts.join(' and ') : 'nothing';
}
