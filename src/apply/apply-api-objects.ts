import type { ApiObjectChange } from '../model/api-object-change.js';
import { ClusterNotFoundError } from '../model/cluster-errors.js';
import { StalePlanError } from '../model/errors.js';
import { CLUSTER_NODE, type ApiRestoreItem } from '../model/run-journal.js';
import type { ClusterClient, KubeObject } from '../transport/cluster-client.js';
import { ApplyError } from './apply-errors.js';
import type { JournalWriter } from './journal.js';
import { clusterHandlerFor } from './kinds/registry.js';
import { restoreApiItems } from './rollback-api.js';

export { applyRevert, revertOf, staleness, verify } from './kinds/api-object.js';

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
    const why = clusterHandlerFor(change).precondition(change, current);
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
      const warnings = (await clusterHandlerFor(change).write(change, { io: client, dryRun: true })).warnings ?? [];
      ctx.onEvent?.({ kind: 'api-dry-run', change, warnings });
      if (warnings.length)
        await journal.record({
          node: CLUSTER_NODE,
          phase: 'precondition-ok',
          changeId: change.id,
          target: change.target,
          detail: `dry run warnings: ${warnings.join(' | ')}`,
        });
    } catch (error) {
      if (error instanceof StalePlanError) throw error;
      refused.push(`${change.target}: ${(error as Error).message}`);
    }
  }
  if (refused.length > 0) {
    await journal.record({ node: CLUSTER_NODE, phase: 'failed', detail: `dry run refused: ${refused.join('; ')}` });
    const forbidden = refused.some((r) => r.includes('forbidden'));
    throw new ApplyError(
      `the API server refused ${refused.length} change(s) in the dry run, so no API object was changed:\n${refused.map((r) => `  ${r}`).join('\n')}`,
      ctx.runId,
      'nothing-changed',
      [
        forbidden
          ? 'Use a kubeconfig context that may make these changes, or leave them out (--skip the control, or apply --interactive).'
          : 'Fix what the API server names, then plan again.',
      ],
    );
  }

  // 3. Backups, then writes.
  for (const change of changes) {
    await journal.record({ node: CLUSTER_NODE, phase: 'backed-up', changeId: change.id, target: change.target, apiObject: found.get(change.id) ?? null });
  }
  const applied: { change: ApiObjectChange; item: ApiRestoreItem }[] = [];
  for (const change of changes) {
    const handler = clusterHandlerFor(change);
    const revert = handler.journalWrite(change, found.get(change.id), ctx.runId).revert!;
    await journal.record({ node: CLUSTER_NODE, phase: 'write-started', changeId: change.id, target: change.target, kind: handler.kind, revert });
    try {
      const warnings = (await handler.write(change, { io: client, dryRun: false })).warnings ?? [];
      const now = await getOrUndefined(client, change);
      const problem = handler.verify(change, now);
      if (problem) throw new Error(`verification after writing: ${problem}`);
      applied.push({ change, item: { target: change.target, revert, resourceVersion: now?.metadata.resourceVersion } });
      await journal.record({
        node: CLUSTER_NODE,
        phase: 'verified',
        changeId: change.id,
        target: change.target,
        ...(now?.metadata.resourceVersion ? { resourceVersion: now.metadata.resourceVersion } : {}),
      });
      ctx.onEvent?.({ kind: 'api-applied', change, warnings });
    } catch (error) {
      await journal.record({ node: CLUSTER_NODE, phase: 'failed', changeId: change.id, target: change.target, detail: (error as Error).message });
      await revertApplied(applied.reverse(), ctx, `${change.target}: ${(error as Error).message}`);
    }
  }
  return applied.map((a) => a.change);
}

async function revertApplied(applied: readonly { change: ApiObjectChange; item: ApiRestoreItem }[], ctx: ApiApplyContext, reason: string): Promise<never> {
  const result = await restoreApiItems(
    applied.map((a) => ({ ...a.item, changeId: a.change.id })),
    { client: ctx.client, journal: ctx.journal, unconditional: false },
  );
  ctx.onEvent?.({ kind: 'api-reverted', targets: result.restored.map((i) => i.target) });
  if (result.failures.length > 0) {
    throw new ApplyError(
      `an API change failed (${reason}) and reverting failed too:\n${result.lines.map((l) => `  ${l}`).join('\n')}`,
      ctx.runId,
      'restore-failed',
      [
        ...result.manualSteps,
        `The objects as cis-fix found them are in the journal of run ${ctx.runId} (steps 'backed-up'); or run 'cis-fix rollback ${ctx.runId}' once the API server accepts it.`,
      ],
    );
  }
  throw new ApplyError(
    `an API change failed (${reason}); the ${applied.length} API change(s) made before it were reverted and the run stopped`,
    ctx.runId,
    'rolled-back',
  );
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
