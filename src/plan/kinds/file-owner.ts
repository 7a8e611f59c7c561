import { planFileMetadata } from './file-metadata.js';
import type { NodeKindHandler } from './handler.js';
import { inScope, type NodeScope } from './invariant-scope.js';

/**
 * `file-owner` (DESIGN.md §2): chown to the owner the control demands; a
 * missing account is a decision for the user, created only when the owner
 * was chosen through a parameter.
 */
export const fileOwnerHandler: NodeKindHandler<'file-owner'> = {
  kind: 'file-owner',
  scope: 'node',
  phase: 0,
  restarts: () => undefined,
  plan(input) {
    const planned = planFileMetadata(input);
    return { changes: planned.ownerChanges, findings: planned.findings };
  },
  describe(change) {
    const account = change.after.createAccount ? ` (creates ${change.after.user}:${change.after.group})` : '';
    return { summary: `owner ${change.before.user}:${change.before.group} -> ${change.after.user}:${change.after.group}${account}`, diff: change.diff };
  },
  invariants(change, scope: NodeScope) {
    const out: string[] = [];
    for (const [field, name] of [
      ['after.user', change.after.user],
      ['after.group', change.after.group],
    ] as const) {
      if (!scope.owners.has(name)) out.push(`${field}: ${name} is an owner neither the playbook nor the inventory's parameters name`);
    }
    if (change.after.createAccount && !(scope.chosenOwners.has(change.after.user) && scope.chosenOwners.has(change.after.group))) {
      out.push(`after.createAccount: only an owner chosen through a parameter is ever created, not ${change.after.user}:${change.after.group}`);
    }
    if (!inScope(scope, change.target)) out.push(`target: ${change.target} is not a path the benchmark's variables resolve to on ${change.node}`);
    return out;
  },
};
