import type { JournalStep, RunJournal } from '../../model/run-journal.js';
import type { RecordSource, RunOrigin, RunRecord } from '../../model/run-record.js';

/** One copy of a run, as found in one place. */
export interface SeenRecord {
  readonly source: RecordSource;
  readonly journal: RunJournal;
  readonly by?: RunOrigin;
  readonly planDigest?: string;
  readonly baselineReplaced?: Readonly<Record<string, string | null>>;
}

/** A run put together from every copy of it: the workstation's, the cluster's and each node's share. */
export interface MergedRun {
  readonly journal: RunJournal;
  readonly by: RunOrigin | undefined;
  readonly planDigest: string | undefined;
  readonly baselineReplaced: Readonly<Record<string, string | null>> | undefined;
  readonly seenIn: readonly RecordSource[];
}

const PRIORITY: Record<RecordSource['kind'], number> = { local: 0, cluster: 1, node: 2 };

function stepKey(step: JournalStep): string {
  return JSON.stringify(step);
}

/**
 * Merge the copies of every run, de-duplicated by run id, newest first.
 * Pure. The header comes from the most complete copy (the workstation's,
 * then the cluster's, then a node's); a copy that saw the run finish wins
 * over one that did not (a node's share may end before the run did); the
 * steps are the union of all copies in time order, so a run rolled back
 * from a fresh machine restores what every node recorded.
 */
export function mergeRunRecords(seen: readonly SeenRecord[]): MergedRun[] {
  const byRun = new Map<string, SeenRecord[]>();
  for (const copy of seen) {
    const list = byRun.get(copy.journal.runId) ?? [];
    list.push(copy);
    byRun.set(copy.journal.runId, list);
  }
  const merged = [...byRun.values()].map((copies) => {
    const ordered = [...copies].sort((a, b) => PRIORITY[a.source.kind] - PRIORITY[b.source.kind]);
    const head = ordered[0]!;
    const finished = ordered
      .filter((c) => c.journal.finishedAt !== undefined)
      .sort((a, b) => (b.journal.finishedAt ?? '').localeCompare(a.journal.finishedAt ?? ''))[0];
    const steps: JournalStep[] = [];
    const known = new Set<string>();
    for (const copy of ordered) {
      for (const step of copy.journal.steps) {
        const key = stepKey(step);
        if (known.has(key)) continue;
        known.add(key);
        steps.push(step);
      }
    }
    // Stable: steps recorded in the same millisecond keep the order their copy gave them.
    const ranked = steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.at.localeCompare(b.step.at) || a.index - b.index);
    const backups = Object.assign({}, ...ordered.map((c) => c.journal.backups).reverse()) as Record<string, string>;
    const journal: RunJournal = {
      ...head.journal,
      ...(finished ? { status: finished.journal.status, finishedAt: finished.journal.finishedAt } : {}),
      backups,
      steps: ranked.map((r) => r.step),
    };
    return {
      journal,
      by: ordered.find((c) => c.by)?.by,
      planDigest: ordered.find((c) => c.planDigest)?.planDigest,
      baselineReplaced: ordered.find((c) => c.baselineReplaced)?.baselineReplaced,
      seenIn: ordered.map((c) => c.source),
    };
  });
  return merged.sort((a, b) => b.journal.startedAt.localeCompare(a.journal.startedAt) || b.journal.runId.localeCompare(a.journal.runId));
}

/** The record a node keeps of a run: the header and that node's steps only. */
export function nodeShareOf(record: RunRecord, node: string): RunRecord {
  return { ...record, journal: { ...record.journal, steps: record.journal.steps.filter((s) => s.node === node) } };
}
