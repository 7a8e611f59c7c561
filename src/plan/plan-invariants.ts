import { resolveAllVariables } from '../evaluate/resolve-variables.js';
import type { NodeFacts } from '../facts/types.js';
import type { ApiObjectChange } from '../model/api-object-change.js';
import type { Change, NodeChange } from '../model/change.js';
import { UserError } from '../model/errors.js';
import { FileMode } from '../model/file-mode.js';
import type { Benchmark, ParameterValue } from '../playbook/types.js';
import { isParamRef } from '../playbook/types.js';
import { DEFAULT_DENY_NAME } from './kinds/api-object/default-deny-policy.js';

/**
 * The invariants apply enforces on every change itself, independently of
 * the re-derivation (DESIGN.md §7.3): even a change that somehow matched a
 * re-derived plan is refused when it
 * - adds a permission bit to a file (modes only tighten relative to the
 *   precondition; a created file is at most 0600);
 * - gives a file an owner that neither the playbook nor the inventory's
 *   parameters name;
 * - targets a path the benchmark's variables do not resolve to on that node
 *   (or, for a created file, a path no parameter names), or writes anything
 *   but a manifest into a static-pod manifest directory;
 * - touches an API object the playbooks do not name.
 * Pure: facts in, violations out.
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

export interface InvariantContext {
  readonly benchmark: Benchmark;
  /** Every node the changes name. */
  readonly nodes: ReadonlyMap<string, InvariantNode>;
}

/** A created file's mode: read and write for its (root) owner, nothing for anyone else. */
const MAX_CREATED_MODE = FileMode.of(0o600);

/** One line per violation: "change <id>: <field>: <why>". */
export function planInvariantViolations(changes: readonly Change[], ctx: InvariantContext): string[] {
  const out: string[] = [];
  const nodeScope = new Map<string, NodeScope>();
  for (const change of changes) {
    if (change.kind === 'api-object') {
      const why = apiObjectViolation(change, ctx.benchmark);
      if (why) out.push(`change ${change.id}: ${why}`);
      continue;
    }
    const node = ctx.nodes.get(change.node);
    if (!node) {
      out.push(`change ${change.id}: node: ${change.node} is not a node of this plan`);
      continue;
    }
    let scope = nodeScope.get(change.node);
    if (!scope) nodeScope.set(change.node, (scope = scopeOf(ctx.benchmark, node)));
    for (const why of nodeChangeViolations(change, scope)) out.push(`change ${change.id}: ${why}`);
  }
  return out;
}

/** Throws a UserError listing every violation (exit 1, before any lock). */
export function assertPlanInvariants(changes: readonly Change[], ctx: InvariantContext): void {
  const violations = planInvariantViolations(changes, ctx);
  if (violations.length === 0) return;
  throw new UserError(
    'the plan breaks the rules every cis-fix change keeps, so nothing was applied',
    violations.map((message) => ({ location: undefined, message, fix: undefined })),
    ["Make a new plan ('cis-fix plan -o FILE'), review it, and apply that."],
  );
}

/** What a node's changes may touch, from the benchmark's variables resolved on it and its parameters. */
interface NodeScope {
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

function scopeOf(benchmark: Benchmark, node: InvariantNode): NodeScope {
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
      if (step.kind === 'support-file') {
        const template = valued(step.path);
        if (template) for (const path of expand(template, variables)) supportFiles.add(path);
      }
    }
  }
  return { pathsKnown: node.facts !== undefined, paths, directories, manifestDirs: new Set([...manifests].map(dirname)), manifests, supportFiles, owners, chosenOwners };
}

/** A path template's `{variable}`s replaced by every value they resolve to. */
function expand(template: string, variables: Readonly<Record<string, readonly string[]>>): string[] {
  const match = /\{([A-Za-z0-9]+)\}/.exec(template);
  if (!match) return [template];
  return (variables[match[1]!] ?? []).flatMap((value) => expand(template.replace(match[0], value), variables));
}

function nodeChangeViolations(change: NodeChange, scope: NodeScope): string[] {
  const out: string[] = [];
  const target = change.target;
  const inScope = !scope.pathsKnown || scope.paths.has(target) || scope.directories.some((dir) => target.startsWith(`${dir}/`));
  switch (change.kind) {
    case 'file-mode': {
      if (!change.precondition.exists) out.push('precondition.exists: a mode is only ever changed on a file that exists');
      else if (!tightens(change.precondition.mode, change.after.mode)) {
        out.push(`after.mode: ${change.after.mode} adds permission bits to ${change.precondition.mode}; modes only ever tighten`);
      }
      if (change.before.mode !== change.precondition.mode) out.push(`before.mode: ${change.before.mode} is not the precondition's mode ${change.precondition.mode}`);
      if (!inScope) out.push(`target: ${target} is not a path the benchmark's variables resolve to on ${change.node}`);
      break;
    }
    case 'file-owner': {
      for (const [field, name] of [
        ['after.user', change.after.user],
        ['after.group', change.after.group],
      ] as const) {
        if (!scope.owners.has(name)) out.push(`${field}: ${name} is an owner neither the playbook nor the inventory's parameters name`);
      }
      if (change.after.createAccount && !(scope.chosenOwners.has(change.after.user) && scope.chosenOwners.has(change.after.group))) {
        out.push(`after.createAccount: only an owner chosen through a parameter is ever created, not ${change.after.user}:${change.after.group}`);
      }
      if (!inScope) out.push(`target: ${target} is not a path the benchmark's variables resolve to on ${change.node}`);
      break;
    }
    case 'static-pod-manifest':
      if (scope.pathsKnown && !scope.manifests.has(target)) out.push(`target: ${target} is not a static-pod manifest the benchmark's variables resolve to on ${change.node}`);
      break;
    case 'kubelet-file':
      if (scope.pathsKnown && !scope.paths.has(target)) out.push(`target: ${target} is not a kubelet file the benchmark's variables resolve to on ${change.node}`);
      if (scope.manifestDirs.has(dirname(target))) out.push(`target: nothing but a manifest is ever written into ${dirname(target)}`);
      break;
    case 'support-file': {
      if (scope.pathsKnown && !scope.supportFiles.has(target)) out.push(`target: ${target} is not a file the playbooks (or the inventory's parameters) name for ${change.node}`);
      if (scope.manifestDirs.has(dirname(target))) out.push(`target: nothing but a manifest is ever written into ${dirname(target)}`);
      if (change.precondition.exists) out.push('precondition.exists: a support file is only ever created, never overwritten');
      if (!tightens(MAX_CREATED_MODE.toString(), change.after.mode)) out.push(`after.mode: ${change.after.mode} gives more than 0600 to a created file`);
      break;
    }
    default: {
      const never: never = change;
      out.push(`kind: ${(never as { kind: string }).kind} is not a kind cis-fix makes`);
    }
  }
  return out;
}

/** Whether `after` has no permission bit that `before` lacks (setuid, setgid and sticky included). */
export function tightens(before: string, after: string): boolean {
  const b = FileMode.tryParse(before);
  const a = FileMode.tryParse(after);
  return a !== undefined && b !== undefined && a.isAtMost(b);
}

/**
 * API objects the playbooks name: the kinds (and names) of their api-object
 * steps, kube-proxy's ConfigMap and DaemonSet for kube-proxy settings, the
 * bindings 5.1.1 reviews and the default-deny NetworkPolicy of 5.3.2.
 * Nothing is ever deleted.
 */
function apiObjectViolation(change: ApiObjectChange, benchmark: Benchmark): string | undefined {
  const { object } = change;
  if (change.action === 'delete') return 'action: cis-fix never deletes API objects';
  const allowed: { kind: string; apiVersion: string; names?: readonly string[]; namespace?: string; actions: readonly string[] }[] = [];
  for (const control of benchmark.controls) {
    if (control.id === '5.1.1') {
      allowed.push({ kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', actions: ['patch'] });
      allowed.push({ kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', actions: ['patch'] });
    }
    if (control.id === '5.3.2') allowed.push({ kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', names: [DEFAULT_DENY_NAME], actions: ['create'] });
    if (control.fix !== 'ensure') continue;
    for (const step of control.ensure) {
      if (step.kind === 'api-object') {
        allowed.push({ kind: step.objectKind, apiVersion: step.apiVersion, ...(step.selector.names ? { names: step.selector.names } : {}), actions: ['patch'] });
      }
      if (step.kind === 'kube-proxy-setting') {
        allowed.push({ kind: 'ConfigMap', apiVersion: 'v1', names: ['kube-proxy'], namespace: 'kube-system', actions: ['patch'] });
        allowed.push({ kind: 'DaemonSet', apiVersion: 'apps/v1', names: ['kube-proxy'], namespace: 'kube-system', actions: ['patch'] });
      }
    }
  }
  const fits = allowed.some(
    (a) =>
      a.kind === object.kind &&
      a.apiVersion === object.apiVersion &&
      (a.names === undefined || a.names.includes(object.name)) &&
      (a.namespace === undefined || a.namespace === object.namespace) &&
      a.actions.includes(change.action),
  );
  if (!fits) return `object: ${change.action} of ${object.apiVersion} ${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name} is not an object the playbooks name`;
  return undefined;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
