import type { ApiRestoreItem, RestoreItem, RunJournal } from '../model/run-journal.js';
import { escapeName } from './escape-name.js';
import { count } from './plan-overview.js';
import { describeSource, type RecordSource, type RunOrigin } from '../model/run-record.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** One run as `runs` lists it: the journal, who ran it, and where it was seen. */
export interface ListedRun {
  readonly journal: RunJournal;
  readonly by?: RunOrigin | undefined;
  readonly seenIn?: readonly RecordSource[];
}

export function renderRuns(runs: readonly (RunJournal | ListedRun)[], style: Style): string {
  if (runs.length === 0) return 'No runs yet.';
  const listed = runs.map((r): ListedRun => ('journal' in r ? r : { journal: r }));
  // An apply that a rollback undid is shown as rolled back, whatever its own journal ended with.
  const undone = new Set(listed.filter((r) => r.journal.kind === 'rollback' && r.journal.status === 'succeeded').map((r) => r.journal.rollsBack));
  const statusOf = (j: RunJournal) => (undone.has(j.runId) ? 'rolled-back' : j.status);
  const colour = (status: string) =>
    status === 'succeeded'
      ? style.green(status)
      : status === 'running' || status === 'stale' || status === 'nothing-to-do' || status === 'rolled-back'
        ? style.yellow(status)
        : style.red(status);
  const withPlaces = listed.some((r) => r.seenIn !== undefined);
  return renderTable(
    ['RUN', 'KIND', 'STATUS', 'STARTED', 'CHANGES', ...(withPlaces ? ['BY', 'SEEN IN'] : []), 'NOTE'],
    listed.map(({ journal: r, by, seenIn }) => {
      const status = statusOf(r);
      const note = r.rollsBack ? `undoes ${r.rollsBack}` : status === 'running' && r.finishedAt === undefined ? 'interrupted or in progress' : '';
      const places = withPlaces ? [by ? `${by.user}@${by.host}` : '', (seenIn ?? []).map(describeSource).join(', ')] : [];
      return [r.runId, r.kind, colour(status), r.startedAt, String(r.changes), ...places, note];
    }),
  );
}

export function renderRestorePlan(runId: string, items: readonly RestoreItem[], style: Style, apiItems: readonly ApiRestoreItem[] = []): string {
  const lines = [
    style.bold(
      `Rollback of run ${runId} will restore ${describeRestoreScope(items.length, new Set(items.map((i) => i.node)).size, apiItems.length)}, newest first:`,
    ),
  ];
  for (const item of apiItems) {
    const what =
      item.revert.action === 'patch'
        ? `patch back ${Object.keys(item.revert.patch).map(escapeName).join(', ')}`
        : item.revert.action === 'delete'
          ? 'delete (the run created it)'
          : 're-create (the run deleted it)';
    lines.push(`  ${style.yellow('<')} cluster:${escapeName(item.target)}  ${style.dim(what)}`);
  }
  for (const item of items) {
    const what = item.original.absent
      ? 'removed (the run created it)'
      : `-> mode ${item.original.mode}, owner ${item.original.user}:${item.original.group}${item.original.sha256 ? ', content from backup' : ''}`;
    lines.push(`  ${style.yellow('<')} ${escapeName(item.node)}:${escapeName(item.target)}  ${style.dim(what)}`);
  }
  return lines.join('\n');
}

/** "3 targets on 2 nodes and 1 cluster object": the units plan and apply use. */
export function describeRestoreScope(targets: number, nodes: number, clusterObjects: number): string {
  const parts = [
    targets ? `${count(targets, 'target')} on ${count(nodes, 'node')}` : undefined,
    clusterObjects ? count(clusterObjects, 'cluster object') : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(' and ') : 'nothing';
}
