import { normalizePath } from '../facts/index.js';
import type { NodeFacts, PathFacts, PresentPath } from '../facts/types.js';
import { formatMode, modeWithin, parseMode } from '../playbook/file-mode.js';
import { expandTemplate, globToRegExp, isGlob } from '../playbook/path-template.js';
import { isParamRef, type FileModeStep, type FileOwnerStep, type FileType, type Valued } from '../playbook/types.js';

/**
 * What one file step says about one node: which paths satisfy it, which
 * need a change (and which), and which cannot be fixed and why. Pure.
 */
export interface StepOutcome {
  readonly checked: readonly string[];
  readonly proposals: readonly FileProposal[];
  /** Paths that fail and that no change can fix, with the reason. */
  readonly blocked: readonly { readonly path: string; readonly reason: string; readonly parameter?: string }[];
  /** Human-readable observed state of the failing paths. */
  readonly observed: readonly string[];
}

/** A change one control wants on one path; build-plan merges them per path. */
export type FileProposal =
  | { readonly kind: 'file-mode'; readonly path: string; readonly current: PresentPath; readonly maxMode: number }
  | {
      readonly kind: 'file-owner';
      readonly path: string;
      readonly current: PresentPath;
      readonly user: string;
      readonly group: string;
      /** The user chose this owner through a parameter and it does not exist yet: create it as a system account. */
      readonly createAccount: boolean;
    };

/** Expand a step's path template over the resolved variables and, for globs, over the gathered paths. */
export function expandStepPaths(template: string, variables: Readonly<Record<string, readonly string[]>>, facts: NodeFacts, fileType: FileType): string[] {
  const paths: string[] = [];
  for (const expanded of expandTemplate(template, variables)) {
    if (!isGlob(expanded)) {
      paths.push(normalizePath(expanded));
      continue;
    }
    const pattern = globToRegExp(expanded);
    for (const [path, entry] of Object.entries(facts.paths)) {
      if (!entry.exists || !pattern.test(path)) continue;
      if (fileType === 'file' && entry.type !== 'file') continue;
      if (fileType === 'directory' && entry.type !== 'dir') continue;
      paths.push(path);
    }
  }
  return [...new Set(paths)].sort();
}

export function evaluateFileMode(step: FileModeStep, paths: readonly string[], facts: NodeFacts): StepOutcome {
  const maxMode = parseMode(step.maxMode);
  return evaluatePaths(paths, facts, step.optional, (entry) => {
    const mode = parseInt(entry.mode, 8);
    if (modeWithin(mode, maxMode)) return undefined;
    if (entry.type === 'symlink') {
      return { blocked: `${entry.path} is a symlink: its own mode is always 777 and kube-bench's stat reports the link; replace it with the file it points to` };
    }
    return { observed: `${entry.path} mode ${formatMode(mode)}`, proposal: { kind: 'file-mode', path: entry.path, current: entry, maxMode } };
  });
}

export function evaluateFileOwner(step: FileOwnerStep, paths: readonly string[], facts: NodeFacts, parameters: Readonly<Record<string, unknown>>): StepOutcome {
  const owner = valueOf(step.owner, parameters);
  const group = valueOf(step.group, parameters);
  return evaluatePaths(paths, facts, step.optional, (entry) => {
    if (owner.value !== undefined && group.value !== undefined && entry.user === owner.value && entry.group === group.value) return undefined;
    const observed = `${entry.path} owned by ${entry.user ?? entry.uid}:${entry.group ?? entry.gid}`;
    if (owner.value === undefined || group.value === undefined) {
      const parameter = owner.parameter ?? group.parameter;
      return { observed, blocked: `the owner is yours to choose: set parameter ${parameter} under parameters: in the inventory`, ...(parameter ? { parameter } : {}) };
    }
    const missingUser = !facts.users.some((u) => u.name === owner.value);
    const missingGroup = !facts.groups.some((g) => g.name === group.value);
    // Creating the account is allowed only when the user chose the owner through a parameter (the playbook's createMissingUser).
    if ((missingUser || missingGroup) && step.createMissingUser && owner.parameter !== undefined) {
      return { observed, proposal: { kind: 'file-owner', path: entry.path, current: entry, user: owner.value, group: group.value, createAccount: true } };
    }
    if (missingUser || missingGroup) {
      const what = [missingUser ? `user ${owner.value}` : '', missingGroup ? `group ${group.value}` : ''].filter(Boolean).join(' and ');
      const parameter = owner.parameter ?? group.parameter;
      return {
        observed,
        blocked: `${what} does not exist on this node; cis-fix never creates accounts silently: create ${missingUser ? `the system user ${owner.value}` : `the group ${group.value}`} yourself (e.g. useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${owner.value})${parameter ? `, or choose another owner with parameter ${parameter}` : ''}`,
        ...(parameter ? { parameter } : {}),
      };
    }
    return { observed, proposal: { kind: 'file-owner', path: entry.path, current: entry, user: owner.value, group: group.value, createAccount: false } };
  });
}

type PathVerdict = undefined | { observed?: string; blocked?: string; parameter?: string; proposal?: FileProposal };

function evaluatePaths(paths: readonly string[], facts: NodeFacts, optional: boolean, judge: (entry: PresentPath) => PathVerdict): StepOutcome {
  const proposals: FileProposal[] = [];
  const blocked: { path: string; reason: string; parameter?: string }[] = [];
  const observed: string[] = [];
  const checked: string[] = [];
  for (const path of paths) {
    const entry: PathFacts | undefined = facts.paths[path];
    if (!entry?.exists) {
      if (!optional) {
        blocked.push({ path, reason: `${path} does not exist on this node` });
        observed.push(`${path} missing`);
      }
      continue;
    }
    checked.push(path);
    const verdict = judge(entry);
    if (!verdict) continue;
    if (verdict.observed) observed.push(verdict.observed);
    if (verdict.proposal) proposals.push(verdict.proposal);
    if (verdict.blocked) blocked.push({ path, reason: verdict.blocked, ...(verdict.parameter ? { parameter: verdict.parameter } : {}) });
  }
  return { checked, proposals, blocked, observed };
}

function valueOf(value: Valued<string>, parameters: Readonly<Record<string, unknown>>): { value: string | undefined; parameter: string | undefined } {
  if (!isParamRef(value)) return { value, parameter: undefined };
  const resolved = parameters[value.param];
  return { value: typeof resolved === 'string' ? resolved : undefined, parameter: value.param };
}
