import { planNode } from '../../../../src/plan/assemble-plan.js';
import { selectControls } from '../../../../src/evaluate/select-controls.js';
import type { NodeContext } from '../../../../src/evaluate/node-context.js';
import type { Change, ChangeKind } from '../../../../src/model/change.js';
import type { Benchmark } from '../../../../src/playbook/types.js';

/** One node planned as makePlan plans it (evaluation, then every kind), for the controls `only` names. */
export function planControls(benchmark: Benchmark, only: readonly string[], ctx: NodeContext): ReturnType<typeof planNode> {
  return planNode(benchmark, selectControls(benchmark, { targets: [], only, skip: [] }), ctx);
}

/** The changes of one kind. */
export function changesOf<K extends ChangeKind>(changes: readonly Change[], kind: K): Extract<Change, { kind: K }>[] {
  return changes.filter((c): c is Extract<Change, { kind: K }> => c.kind === kind);
}
