import { resolveAllVariables } from '../../evaluate/resolve-variables.js';
import type { NodeFacts } from '../../facts/types.js';
import { FileMode } from '../../model/file-mode.js';
import type { Benchmark, ParameterValue } from '../../playbook/types.js';
import { isParamRef } from '../../playbook/types.js';

/**
 * What the node kinds' invariants (handler.ts `invariants`) judge a change
 * against: what a node's changes may touch, from the benchmark's variables
 * resolved on the node's facts and its parameters. Pure.
 */

export interface InvariantNode {
  /**
   * Fresh facts of the node; undefined for a plan made moments ago in the
   * same process from facts just gathered (then the path checks, which
   * need the variables resolved on the node, are those of the planner).
   */
  readonly facts: NodeFacts | undefined;
  /** The node's parameters as the inventory resolves them for the benchmark. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
}

/** A created file's mode: read and write for its (root) owner, nothing for anyone else. */
export const MAX_CREATED_MODE = FileMode.of(0o600);

/** What a node's changes may touch, from the benchmark's variables resolved on it and its parameters. */
export interface NodeScope {
  /** False without facts: the path checks are skipped. */
  readonly pathsKnown: boolean;
  /** Every path a variable resolves to. */
  readonly paths: ReadonlySet<string>;
  /** Directories variables of type directory resolve to: what lies below them is theirs too. */
  readonly directories: readonly string[];
  /** Directories of the static-pod manifests: only a manifest is ever written there. */
  readonly manifestDirs: ReadonlySet<string>;
  readonly manifests: ReadonlySet<string>;
  /** Files a support-file step may create here (their paths are parameters or templates). */
  readonly supportFiles: ReadonlySet<string>;
  readonly owners: ReadonlySet<string>;
  /** Owners chosen through a parameter: only those accounts may be created. */
  readonly chosenOwners: ReadonlySet<string>;
}

export function nodeScopeOf(benchmark: Benchmark, node: InvariantNode): NodeScope {
  const variables = node.facts ? resolveAllVariables(benchmark, node.facts) : {};
  const paths = new Set(Object.values(variables).flat());
  const directories = Object.values(benchmark.variables)
    .filter((v) => v.type === 'directory')
    .flatMap((v) => variables[v.name] ?? []);
  const manifests = new Set(
    Object.keys(variables)
      .filter((name) => name.endsWith('Manifest'))
      .flatMap((name) => variables[name] ?? []),
  );
  const owners = new Set<string>();
  const chosenOwners = new Set<string>();
  const supportFiles = new Set<string>();
  const valued = (value: unknown): string | undefined => {
    if (isParamRef(value)) {
      const chosen = node.parameters[value.param];
      return typeof chosen === 'string' ? chosen : undefined;
    }
    return typeof value === 'string' ? value : undefined;
  };
  for (const control of benchmark.controls) {
    if (control.fix !== 'ensure') continue;
    for (const step of control.ensure) {
      if (step.kind === 'file-owner') {
        for (const name of [valued(step.owner), valued(step.group)]) if (name) owners.add(name);
        if (isParamRef(step.owner) || isParamRef(step.group)) for (const name of [valued(step.owner), valued(step.group)]) if (name) chosenOwners.add(name);
      }
      // A file step may name its path literally (rke2-cis-1.8's /var/lib/rancher/rke2/... files) rather than through a variable.
      if ((step.kind === 'file-mode' || step.kind === 'file-owner') && !/[*?]/.test(step.path))
        for (const path of expand(step.path, variables)) paths.add(path);
      if (step.kind === 'support-file') {
        const template = valued(step.path);
        if (template) for (const path of expand(template, variables)) supportFiles.add(path);
      }
    }
  }
  return {
    pathsKnown: node.facts !== undefined,
    paths,
    directories,
    manifestDirs: new Set([...manifests].map(dirname)),
    manifests,
    supportFiles,
    owners,
    chosenOwners,
  };
}

/** A path template's `{variable}`s replaced by every value they resolve to. */
function expand(template: string, variables: Readonly<Record<string, readonly string[]>>): string[] {
  const match = /\{([A-Za-z0-9]+)\}/.exec(template);
  if (!match) return [template];
  return (variables[match[1]!] ?? []).flatMap((value) => expand(template.replace(match[0], value), variables));
}

/** Whether `target` is a path the benchmark's variables resolve to on the node (or lies below a directory one does). */
export function inScope(scope: NodeScope, target: string): boolean {
  return !scope.pathsKnown || scope.paths.has(target) || scope.directories.some((dir) => target.startsWith(`${dir}/`));
}

/** Whether `after` has no permission bit that `before` lacks (setuid, setgid and sticky included). */
export function tightens(before: string, after: string): boolean {
  const b = FileMode.tryParse(before);
  const a = FileMode.tryParse(after);
  return a !== undefined && b !== undefined && a.isAtMost(b);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
