import { ClusterNotFoundError } from '../model/cluster-errors.js';
import { CLUSTER_NODE, type ApiRestoreItem, type RunJournal } from '../model/run-journal.js';
import type { ClusterClient, KubeObject } from '../transport/cluster-client.js';
import { applyRevert } from './apply-api-objects.js';
import { ApplyError } from './apply-errors.js';
import type { JournalWriter } from './journal.js';
import { ChangedSinceRunError } from './rollback-run.js';

/**
 * The API side of a rollback: every api-object change the run started and
 * did not revert itself, newest first, with how to undo it. Pure.
 */
export function apiRestorePlanFor(journal: RunJournal): ApiRestoreItem[] {
  const started = new Map<string, ApiRestoreItem>();
  for (const step of journal.steps) {
    if (step.node !== CLUSTER_NODE || step.changeId === undefined) continue;
    if (step.phase === 'write-started' && step.revert) started.set(step.changeId, { target: step.target ?? step.changeId, revert: step.revert, resourceVersion: undefined });
    const item = started.get(step.changeId);
    if (step.phase === 'verified' && item) started.set(step.changeId, { ...item, resourceVersion: step.resourceVersion });
    // Reverted by the apply run itself (a later change failed).
    if (step.phase === 'restored') started.delete(step.changeId);
  }
  return [...started.values()].reverse();
}

export type ApiRestoreVerdict = 'restore' | 'already-original' | 'changed-since';

/** Pure: what to do with one item given the object now (undefined: absent). */
export function judgeApiRestore(item: ApiRestoreItem, now: KubeObject | undefined): ApiRestoreVerdict {
  const version = now?.metadata.resourceVersion;
  switch (item.revert.action) {
    case 'create':
      // The run deleted it: re-create unless someone already did.
      return now ? 'changed-since' : 'restore';
    case 'delete':
      if (!now) return 'already-original';
      return item.resourceVersion === undefined || version === item.resourceVersion ? 'restore' : 'changed-since';
    case 'patch':
      if (!now) return 'changed-since';
      return item.resourceVersion === undefined || version === item.resourceVersion ? 'restore' : 'changed-since';
    default: {
      const never: never = item.revert;
      return never;
    }
  }
}

/**
 * Undo a run's API changes, newest first. Checks every object before
 * changing any; refuses objects changed since the run unless `force` (then
 * the revert is sent without a resourceVersion precondition).
 */
export async function rollbackApiObjects(
  items: readonly ApiRestoreItem[],
  ctx: { readonly client: ClusterClient; readonly journal: JournalWriter; readonly runId: string; readonly force: boolean; readonly onRestored?: (item: ApiRestoreItem) => void },
): Promise<{ restored: ApiRestoreItem[]; alreadyOriginal: ApiRestoreItem[] }> {
  const verdicts: { item: ApiRestoreItem; verdict: ApiRestoreVerdict }[] = [];
  for (const item of items) {
    let now: KubeObject | undefined;
    try {
      now = await ctx.client.get(item.revert.ref);
    } catch (error) {
      if (!(error instanceof ClusterNotFoundError)) throw error;
    }
    verdicts.push({ item, verdict: judgeApiRestore(item, now) });
  }
  const changed = verdicts.filter((v) => v.verdict === 'changed-since').map((v) => `${CLUSTER_NODE}:${v.item.target}`);
  if (changed.length > 0 && !ctx.force) throw new ChangedSinceRunError(changed);

  const restored: ApiRestoreItem[] = [];
  const failures: string[] = [];
  for (const { item, verdict } of verdicts) {
    if (verdict === 'already-original') continue;
    if (verdict === 'changed-since' && item.revert.action === 'create') continue; // re-created by someone else: leave it
    await ctx.journal.record({ node: CLUSTER_NODE, phase: 'restore-started', target: item.target });
    try {
      await applyRevert(ctx.client, item.revert, verdict === 'restore' ? item.resourceVersion : undefined);
      await ctx.journal.record({ node: CLUSTER_NODE, phase: 'restored', target: item.target });
      restored.push(item);
      ctx.onRestored?.(item);
    } catch (error) {
      failures.push(`${item.target}: ${(error as Error).message}`);
      await ctx.journal.record({ node: CLUSTER_NODE, phase: 'failed', target: item.target, detail: (error as Error).message });
    }
  }
  if (failures.length > 0) {
    throw new ApplyError(`rollback could not restore ${failures.length} API object(s)`, ctx.runId, 'restore-failed', failures.map((f) => `Not restored: ${f} — the object as the run found it is in that run's journal (step 'backed-up'); restore it with kubectl.`));
  }
  return { restored, alreadyOriginal: verdicts.filter((v) => v.verdict === 'already-original').map((v) => v.item) };
}
