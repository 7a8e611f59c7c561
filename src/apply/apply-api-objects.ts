import type { ApiObjectChange, JsonObject } from '../model/api-object-change.js';
import { ClusterNotFoundError } from '../model/cluster-errors.js';
import { StalePlanError } from '../model/errors.js';
import { CLUSTER_NODE, type ApiRevert } from '../model/run-journal.js';
import { effectivePatch } from '../plan/api-object/merge-patch.js';
import type { ClusterClient, KubeObject } from '../transport/cluster-client.js';
import { ApplyError } from './apply-errors.js';
import type { JournalWriter } from './journal.js';

export type { ApiApplyEvent } from '../model/apply-event.js';
import type { ApiApplyEvent } from '../model/apply-event.js';

export interface ApiApplyContext {
  readonly runId: string;
  readonly client: ClusterClient;
  readonly journal: JournalWriter;
  readonly onEvent?: (event: ApiApplyEvent) => void;
}

/**
 * Apply api-object changes (DESIGN.md §2 `api-object`), in plan order:
 * 1. read every object: its resourceVersion must still be the plan's (or it
 *    must still be absent) — else the plan is stale and nothing is changed;
 * 2. server-side dry run of every change: admission runs (Pod Security
 *    warnings are shown), and a refusal (403, 422) for any object stops the
 *    run before anything is written, naming that object;
 * 3. journal each object as found (the backup), then write it with
 *    `fieldManager: cis-fix` and the resourceVersion precondition, and check
 *    the server now holds what the change promised;
 * 4. a failed write reverts the writes already made, newest first (exit 3;
 *    exit 4 when a revert fails, naming what to do).
 */
export async function applyApiObjects(changes: readonly ApiObjectChange[], ctx: ApiApplyContext): Promise<ApiObjectChange[]> {
  if (changes.length === 0) return [];
  const { client, journal } = ctx;

  // 1. Preconditions.
  const found = new Map<string, KubeObject | undefined>();
  const stale: string[] = [];
  for (const change of changes) {
    const current = await getOrUndefined(client, change);
    found.set(change.id, current);
    const why = staleness(change, current);
    if (why) stale.push(`${change.target} (${why})`);
  }
  if (stale.length > 0) {
    await journal.record({ node: CLUSTER_NODE, phase: 'failed', detail: `stale plan: ${stale.join('; ')}` });
    throw new StalePlanError(stale);
  }
  await journal.record({ node: CLUSTER_NODE, phase: 'precondition-ok' });

  // 2. Dry run of everything before the first write.
  const refused: string[] = [];
  for (const change of changes) {
    try {
      const warnings = await write(client, change, true);
      ctx.onEvent?.({ kind: 'api-dry-run', change, warnings });
      if (warnings.length) await journal.record({ node: CLUSTER_NODE, phase: 'precondition-ok', changeId: change.id, target: change.target, detail: `dry run warnings: ${warnings.join(' | ')}` });
    } catch (error) {
      if (error instanceof StalePlanError) throw error;
      refused.push(`${change.target}: ${(error as Error).message}`);
    }
  }
  if (refused.length > 0) {
    await journal.record({ node: CLUSTER_NODE, phase: 'failed', detail: `dry run refused: ${refused.join('; ')}` });
    const forbidden = refused.some((r) => r.includes('forbidden'));
    throw new ApplyError(`the API server refused ${refused.length} change(s) in the dry run, so no API object was changed:\n${refused.map((r) => `  ${r}`).join('\n')}`, ctx.runId, 'nothing-changed', [
      forbidden ? 'Use a kubeconfig context that may make these changes, or leave them out (--skip the control, or apply --interactive).' : 'Fix what the API server names, then plan again.',
    ]);
  }

  // 3. Backups, then writes.
  for (const change of changes) {
    await journal.record({ node: CLUSTER_NODE, phase: 'backed-up', changeId: change.id, target: change.target, apiObject: found.get(change.id) ?? null });
  }
  const applied: { change: ApiObjectChange; resourceVersion: string | undefined }[] = [];
  for (const change of changes) {
    await journal.record({ node: CLUSTER_NODE, phase: 'write-started', changeId: change.id, target: change.target, revert: revertOf(change, found.get(change.id)) });
    try {
      const warnings = await write(client, change, false);
      const now = await getOrUndefined(client, change);
      const problem = verify(change, now);
      if (problem) throw new Error(`verification after writing: ${problem}`);
      applied.push({ change, resourceVersion: now?.metadata.resourceVersion });
      await journal.record({ node: CLUSTER_NODE, phase: 'verified', changeId: change.id, target: change.target, ...(now?.metadata.resourceVersion ? { resourceVersion: now.metadata.resourceVersion } : {}) });
      ctx.onEvent?.({ kind: 'api-applied', change, warnings });
    } catch (error) {
      await journal.record({ node: CLUSTER_NODE, phase: 'failed', changeId: change.id, target: change.target, detail: (error as Error).message });
      await revertApplied(applied.reverse(), found, ctx, `${change.target}: ${(error as Error).message}`);
    }
  }
  return applied.map((a) => a.change);
}

async function revertApplied(applied: readonly { change: ApiObjectChange; resourceVersion: string | undefined }[], found: ReadonlyMap<string, KubeObject | undefined>, ctx: ApiApplyContext, reason: string): Promise<never> {
  const failures: string[] = [];
  for (const { change, resourceVersion } of applied) {
    await ctx.journal.record({ node: CLUSTER_NODE, phase: 'restore-started', changeId: change.id, target: change.target });
    try {
      await applyRevert(ctx.client, revertOf(change, found.get(change.id)), resourceVersion);
      await ctx.journal.record({ node: CLUSTER_NODE, phase: 'restored', changeId: change.id, target: change.target });
    } catch (error) {
      failures.push(`${change.target}: ${(error as Error).message}`);
    }
  }
  ctx.onEvent?.({ kind: 'api-reverted', targets: applied.map((a) => a.change.target) });
  if (failures.length > 0) {
    throw new ApplyError(`an API change failed (${reason}) and reverting failed too`, ctx.runId, 'restore-failed', [
      ...failures.map((f) => `Not reverted: ${f}`),
      `The objects as cis-fix found them are in the journal of run ${ctx.runId} (steps 'backed-up'); restore them with kubectl, or run 'cis-fix rollback ${ctx.runId}' once the API server accepts it.`,
    ]);
  }
  throw new ApplyError(`an API change failed (${reason}); the ${applied.length} API change(s) made before it were reverted and the run stopped`, ctx.runId, 'rolled-back');
}

/** How to undo `change`, given the object as apply found it. */
export function revertOf(change: ApiObjectChange, found: KubeObject | undefined): ApiRevert {
  switch (change.action) {
    case 'patch':
      return { action: 'patch', ref: change.object, patch: change.before };
    case 'create':
      return { action: 'delete', ref: change.object };
    case 'delete':
      return { action: 'create', ref: change.object, object: withoutServerFields((found ?? change.before.object) as Record<string, unknown>) };
    default: {
      const never: never = change;
      return never;
    }
  }
}

/** Undo one change. `resourceVersion`: what the change left; a different one means someone else changed the object since (409). */
export async function applyRevert(client: ClusterClient, revert: ApiRevert, resourceVersion: string | undefined): Promise<void> {
  switch (revert.action) {
    case 'patch':
      await client.patch(revert.ref, revert.patch, { dryRun: false, resourceVersion });
      return;
    case 'delete':
      await client.delete(revert.ref, { dryRun: false, resourceVersion });
      return;
    case 'create':
      await client.create(revert.object as unknown as KubeObject, { dryRun: false });
      return;
    default: {
      const never: never = revert;
      return never;
    }
  }
}

async function write(client: ClusterClient, change: ApiObjectChange, dryRun: boolean): Promise<readonly string[]> {
  switch (change.action) {
    case 'patch':
      return (await client.patch(change.object, change.patch, { dryRun, resourceVersion: change.precondition.resourceVersion })).warnings;
    case 'create':
      return (await client.create(change.content as unknown as KubeObject, { dryRun })).warnings;
    case 'delete':
      return (await client.delete(change.object, { dryRun, resourceVersion: change.precondition.resourceVersion })).warnings;
    default: {
      const never: never = change;
      return never;
    }
  }
}

/** The object as the server has it now; undefined when absent. A 403 or an unreachable server propagates: nothing is changed then. */
async function getOrUndefined(client: ClusterClient, change: ApiObjectChange): Promise<KubeObject | undefined> {
  try {
    return await client.get(change.object);
  } catch (error) {
    if (error instanceof ClusterNotFoundError) return undefined;
    throw error;
  }
}

/** Why the object is no longer what the plan saw, or undefined. Pure. */
export function staleness(change: ApiObjectChange, current: KubeObject | undefined): string | undefined {
  if ('absent' in change.precondition) return current ? 'now exists' : undefined;
  if (!current) return 'was deleted';
  const rv = current.metadata.resourceVersion;
  return rv === change.precondition.resourceVersion ? undefined : `resourceVersion ${change.precondition.resourceVersion} -> ${rv ?? '?'}`;
}

/** Undefined when the server holds what the change promised. Pure. */
export function verify(change: ApiObjectChange, now: KubeObject | undefined): string | undefined {
  switch (change.action) {
    case 'patch':
      if (!now) return `${change.target} is gone`;
      return effectivePatch(now, change.patch as JsonObject) === undefined ? undefined : `${change.target} does not hold the patched fields`;
    case 'create':
      return now ? undefined : `${change.target} was not created`;
    case 'delete':
      return now ? `${change.target} still exists` : undefined;
    default: {
      const never: never = change;
      return never;
    }
  }
}

/** An object as it can be created again: without the fields the server sets. */
function withoutServerFields(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = { ...((object['metadata'] as Record<string, unknown> | undefined) ?? {}) };
  for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink']) delete metadata[key];
  const { status: _status, ...rest } = object;
  return { ...rest, metadata };
}
