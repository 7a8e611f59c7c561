import type { NodeChange as Change } from '../model/change.js';
import { assertNever, CisFixError, StalePlanError } from '../model/errors.js';
import type { Role } from '../model/roles.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { ApplyError } from './apply-errors.js';
import { settleAll } from './settle-all.js';
import type { JournalWriter } from './journal.js';
import { waitForHealthy } from './health-gate.js';
import { acquireNodeLock, backupPaths, changeMode, changeOwner, createFile, readCreatedFile, releaseNodeLock, removeCreated, restartKubelet, restorePath, statPaths, writeFileContent, type PathState } from './node-ops.js';
import type { Change as AnyChange, KubeletFileChange } from '../model/change.js';
import { describeStaleness, normalizeMode } from './precondition.js';

export type { ApplyEvent } from '../model/apply-event.js';
import type { ApplyEvent } from '../model/apply-event.js';

export interface ApplyContext {
  readonly runId: string;
  readonly holder: string;
  readonly journal: JournalWriter;
  /** An open connection for every node that has changes. */
  readonly transports: ReadonlyMap<string, NodeTransport>;
  readonly roles: ReadonlyMap<string, readonly Role[]>;
  /** Worker nodes changed at once; control-plane nodes always go one at a time. */
  readonly concurrency: number;
  /** How long a restarted component may take to run with its new arguments and answer its health check. */
  readonly healthTimeoutMs: number;
  readonly onEvent?: (event: ApplyEvent) => void;
  /** More of the run follows (the API objects): a success leaves the journal open for it. */
  readonly keepJournalOpen?: boolean;
}

export interface ApplyResult {
  readonly runId: string;
  readonly status: 'succeeded' | 'nothing-to-do';
  /** Node changes from applyPlan; the service adds the API objects it applied after them. */
  readonly applied: readonly AnyChange[];
}

/**
 * Apply a plan (DESIGN.md §2 apply protocol): lock every node, check every
 * precondition on every node (a stale plan changes nothing anywhere), back up
 * every target on every node (a failed backup changes nothing anywhere),
 * then change control-plane nodes one at a time and workers in batches,
 * verifying each write. A node whose write fails is restored from its
 * backups in reverse order and the run stops there.
 *
 * Always journals what it did; on failure throws StalePlanError (exit 1),
 * ApplyError 'nothing-changed' (1), 'rolled-back' (3) or 'restore-failed' (4).
 */
export async function applyPlan(changes: readonly Change[], ctx: ApplyContext): Promise<ApplyResult> {
  const { journal } = ctx;
  if (changes.length === 0) {
    if (!ctx.keepJournalOpen) await journal.finish('nothing-to-do');
    return { runId: ctx.runId, status: 'nothing-to-do', applied: [] };
  }
  const byNode = groupByNode(changes);
  const nodes = [...byNode.keys()];
  const locked: string[] = [];
  const unlockAll = async () => {
    ctx.onEvent?.({ kind: 'phase', phase: 'unlock' });
    await Promise.all(locked.map(async (node) => {
      await releaseNodeLock(transportOf(ctx, node), ctx.runId).catch(() => undefined);
      await journal.record({ node, phase: 'unlocked' });
    }));
  };

  try {
    // 1. Locks, all nodes, before anything else.
    ctx.onEvent?.({ kind: 'phase', phase: 'lock' });
    await settleAll(nodes.map(async (node) => {
      await acquireNodeLock(transportOf(ctx, node), ctx.holder);
      locked.push(node);
      await journal.record({ node, phase: 'locked' });
    }));

    // 2. Preconditions, all nodes.
    ctx.onEvent?.({ kind: 'phase', phase: 'precondition' });
    const current = new Map<string, Map<string, PathState>>();
    await settleAll(nodes.map(async (node) => {
      current.set(node, await statPaths(transportOf(ctx, node), uniqueTargets(byNode.get(node)!)));
    }));
    const stale = changes.flatMap((change) => {
      const why = describeStaleness(change, current.get(change.node)?.get(change.target));
      return why ? [`${change.node}:${change.target} (${why})`] : [];
    });
    if (stale.length > 0) {
      await journal.record({ node: '*', phase: 'failed', detail: `stale plan: ${stale.join('; ')}` });
      await journal.finish('stale');
      throw new StalePlanError([...new Set(stale)]);
    }
    for (const node of nodes) await journal.record({ node, phase: 'precondition-ok' });

    // 3. Backups, all nodes, before any write.
    ctx.onEvent?.({ kind: 'phase', phase: 'backup' });
    await settleAll(nodes.map(async (node) => {
      const targets = uniqueTargets(byNode.get(node)!);
      try {
        await backupPaths(transportOf(ctx, node), ctx.runId, targets);
      } catch (error) {
        throw new ApplyError(`${node}: backing up before any change failed, so nothing was changed on any node: ${(error as Error).message}`, ctx.runId, 'nothing-changed', [
          `Free space in /var/lib/cis-fix on ${node} (or make it writable), then run apply again.`,
        ]);
      }
      for (const target of targets) {
        const state = current.get(node)!.get(target)!;
        await journal.record({ node, phase: 'backed-up', target, original: originalOf(state) });
      }
    }));

    // 4. Writes: control-plane nodes strictly one at a time, then workers in batches.
    ctx.onEvent?.({ kind: 'phase', phase: 'write' });
    const applied: Change[] = [];
    const sharedFiles: SharedFiles = new Map();
    for (const batch of writeOrder(nodes, ctx.roles, ctx.concurrency)) {
      await settleAll(batch.map(async (node) => {
        applied.push(...(await writeNode(node, byNode.get(node)!, current.get(node)!, ctx, sharedFiles)));
      }));
    }
    await unlockAll();
    if (!ctx.keepJournalOpen) await journal.finish('succeeded');
    return { runId: ctx.runId, status: 'succeeded', applied };
  } catch (error) {
    await unlockAll();
    if (!(error instanceof StalePlanError)) {
      await journal.finish(error instanceof ApplyError && error.outcome === 'rolled-back' ? 'rolled-back' : 'failed');
    }
    if (error instanceof CisFixError) throw error;
    throw new ApplyError(`apply stopped: ${(error as Error).message}`, ctx.runId, 'nothing-changed');
  }
}

/** Support files whose secrets are cluster-wide: target → the node that generated them (control planes go one at a time, so it is done first). */
type SharedFiles = Map<string, string>;

async function writeNode(node: string, changes: readonly Change[], before: Map<string, PathState>, ctx: ApplyContext, sharedFiles: SharedFiles): Promise<Change[]> {
  const transport = transportOf(ctx, node);
  const done: Change[] = [];
  const touched: string[] = [];
  const kubeletChanges = changes.filter((c): c is KubeletFileChange => c.kind === 'kubelet-file');
  const createdDirs = new Map<string, readonly string[]>();
  for (const change of changes) {
    await ctx.journal.record({
      node,
      phase: 'write-started',
      changeId: change.id,
      target: change.target,
      // A kubelet that was not running at plan time is not restarted, so its rollback must not start it either.
      ...(change.kind === 'kubelet-file' ? (change.after.argv !== undefined ? { restart: 'kubelet', daemonReload: change.daemonReload } : {}) : change.restart !== 'none' ? { restart: change.restart } : {}),
    });
    if (!touched.includes(change.target)) touched.push(change.target);
    try {
      const written = await writeChange(transport, change, sharedFiles, ctx, node);
      if (written.createdDirs) createdDirs.set(change.target, written.createdDirs);
      const [after] = (await statPaths(transport, [change.target])).values();
      const problem = verifyChange(change, after);
      if (problem) throw new Error(`verification after writing: ${problem}`);
      await ctx.journal.record({
        node,
        phase: 'verified',
        changeId: change.id,
        target: change.target,
        result: resultOf(after!),
        ...(written.createdDirs ? { createdDirs: written.createdDirs } : {}),
      });
      done.push(change);
      ctx.onEvent?.({ kind: 'change-applied', change });
      if (change.kind === 'static-pod-manifest') {
        // Step 6: the kubelet restarts the pod; wait for the new arguments and a healthy endpoint.
        const health = await waitForHealthy(transport, change.restart, change.after.argv, ctx.healthTimeoutMs);
        await ctx.journal.record({ node, phase: health.ok ? 'healthy' : 'unhealthy', changeId: change.id, target: change.target, detail: health.ok ? `${change.restart} healthy after ${health.seconds}s` : health.last });
        ctx.onEvent?.({ kind: 'health', node, component: change.restart, ok: health.ok, seconds: health.seconds, ...(health.ok ? {} : { detail: health.last }) });
        if (!health.ok) throw new Error(`${change.restart} did not become healthy within ${Math.round(ctx.healthTimeoutMs / 1000)}s: ${health.last}`);
      }
      if (change.kind === 'kubelet-file' && change === kubeletChanges[kubeletChanges.length - 1]) {
        // Step 5: every kubelet file of this node is written; one restart for all of them.
        const health = await restartAndGateKubelet(transport, node, change, 'after', ctx);
        if (!health.ok) throw new Error(`the kubelet did not become healthy within ${Math.round(ctx.healthTimeoutMs / 1000)}s after its restart: ${health.last}`);
      }
    } catch (error) {
      await ctx.journal.record({ node, phase: 'failed', changeId: change.id, target: change.target, detail: (error as Error).message });
      await restoreNode(node, [...touched].reverse(), before, ctx, `${change.target}: ${(error as Error).message}`, changes, createdDirs);
    }
  }
  return done;
}

/** Restore what this run touched on one node, newest first, then stop the run. */
async function restoreNode(
  node: string,
  targets: readonly string[],
  before: Map<string, PathState>,
  ctx: ApplyContext,
  reason: string,
  changes: readonly Change[],
  createdDirs: ReadonlyMap<string, readonly string[]>,
): Promise<never> {
  const transport = transportOf(ctx, node);
  const failures: { target: string; message: string }[] = [];
  for (const target of targets) {
    const original = before.get(target)!;
    await ctx.journal.record({ node, phase: 'restore-started', target });
    try {
      // A file this run created (or began to create) is removed; anything else comes back from its backup.
      if (!original.exists) await removeCreated(transport, target, createdDirs.get(target) ?? []);
      else {
        const staticPodManifest = changes.some((c) => c.target === target && c.kind === 'static-pod-manifest');
        await restorePath(transport, ctx.runId, { path: target, mode: original.mode, uid: original.uid, gid: original.gid, sha256: original.sha256 }, { staticPodManifest });
      }
      await ctx.journal.record({ node, phase: 'restored', target });
    } catch (error) {
      failures.push({ target, message: (error as Error).message });
    }
  }
  ctx.onEvent?.({ kind: 'node-restored', node, targets });
  // Restored manifests restart their pods again: they must come back with the old arguments.
  if (failures.length === 0) {
    const kubelet = changes.find((c): c is KubeletFileChange => c.kind === 'kubelet-file' && targets.includes(c.target));
    if (kubelet) {
      const health = await restartAndGateKubelet(transportOf(ctx, node), node, kubelet, 'before', ctx).catch((error: Error) => ({ ok: false as const, seconds: 0, last: error.message }));
      if (!health.ok) {
        throw new ApplyError(`${node}: a change failed (${reason}); the kubelet's files were restored byte-identical but the kubelet did not come back healthy: ${health.last}`, ctx.runId, 'restore-failed', [
          `On ${node} as root: compare the kubelet's files with their backups under /var/lib/cis-fix/backups/${ctx.runId}/files/, run \`systemctl daemon-reload && systemctl restart kubelet\`, and check \`journalctl -u kubelet\`; the node lock stays until this run is rolled back.`,
        ]);
      }
    }
    for (const change of changes) {
      if (change.kind !== 'static-pod-manifest' || !targets.includes(change.target)) continue;
      const health = await waitForHealthy(transportOf(ctx, node), change.restart, change.before.argv, ctx.healthTimeoutMs);
      ctx.onEvent?.({ kind: 'health', node, component: change.restart, ok: health.ok, seconds: health.seconds, ...(health.ok ? {} : { detail: health.last }) });
      if (!health.ok) {
        throw new ApplyError(`${node}: a change failed (${reason}); ${change.target} was restored byte-identical but ${change.restart} did not come back healthy: ${health.last}`, ctx.runId, 'restore-failed', [
          `On ${node}: compare ${change.target} with /var/lib/cis-fix/backups/${ctx.runId}/files${change.target} (they should be identical), then check the kubelet's log and the ${change.restart} container; the node lock stays until this run is rolled back.`,
        ]);
      }
    }
  }
  if (failures.length > 0) {
    throw new ApplyError(`${node}: a change failed (${reason}) and restoring failed too`, ctx.runId, 'restore-failed', failures.map(({ target, message }) => {
      const o = before.get(target)!;
      return `On ${node} as root: cp /var/lib/cis-fix/backups/${ctx.runId}/files${target} ${target} (if it is a file); chown ${o.uid}:${o.gid} ${target}; chmod ${o.mode} ${target}   [${message}]`;
    }));
  }
  throw new ApplyError(`${node}: a change failed (${reason}); this node was restored (${targets.length} target(s)) and the run stopped; nodes not yet reached were not touched`, ctx.runId, 'rolled-back');
}

/**
 * daemon-reload (if any unit or drop-in of the node changed) and one kubelet
 * restart, then wait until it runs with the command line the plan predicted
 * (`after`) or had before (`before`, after a restore) and answers healthz.
 * A kubelet that was not running at plan time is not restarted.
 */
async function restartAndGateKubelet(transport: NodeTransport, node: string, change: KubeletFileChange, state: 'before' | 'after', ctx: ApplyContext) {
  const argv = state === 'after' ? change.after.argv : change.before.argv;
  if (argv === undefined) {
    await ctx.journal.record({ node, phase: 'healthy', changeId: change.id, target: change.target, detail: 'the kubelet was not running when the plan was made: not restarted' });
    return { ok: true as const, seconds: 0 };
  }
  await restartKubelet(transport, change.daemonReload);
  const health = await waitForHealthy(transport, 'kubelet', argv, ctx.healthTimeoutMs, state === 'after' ? { url: change.after.healthUrl } : {});
  await ctx.journal.record({ node, phase: health.ok ? 'healthy' : 'unhealthy', changeId: change.id, target: change.target, detail: health.ok ? `kubelet healthy after ${health.seconds}s` : health.last });
  ctx.onEvent?.({ kind: 'health', node, component: 'kubelet', ok: health.ok, seconds: health.seconds, ...(health.ok ? {} : { detail: health.last }) });
  return health;
}

async function writeChange(transport: NodeTransport, change: Change, sharedFiles: SharedFiles, ctx: ApplyContext, node: string): Promise<{ createdDirs?: readonly string[] }> {
  switch (change.kind) {
    case 'file-mode':
      await changeMode(transport, change.target, change.after.mode);
      return {};
    case 'file-owner':
      await changeOwner(transport, change.target, change.after.user, change.after.group, change.after.createAccount);
      return {};
    case 'static-pod-manifest':
    case 'kubelet-file':
      await writeFileContent(transport, change.target, change.after.content, change.after.sha256, { runId: ctx.runId, staticPodManifest: change.kind === 'static-pod-manifest' });
      return {};
    case 'support-file': {
      const shared = change.after.secrets.some((s) => s.scope === 'cluster');
      const source = change.after.copyFrom ?? (shared ? sharedFiles.get(change.target) : undefined);
      // Every kube-apiserver needs the same key: the next nodes get the first node's file, not a new key.
      const created = source
        ? await createFile(transport, change.target, change.after.mode, await readCreatedFile(transportOf(ctx, source), change.target), [], { runId: ctx.runId })
        : await createFile(transport, change.target, change.after.mode, change.after.content, change.after.secrets, { runId: ctx.runId });
      if (shared && !source) sharedFiles.set(change.target, node);
      return { createdDirs: created.createdDirs };
    }
    default:
      assertNever(change, 'change kind');
  }
}

/** Undefined when the node now shows what the change promised. */
export function verifyChange(change: Change, after: PathState | undefined): string | undefined {
  if (!after?.exists) return `${change.target} is missing`;
  switch (change.kind) {
    case 'file-mode':
      return normalizeMode(after.mode) === normalizeMode(change.after.mode) ? undefined : `mode is ${after.mode}, expected ${change.after.mode}`;
    case 'file-owner':
      return after.user === change.after.user && after.group === change.after.group ? undefined : `owner is ${after.user}:${after.group}, expected ${change.after.user}:${change.after.group}`;
    case 'static-pod-manifest':
    case 'kubelet-file':
      return after.sha256 === change.after.sha256 ? undefined : 'the content on the node is not what was written';
    case 'support-file':
      if (normalizeMode(after.mode) !== normalizeMode(change.after.mode) || after.uid !== 0) return `created with mode ${after.mode} and uid ${after.uid}, expected ${change.after.mode} and root`;
      // With generated secrets only the node knows the content.
      return change.after.sha256 === undefined || after.sha256 === change.after.sha256 ? undefined : 'the content on the node is not what was written';
    default:
      return assertNever(change, 'change kind');
  }
}

/** Control-plane (and etcd) nodes one per batch, in plan order; then workers `concurrency` at a time. */
export function writeOrder(nodes: readonly string[], roles: ReadonlyMap<string, readonly Role[]>, concurrency: number): string[][] {
  const isControlPlane = (n: string) => (roles.get(n) ?? []).some((r) => r === 'control-plane' || r === 'etcd');
  const batches: string[][] = nodes.filter(isControlPlane).map((n) => [n]);
  const workers = nodes.filter((n) => !isControlPlane(n));
  for (let i = 0; i < workers.length; i += concurrency) batches.push(workers.slice(i, i + concurrency));
  return batches;
}

function groupByNode(changes: readonly Change[]): Map<string, Change[]> {
  const map = new Map<string, Change[]>();
  for (const change of changes) map.set(change.node, [...(map.get(change.node) ?? []), change]);
  return map;
}

function uniqueTargets(changes: readonly Change[]): string[] {
  return [...new Set(changes.map((c) => c.target))];
}

function transportOf(ctx: ApplyContext, node: string): NodeTransport {
  const transport = ctx.transports.get(node);
  if (!transport) throw new ApplyError(`${node}: no connection`, ctx.runId, 'nothing-changed');
  return transport;
}

function originalOf(state: PathState) {
  return { mode: state.mode, uid: state.uid, gid: state.gid, sha256: state.sha256, user: state.user, group: state.group, ...(state.exists ? {} : { absent: true as const }) };
}

function resultOf(state: PathState) {
  return { mode: state.mode, uid: state.uid, gid: state.gid, sha256: state.sha256 };
}
