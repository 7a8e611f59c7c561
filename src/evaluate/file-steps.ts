import { normalizePath } from '../facts/index.js';
import type { NodeFacts, PathFacts, PresentPath } from '../facts/types.js';
import { FileMode } from '../model/file-mode.js';
import { expandTemplate, globToRegExp, isGlob } from '../playbook/path-template.js';
import { isParamRef, type FileModeStep, type FileOwnerStep, type FileType, type Valued } from '../playbook/types.js';

/**
 * What one file step says about one node: which paths satisfy it and which
 * fail it, with the failing paths' observed state in words. Pure; what a
 * change could do about a failing path is planning's business.
 */
export interface StepJudgement {
  /** Paths that exist and were looked at. */
  readonly checked: readonly string[];
  readonly failing: readonly FailingPath[];
  /** Human-readable observed state of the failing paths (a symlink's mode is not shown: it is always 777). */
  readonly observed: readonly string[];
}

/** A path that fails its step: `entry` undefined when it does not exist (and the step is not optional). */
export interface FailingPath {
  readonly path: string;
  readonly entry: PresentPath | undefined;
}

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

export function judgeFileMode(step: FileModeStep, paths: readonly string[], facts: NodeFacts): StepJudgement {
  const maxMode = FileMode.parse(step.maxMode);
  return judgePaths(paths, facts, step.optional, (entry) => {
    const mode = FileMode.parse(entry.mode);
    if (mode.isAtMost(maxMode)) return undefined;
    // A symlink's own mode is always 777 (kube-bench's stat reports the link): failing, but nothing to show.
    return { observed: entry.type === 'symlink' ? undefined : `${entry.path} mode ${mode.display()}` };
  });
}

export function judgeFileOwner(step: FileOwnerStep, paths: readonly string[], facts: NodeFacts, parameters: Readonly<Record<string, unknown>>): StepJudgement {
  const owner = valueOf(step.owner, parameters);
  const group = valueOf(step.group, parameters);
  return judgePaths(paths, facts, step.optional, (entry) => {
    // An owner still to be chosen (a parameter without a value) is never met.
    if (owner.value !== undefined && group.value !== undefined && entry.user === owner.value && entry.group === group.value) return undefined;
    return { observed: `${entry.path} owned by ${entry.user ?? entry.uid}:${entry.group ?? entry.gid}` };
  });
}

function judgePaths(
  paths: readonly string[],
  facts: NodeFacts,
  optional: boolean,
  judge: (entry: PresentPath) => undefined | { observed: string | undefined },
): StepJudgement {
  const failing: FailingPath[] = [];
  const observed: string[] = [];
  const checked: string[] = [];
  for (const path of paths) {
    const entry: PathFacts | undefined = facts.paths[path];
    if (!entry?.exists) {
      if (!optional) {
        failing.push({ path, entry: undefined });
        observed.push(`${path} missing`);
      }
      continue;
    }
    checked.push(path);
    const verdict = judge(entry);
    if (!verdict) continue;
    failing.push({ path, entry });
    if (verdict.observed) observed.push(verdict.observed);
  }
  return { checked, failing, observed };
}

/** A step's owner or group: its value (undefined while a parameter has none) and the parameter it comes from. */
export function valueOf(value: Valued<string>, parameters: Readonly<Record<string, unknown>>): { value: string | undefined; parameter: string | undefined } {
  if (!isParamRef(value)) return { value, parameter: undefined };
  const resolved = parameters[value.param];
  return { value: typeof resolved === 'string' ? resolved : undefined, parameter: value.param };
}
