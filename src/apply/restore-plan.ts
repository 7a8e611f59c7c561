import { CLUSTER_NODE, isApiBackedUp, isApiVerified, isApiWriteStarted } from '../model/run-journal.js';
import type { ApiRestoreItem, FileExpectation, FileOriginal, FileResult, FileWriteStartedStep, RestoreItem, RunJournal } from '../model/run-journal.js';
import { journalKindOf } from './kinds/registry.js';
import type { PathState } from './node-ops.js';
import { sameMode } from './precondition.js';

/**
 * What a run touched, read from its typed journal (pure): every file target
 * with a 'write-started' step (so an interrupted run is covered), newest
 * first, with its original from the 'backed-up' step and everything the
 * restore engine needs. Apply's own restore and `cis-fix rollback` both
 * start here.
 */
export function restorePlanFor(journal: RunJournal): RestoreItem[] {
  const originals = new Map<string, FileOriginal>();
  const results = new Map<string, FileResult>();
  const createdDirs = new Map<string, readonly string[]>();
  const writes = new Map<string, FileWriteStartedStep[]>();
  const started: string[] = [];
  for (const step of journal.steps) {
    if (step.node === CLUSTER_NODE) continue;
    switch (step.phase) {
      case 'backed-up':
        if (!isApiBackedUp(step)) originals.set(keyOf(step.node, step.target), step.original);
        break;
      case 'write-started': {
        if (isApiWriteStarted(step)) break;
        const key = keyOf(step.node, step.target);
        if (!writes.has(key)) started.push(key);
        writes.set(key, [...(writes.get(key) ?? []), step]);
        break;
      }
      case 'verified':
        if (isApiVerified(step)) break;
        results.set(keyOf(step.node, step.target), step.result);
        if (step.createdDirs) createdDirs.set(keyOf(step.node, step.target), step.createdDirs);
        break;
      default:
        break;
    }
  }
  return started.reverse().flatMap((key) => {
    const original = originals.get(key);
    if (!original) return [];
    const [node, target] = key.split('\0') as [string, string];
    const steps = writes.get(key)!;
    // The change whose restart the target carries decides how it is restored and gated; else the last one.
    const deciding = steps.find((s) => s.restart !== undefined) ?? steps[steps.length - 1]!;
    const restart = steps.find((s) => s.restart !== undefined);
    const dirs = createdDirs.get(key);
    // A step of today's format names its staging path when it has one (a chmod has none); an older step may have left the old writer's dot-file.
    const staging = [...new Set(steps.flatMap((s) => (s.staging !== undefined ? [s.staging] : s.kind === undefined ? [legacyStagingPath(target)] : [])))];
    const item: RestoreItem = {
      node,
      target,
      kind: journalKindOf(deciding, original),
      original,
      result: results.get(key),
      ...(steps.some((s) => s.expected !== undefined) ? { ownStates: ownStates(original, steps) } : {}),
      ...(restart ? { restart: restart.restart, ...(steps.some((s) => s.daemonReload) ? { daemonReload: true } : {}) } : {}),
      ...(restart?.argvBefore ? { argvBefore: restart.argvBefore } : {}),
      ...(restart?.service !== undefined ? { service: restart.service } : {}),
      ...(restart?.alsoGated ? { alsoGated: restart.alsoGated } : {}),
      ...(restart?.healthUrl !== undefined ? { healthUrl: restart.healthUrl } : {}),
      ...(restart?.healthTls ? { healthTls: restart.healthTls } : {}),
      ...(dirs ? { createdDirs: dirs } : {}),
      staging,
    };
    return [item];
  });
}

/**
 * The API side: every api-object change the run started and did not revert
 * itself, newest first, with how to undo it.
 */
export function apiRestorePlanFor(journal: RunJournal): ApiRestoreItem[] {
  const started = new Map<string, ApiRestoreItem>();
  for (const step of journal.steps) {
    if (step.node !== CLUSTER_NODE) continue;
    if (step.phase === 'write-started' && isApiWriteStarted(step))
      started.set(step.changeId, { target: step.target, revert: step.revert, resourceVersion: undefined });
    if (step.phase === 'verified' && isApiVerified(step)) {
      const item = started.get(step.changeId);
      if (item) started.set(step.changeId, { ...item, resourceVersion: step.resourceVersion });
    }
    // Reverted by the apply run itself (a later change failed).
    if (step.phase === 'restored' && step.changeId !== undefined) started.delete(step.changeId);
  }
  return [...started.values()].reverse();
}

function keyOf(node: string, target: string): string {
  return `${node}\0${target}`;
}

/** Where WRITE_FILE and CREATE_FILE staged content before staging paths were journaled (a dot-file beside the target). */
export function legacyStagingPath(target: string): string {
  const slash = target.lastIndexOf('/');
  return `${target.slice(0, slash + 1)}.${target.slice(slash + 1)}.cis-fix-new`;
}

/** Every state the run's own changes leave, in order: the original with each change's fields applied in turn. */
function ownStates(original: FileOriginal, steps: readonly FileWriteStartedStep[]): FileExpectation[] {
  let state: FileExpectation = original.absent
    ? {}
    : { mode: original.mode, user: original.user, group: original.group, ...(original.sha256 ? { sha256: original.sha256 } : {}) };
  return steps.flatMap((s) => {
    if (!s.expected) return [];
    state = { ...state, ...s.expected };
    return [state];
  });
}

export type RestoreVerdict = 'restore' | 'already-original' | 'changed-since';

/**
 * Pure: what to do with one target given what the node has now. The run's
 * own states — the original, what a write left ('verified'), or what a
 * change the run started promises (a run killed mid-write) — are restored
 * without --force; anything else changed after the run.
 */
export function judgeRestore(item: RestoreItem, now: PathState | undefined): RestoreVerdict {
  const legacyUnknown = item.result === undefined && item.ownStates === undefined;
  const own = (state: PathState) =>
    legacyUnknown || (item.result !== undefined && sameResult(state, item.result)) || (item.ownStates ?? []).some((e) => matches(state, e));
  if (item.original.absent) {
    if (!now?.exists) return 'already-original';
    return own(now) ? 'restore' : 'changed-since';
  }
  if (!now?.exists) return 'changed-since';
  if (sameResult(now, item.original)) return 'already-original';
  return own(now) ? 'restore' : 'changed-since';
}

function sameResult(now: PathState, want: FileResult): boolean {
  return now.exists && sameMode(now.mode, want.mode) && now.uid === want.uid && now.gid === want.gid && now.sha256 === want.sha256;
}

function matches(now: PathState, e: FileExpectation): boolean {
  return (
    now.exists &&
    (e.mode === undefined || sameMode(e.mode, now.mode)) &&
    (e.user === undefined || e.user === now.user) &&
    (e.group === undefined || e.group === now.group) &&
    (e.sha256 === undefined || e.sha256 === now.sha256)
  );
}
