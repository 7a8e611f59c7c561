import type { PresentPath } from '../facts/types.js';
import type { NodeChange as Change, FilePrecondition } from '../model/change.js';
import { BugError } from '../model/errors.js';
import type { ControlProposal } from '../evaluate/evaluate-node.js';
import { tightenMode } from '../playbook/file-mode.js';

/**
 * Turn the controls' proposals into the plan's changes: one `file-mode` and
 * at most one `file-owner` change per path, listing every control it
 * satisfies. Modes from several controls combine by clearing every bit any
 * of them forbids (current & mask1 & mask2…), so the result is the least
 * change that satisfies all, and never adds a bit. Pure.
 */
export function buildChanges(proposals: readonly ControlProposal[]): Change[] {
  const modes = new Map<string, { node: string; current: PresentPath; mask: number; controls: string[] }>();
  const owners = new Map<string, { node: string; current: PresentPath; user: string; group: string; createAccount: boolean; controls: string[] }>();
  // One file reached by two paths (/lib and /usr/lib on usr-merged systems) is one change.
  const aliases = new Map<string, Set<string>>();
  for (const { node, controlId, proposal } of proposals) {
    const key = `${node}\0${proposal.current.device}:${proposal.current.inode}`;
    aliases.set(key, (aliases.get(key) ?? new Set()).add(proposal.path));
    if (proposal.kind === 'file-mode') {
      const existing = modes.get(key);
      modes.set(key, existing ? { ...existing, mask: existing.mask & proposal.maxMode, controls: [...existing.controls, controlId] } : { node, current: proposal.current, mask: proposal.maxMode, controls: [controlId] });
    } else {
      const existing = owners.get(key);
      if (existing && (existing.user !== proposal.user || existing.group !== proposal.group)) {
        throw new BugError(`controls ${existing.controls.join(', ')} and ${controlId} want different owners for ${proposal.path} on ${node}`);
      }
      owners.set(
        key,
        existing
          ? { ...existing, createAccount: existing.createAccount || proposal.createAccount, controls: [...existing.controls, controlId] }
          : { node, current: proposal.current, user: proposal.user, group: proposal.group, createAccount: proposal.createAccount, controls: [controlId] },
      );
    }
  }
  const changes: Change[] = [];
  const alsoAt = (key: string, target: string) => {
    const others = [...(aliases.get(key) ?? [])].filter((p) => p !== target).sort();
    return others.length ? ` (same file as ${others.join(', ')})` : '';
  };
  for (const [key, { node, current, mask, controls }] of modes) {
    const before = current.mode;
    const after = tightenMode(parseInt(before, 8), mask).toString(8);
    changes.push({
      id: `${node}:file-mode:${current.path}`,
      node,
      controlIds: uniqueSorted(controls),
      kind: 'file-mode',
      target: current.path,
      action: 'update',
      precondition: preconditionOf(current),
      restart: 'none',
      diff: `mode ${pad(before)} -> ${pad(after)}${alsoAt(key, current.path)}`,
      before: { mode: before },
      after: { mode: after },
    });
  }
  for (const [key, { node, current, user, group, createAccount, controls }] of owners) {
    const beforeUser = current.user ?? String(current.uid);
    const beforeGroup = current.group ?? String(current.gid);
    changes.push({
      id: `${node}:file-owner:${current.path}`,
      node,
      controlIds: uniqueSorted(controls),
      kind: 'file-owner',
      target: current.path,
      action: 'update',
      precondition: preconditionOf(current),
      restart: 'none',
      diff: `owner ${beforeUser}:${beforeGroup} -> ${user}:${group}${alsoAt(key, current.path)}${createAccount ? ` (first creates the system account ${user}:${group}, as parameter-chosen)` : ''}`,
      before: { user: beforeUser, group: beforeGroup },
      after: { user, group, createAccount },
    });
  }
  // Stable order: node, then path, then owner before mode (chown can clear setuid bits; chmod last leaves the mode exact).
  const kindOrder = { 'file-owner': 0, 'file-mode': 1, 'support-file': 2, 'static-pod-manifest': 3, 'kubelet-file': 4 } as const;
  return changes.sort((a, b) => a.node.localeCompare(b.node) || a.target.localeCompare(b.target) || kindOrder[a.kind] - kindOrder[b.kind]);
}

function preconditionOf(current: PresentPath): FilePrecondition {
  return { exists: true, sha256: current.sha256 ?? undefined, mode: current.mode, uid: current.uid, gid: current.gid };
}

function pad(mode: string): string {
  return mode.padStart(4, '0');
}

/** Control ids in benchmark order (1.1.9 before 1.1.10). */
function uniqueSorted(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
