import type { ApiObjectChange, JsonObject } from '../../model/api-object-change.js';
import type { ApiRevert } from '../../model/run-journal.js';
import { effectivePatch } from '../../plan/api-object/merge-patch.js';
import type { ClusterClient, KubeObject } from '../../transport/cluster-client.js';
import { quoteShellArg } from '../../transport/shell-quote.js';
import type { ClusterKindHandler } from './handler.js';

/**
 * A Kubernetes API object patched, created or deleted (DESIGN.md §2
 * `api-object`): resourceVersion precondition, server-side dry run first,
 * `fieldManager: cis-fix`; undone by the revert the journal records.
 */
export const apiObjectHandler: ClusterKindHandler<ApiObjectChange> = {
  kind: 'api-object',
  readsFrom: () => [],
  precondition: (change, now) => staleness(change, now),
  journalWrite: (change, found) => ({ revert: revertOf(change, found) }),
  write: async (change, { io, dryRun }) => ({ warnings: await write(io, change, dryRun) }),
  verify: (change, now) => verify(change, now),
  healthGate: () => undefined,
  restore: async (item, { io, unconditional }) => {
    await applyRevert(io, item.revert, unconditional ? undefined : item.resourceVersion);
    return 'reverted';
  },
  restoreGate: () => undefined,
  manualRestore: (item) => {
    const ref = item.revert.ref;
    const name = `${ref.kind.toLowerCase()}/${ref.name}${ref.namespace ? ` -n ${quoteShellArg(ref.namespace)}` : ''}`;
    switch (item.revert.action) {
      case 'delete':
        return [`kubectl delete ${name}   (the run created it)`];
      case 'patch':
        return [`kubectl patch ${name} --type merge -p ${quoteShellArg(JSON.stringify(item.revert.patch))}`];
      case 'create':
        return [`re-create ${describe(ref)} from the object the journal recorded at step 'backed-up' (kubectl create -f FILE)`];
      default: {
        const never: never = item.revert;
        return never;
      }
    }
  },
};

function describe(ref: ApiRevert['ref']): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
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
