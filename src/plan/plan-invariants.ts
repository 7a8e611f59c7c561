import { isNodeChange, type Change } from '../model/change.js';
import { UserError } from '../model/errors.js';
import type { Benchmark } from '../playbook/types.js';
import { nodeScopeOf, type InvariantNode, type NodeScope } from './kinds/invariant-scope.js';
import { planKindHandler } from './kinds/registry.js';

export type { InvariantNode } from './kinds/invariant-scope.js';
export { tightens } from './kinds/invariant-scope.js';

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
 * Each kind states its own rules (its handler's `invariants`); this only
 * dispatches. Pure: facts in, violations out.
 */

export interface InvariantContext {
  readonly benchmark: Benchmark;
  /** Every node the changes name. */
  readonly nodes: ReadonlyMap<string, InvariantNode>;
}

/** One line per violation: "change <id>: <field>: <why>". */
export function planInvariantViolations(changes: readonly Change[], ctx: InvariantContext): string[] {
  const out: string[] = [];
  const nodeScope = new Map<string, NodeScope>();
  for (const change of changes) {
    const handler = planKindHandler(change.kind);
    if (handler === undefined) {
      out.push(`change ${change.id}: kind: ${String(change.kind)} is not a kind cis-fix makes`);
      continue;
    }
    if (!isNodeChange(change)) {
      if (handler.scope === 'cluster') for (const why of handler.invariants(change as never, ctx.benchmark)) out.push(`change ${change.id}: ${why}`);
      continue;
    }
    const node = ctx.nodes.get(change.node);
    if (!node) {
      out.push(`change ${change.id}: node: ${change.node} is not a node of this plan`);
      continue;
    }
    let scope = nodeScope.get(change.node);
    if (!scope) nodeScope.set(change.node, (scope = nodeScopeOf(ctx.benchmark, node)));
    if (handler.scope === 'node') for (const why of handler.invariants(change as never, scope)) out.push(`change ${change.id}: ${why}`);
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
