import { controlFamily } from '../../evaluate/control-family.js';
import { judgeFileStep } from '../../evaluate/file-controls.js';
import { valueOf } from '../../evaluate/file-steps.js';
import { kubeBenchStatVerdict, type StatOverrides } from '../../evaluate/kube-bench/stat-audit.js';
import type { PresentPath } from '../../facts/types.js';
import type { FileModeChange, FileOwnerChange, FilePrecondition } from '../../model/change.js';
import { BugError } from '../../model/errors.js';
import { FileMode } from '../../model/file-mode.js';
import type { Finding } from '../../model/finding.js';
import type { EnsureControl, FileOwnerStep } from '../../playbook/types.js';
import { byControlId, type NodeKindInput } from './handler.js';

/**
 * The planning shared by the two file-metadata kinds, `file-mode` and
 * `file-owner` (DESIGN.md §2): each failing file control's failing paths
 * become proposals (or reasons no change can fix them), and a control is
 * offered as fixable only if kube-bench would pass it on the node after
 * every proposal of the node — of both kinds — is applied. Pure; computed
 * once per node input and shared by the two handlers.
 */

/** A change one control wants on one path; the kinds merge them per file. */
export type FileProposal =
  | { readonly kind: 'file-mode'; readonly path: string; readonly current: PresentPath; readonly maxMode: FileMode }
  | {
      readonly kind: 'file-owner';
      readonly path: string;
      readonly current: PresentPath;
      readonly user: string;
      readonly group: string;
      /** The user chose this owner through a parameter and it does not exist yet: create it as a system account. */
      readonly createAccount: boolean;
    };

export interface ControlProposal {
  readonly node: string;
  readonly controlId: string;
  readonly proposal: FileProposal;
}

export interface FileMetadataPlan {
  readonly findings: readonly Finding[];
  readonly modeChanges: readonly FileModeChange[];
  readonly ownerChanges: readonly FileOwnerChange[];
}

interface Blocked {
  readonly reason: string;
  readonly parameter?: string;
}

const planned = new WeakMap<NodeKindInput, FileMetadataPlan>();

export function planFileMetadata(input: NodeKindInput): FileMetadataPlan {
  const known = planned.get(input);
  if (known) return known;
  const { ctx, benchmark } = input;
  const byId = new Map(input.controls.map((c) => [c.id, c]));
  const drafts: { control: EnsureControl; finding: Finding; proposals: FileProposal[] }[] = [];
  for (const failing of input.failing) {
    const control = byId.get(failing.controlId);
    if (!control || control.fix !== 'ensure' || controlFamily(control) !== 'file' || failing.notEvaluated) continue;
    const proposals: FileProposal[] = [];
    const blocked: Blocked[] = [];
    for (const step of control.ensure) {
      for (const path of judgeFileStep(step, input.variables, ctx).failing) {
        if (!path.entry) {
          blocked.push({ reason: `${path.path} does not exist on this node` });
          continue;
        }
        const fix =
          step.kind === 'file-mode'
            ? modeFix(path.entry, FileMode.parse(step.maxMode))
            : step.kind === 'file-owner'
              ? ownerFix(step, path.entry, input)
              : undefined;
        if (fix === undefined) continue;
        if ('reason' in fix) blocked.push(fix);
        else proposals.push(fix);
      }
    }
    drafts.push({ control, proposals, finding: decided(failing, blocked) });
  }

  // kube-bench after this node's whole plan: every proposal applied at once.
  const overrides = simulate(drafts.flatMap((d) => d.proposals));
  const findings = drafts.map(({ control, finding }) => {
    if (!finding.fixable) return finding;
    const after = kubeBenchStatVerdict(control.kubeBench, benchmark, ctx.facts, overrides);
    if (after === undefined || after === 'PASS' || !control.kubeBench.scored) return finding;
    return {
      ...finding,
      fixable: false,
      notFixableReason: `after this plan kube-bench would still report ${after}: ${control.notes ?? 'its check looks at more than cis-fix can change here'}`,
    };
  });
  // Every proposal only tightens, so it is made even when the control cannot fully pass (e.g. the
  // kubelet's real config is tightened although kube-bench looks for a file that does not exist).
  const proposals = drafts.flatMap((d) => d.proposals.map((proposal) => ({ node: ctx.name, controlId: d.control.id, proposal })));
  const result = { findings, ...buildFileChanges(proposals) };
  planned.set(input, result);
  return result;
}

function modeFix(entry: PresentPath, maxMode: FileMode): FileProposal | Blocked {
  if (entry.type === 'symlink') {
    return { reason: `${entry.path} is a symlink: its own mode is always 777 and kube-bench's stat reports the link; replace it with the file it points to` };
  }
  return { kind: 'file-mode', path: entry.path, current: entry, maxMode };
}

function ownerFix(step: FileOwnerStep, entry: PresentPath, input: NodeKindInput): FileProposal | Blocked {
  const { facts, parameters } = input.ctx;
  const owner = valueOf(step.owner, parameters);
  const group = valueOf(step.group, parameters);
  if (owner.value === undefined || group.value === undefined) {
    const parameter = owner.parameter ?? group.parameter;
    return { reason: `the owner is yours to choose: set parameter ${parameter} under parameters: in the inventory`, ...(parameter ? { parameter } : {}) };
  }
  const missingUser = !facts.users.some((u) => u.name === owner.value);
  const missingGroup = !facts.groups.some((g) => g.name === group.value);
  // Creating the account is allowed only when the user chose the owner through a parameter (the playbook's createMissingUser).
  if ((missingUser || missingGroup) && step.createMissingUser && owner.parameter !== undefined) {
    return { kind: 'file-owner', path: entry.path, current: entry, user: owner.value, group: group.value, createAccount: true };
  }
  if (missingUser || missingGroup) {
    const what = [missingUser ? `user ${owner.value}` : '', missingGroup ? `group ${group.value}` : ''].filter(Boolean).join(' and ');
    const parameter = owner.parameter ?? group.parameter;
    return {
      reason: `${what} does not exist on this node; cis-fix never creates accounts silently: create ${missingUser ? `the system user ${owner.value}` : `the group ${group.value}`} yourself (e.g. useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${owner.value})${parameter ? `, or choose another owner with parameter ${parameter}` : ''}`,
      ...(parameter ? { parameter } : {}),
    };
  }
  return { kind: 'file-owner', path: entry.path, current: entry, user: owner.value, group: group.value, createAccount: false };
}

/** The evaluated finding with `fixable` decided: fixable unless some failing path cannot be changed. */
function decided(finding: Finding, blocked: readonly Blocked[]): Finding {
  const { fixable: _fixable, notFixableReason: _reason, decisionParameter: _parameter, stricterThanKubeBench: stricter, ...judged } = finding;
  const parameter = blocked.find((b) => b.parameter)?.parameter;
  return {
    ...judged,
    fixable: blocked.length === 0,
    ...(blocked.length ? { notFixableReason: [...new Set(blocked.map((b) => b.reason))].join('; ') } : {}),
    ...(parameter ? { decisionParameter: parameter } : {}),
    ...(stricter ? { stricterThanKubeBench: stricter } : {}),
  };
}

function simulate(proposals: readonly FileProposal[]): StatOverrides {
  const overrides = new Map<string, { mode?: string; user?: string; group?: string }>();
  for (const p of proposals) {
    const current = overrides.get(p.path) ?? {};
    if (p.kind === 'file-mode') {
      const mode = FileMode.parse(current.mode ?? p.current.mode).tightenedTo(p.maxMode);
      overrides.set(p.path, { ...current, mode: mode.toString() });
    } else {
      overrides.set(p.path, { ...current, user: p.user, group: p.group });
    }
  }
  return overrides;
}

/**
 * The proposals as changes: one `file-mode` and at most one `file-owner`
 * change per file, listing every control it satisfies, each kind in path
 * order. Modes from several controls combine by clearing every bit any of
 * them forbids (current & mask1 & mask2…), so the result is the least change
 * that satisfies all, and never adds a bit.
 */
export function buildFileChanges(proposals: readonly ControlProposal[]): { modeChanges: FileModeChange[]; ownerChanges: FileOwnerChange[] } {
  const modes = new Map<string, { node: string; current: PresentPath; mask: FileMode; controls: string[] }>();
  const owners = new Map<string, { node: string; current: PresentPath; user: string; group: string; createAccount: boolean; controls: string[] }>();
  // One file reached by two paths (/lib and /usr/lib on usr-merged systems) is one change.
  const aliases = new Map<string, Set<string>>();
  for (const { node, controlId, proposal } of proposals) {
    const key = `${node}\0${proposal.current.device}:${proposal.current.inode}`;
    aliases.set(key, (aliases.get(key) ?? new Set()).add(proposal.path));
    if (proposal.kind === 'file-mode') {
      const existing = modes.get(key);
      modes.set(
        key,
        existing
          ? { ...existing, mask: existing.mask.tightenedTo(proposal.maxMode), controls: [...existing.controls, controlId] }
          : { node, current: proposal.current, mask: proposal.maxMode, controls: [controlId] },
      );
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
  const alsoAt = (key: string, target: string) => {
    const others = [...(aliases.get(key) ?? [])].filter((p) => p !== target).sort();
    return others.length ? ` (same file as ${others.join(', ')})` : '';
  };
  const modeChanges: FileModeChange[] = [...modes].map(([key, { node, current, mask, controls }]) => {
    const before = FileMode.parse(current.mode);
    const after = before.tightenedTo(mask);
    return {
      id: `${node}:file-mode:${current.path}`,
      node,
      controlIds: uniqueSorted(controls),
      kind: 'file-mode',
      target: current.path,
      action: 'update',
      precondition: preconditionOf(current),
      restart: 'none',
      diff: `mode ${before.display()} -> ${after.display()}${alsoAt(key, current.path)}`,
      before: { mode: current.mode },
      after: { mode: after.toString() },
    };
  });
  const ownerChanges: FileOwnerChange[] = [...owners].map(([key, { node, current, user, group, createAccount, controls }]) => {
    const beforeUser = current.user ?? String(current.uid);
    const beforeGroup = current.group ?? String(current.gid);
    return {
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
    };
  });
  // Stable order: node, then path (the assembly interleaves the two kinds by path, owner before mode:
  // chown can clear setuid bits, so chmod last leaves the mode exact).
  const byTarget = (a: { node: string; target: string }, b: { node: string; target: string }) =>
    a.node.localeCompare(b.node) || a.target.localeCompare(b.target);
  return { modeChanges: modeChanges.sort(byTarget), ownerChanges: ownerChanges.sort(byTarget) };
}

function preconditionOf(current: PresentPath): FilePrecondition {
  return { exists: true, sha256: current.sha256 ?? undefined, mode: current.mode, uid: current.uid, gid: current.gid };
}

function uniqueSorted(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(byControlId);
}
