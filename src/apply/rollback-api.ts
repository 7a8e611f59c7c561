import { ClusterNotFoundError } from '../model/cluster-errors.js';
import { CLUSTER_NODE, type ApiRestoreItem } from '../model/run-journal.js';
import type { ClusterClient, KubeObject } from '../transport/cluster-client.js';
import { ApplyError } from './apply-errors.js';
import type { JournalWriter } from './journal.js';
import { clusterHandlerOfKind } from './kinds/registry.js';
import { apiObjectHandler } from './kinds/api-object.js';
import { ChangedSinceRunError } from './rollback-run.js';

export { apiRestorePlanFor } from './restore-plan.js';

// The journal's API steps all belong to the one cluster kind.
const handler = clusterHandlerOfKind(apiObjectHandler.kind);

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
 * Revert API items newest first through the kind's handler, journaling each;
 * never throws for an item: says what happened to each (true messages) and
 * the kubectl commands for the ones that failed. Shared by apply's own
 * revert and `cis-fix rollback`.
 */
export async function restoreApiItems(
  items: readonly (ApiRestoreItem & { readonly changeId?: string })[],
  ctx: {
    readonly client: ClusterClient;
    readonly journal: JournalWriter;
    readonly unconditional: boolean;
    readonly onRestored?: (item: ApiRestoreItem) => void;
  },
): Promise<{ restored: ApiRestoreItem[]; failures: string[]; lines: string[]; manualSteps: string[] }> {
  const restored: ApiRestoreItem[] = [];
  const failures: string[] = [];
  const lines: string[] = [];
  const manualSteps: string[] = [];
  for (const item of items) {
    const ids = item.changeId === undefined ? {} : { changeId: item.changeId };
    await ctx.journal.record({ node: CLUSTER_NODE, phase: 'restore-started', target: item.target, ...ids });
    try {
      const action = await handler.restore(item, { io: ctx.client, unconditional: ctx.unconditional });
      await ctx.journal.record({ node: CLUSTER_NODE, phase: 'restored', target: item.target, action, ...ids });
      restored.push(item);
      lines.push(`reverted ${item.target}`);
      ctx.onRestored?.(item);
    } catch (error) {
      const why = (error as Error).message;
      failures.push(`${item.target}: ${why}`);
      lines.push(`FAILED to revert ${item.target}: ${why}`);
      manualSteps.push(...handler.manualRestore(item, '').map((c) => `${item.target}: ${c}`));
      await ctx.journal.record({ node: CLUSTER_NODE, phase: 'failed', target: item.target, detail: why, ...ids });
    }
  }
  return { restored, failures, lines, manualSteps };
}

/**
 * Undo a run's API changes, newest first. Checks every object before
 * changing any; refuses objects changed since the run unless `force` (then
 * the revert is sent without a resourceVersion precondition).
 */
export async function rollbackApiObjects(
  items: readonly ApiRestoreItem[],
  ctx: {
    readonly client: ClusterClient;
    readonly journal: JournalWriter;
    readonly runId: string;
    readonly force: boolean;
    readonly onRestored?: (item: ApiRestoreItem) => void;
  },
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

  // Re-created by someone else since the run deleted it: left alone.
  const todo = verdicts.filter((v) => v.verdict !== 'already-original' && !(v.verdict === 'changed-since' && v.item.revert.action === 'create'));
  const restored: ApiRestoreItem[] = [];
  const failures: string[] = [];
  const lines: string[] = [];
  const manualSteps: string[] = [];
  // Each item is checked against its own verdict: a changed object (forced) is reverted without the precondition.
  for (const { item, verdict } of todo) {
    const one = await restoreApiItems([item], {
      client: ctx.client,
      journal: ctx.journal,
      unconditional: verdict !== 'restore',
      ...(ctx.onRestored ? { onRestored: ctx.onRestored } : {}),
    });
    restored.push(...one.restored);
    failures.push(...one.failures);
    lines.push(...one.lines);
    manualSteps.push(...one.manualSteps);
  }
  if (failures.length > 0) {
    throw new ApplyError(
      `rollback could not restore ${failures.length} API object(s):\n${lines.map((l) => `  ${l}`).join('\n')}`,
      ctx.runId,
      'restore-failed',
      [...manualSteps, "The objects as the run found them are in that run's journal (steps 'backed-up')."],
    );
  }
  return { restored, alreadyOriginal: verdicts.filter((v) => v.verdict === 'already-original').map((v) => v.item) };
}
