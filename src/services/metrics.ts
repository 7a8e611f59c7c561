import { resolve } from 'node:path';
import { writeFileAtomic } from '../apply/atomic-file.js';
import { readBaseline } from '../apply/baseline-store.js';
import { listJournals } from '../apply/journal.js';
import { driftReport, type DriftReport } from '../plan/drift.js';
import type { Plan } from '../plan/plan.js';
import type { MetricsContext } from '../render/plan-metrics.js';

/**
 * What the metrics need besides the plan (issue 12 §4): the drift against
 * baseline.json (unless the caller has it already) and the newest
 * successful apply from the state directory's journals.
 */
export async function metricsContext(plan: Plan, drift?: DriftReport): Promise<MetricsContext> {
  const journals = await listJournals();
  // Newest first; a run that changed nothing also proves the cluster was in step.
  const last = journals.find((j) => j.kind === 'apply' && (j.status === 'succeeded' || j.status === 'nothing-to-do') && j.finishedAt !== undefined);
  return {
    drift: drift ?? driftReport(plan, await readBaseline()),
    ...(last ? { lastSuccessfulRun: { runId: last.runId, finishedAt: last.finishedAt! } } : {}),
  };
}

/**
 * For node_exporter's textfile collector: replaced atomically (temp file in
 * the same directory, fsync, rename), so the collector never reads half a
 * file; 0644, because the collector usually runs as another user.
 */
export async function writeMetricsFile(file: string, text: string): Promise<void> {
  await writeFileAtomic(resolve(file), text, 0o644);
}
