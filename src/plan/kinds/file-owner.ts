import { planFileMetadata } from './file-metadata.js';
import type { NodeKindHandler } from './handler.js';

/**
 * `file-owner` (DESIGN.md §2): chown to the owner the control demands; a
 * missing account is a decision for the user, created only when the owner
 * was chosen through a parameter.
 */
export const fileOwnerHandler: NodeKindHandler<'file-owner'> = {
  kind: 'file-owner',
  scope: 'node',
  phase: 0,
  plan(input) {
    const planned = planFileMetadata(input);
    return { changes: planned.ownerChanges, findings: planned.findings };
  },
  describe(change) {
    const account = change.after.createAccount ? ` (creates ${change.after.user}:${change.after.group})` : '';
    return { summary: `owner ${change.before.user}:${change.before.group} -> ${change.after.user}:${change.after.group}${account}`, diff: change.diff };
  },
};
