import { FileMode } from '../../model/file-mode.js';
import { planFileMetadata } from './file-metadata.js';
import type { NodeKindHandler } from './handler.js';
import { inScope, tightens, type NodeScope } from './invariant-scope.js';

/** `file-mode` (DESIGN.md §2): chmod that only ever clears bits (0644 -> 0600; 0400 stays 0400). */
export const fileModeHandler: NodeKindHandler<'file-mode'> = {
  kind: 'file-mode',
  scope: 'node',
  phase: 0,
  restarts: () => undefined,
  plan(input) {
    const planned = planFileMetadata(input);
    return { changes: planned.modeChanges, findings: planned.findings };
  },
  describe(change) {
    return { summary: `mode ${FileMode.parse(change.before.mode).display()} -> ${FileMode.parse(change.after.mode).display()}`, diff: change.diff };
  },
  invariants(change, scope: NodeScope) {
    const out: string[] = [];
    if (!change.precondition.exists) out.push('precondition.exists: a mode is only ever changed on a file that exists');
    else if (!tightens(change.precondition.mode, change.after.mode)) {
      out.push(`after.mode: ${change.after.mode} adds permission bits to ${change.precondition.mode}; modes only ever tighten`);
    }
    if (change.before.mode !== change.precondition.mode)
      out.push(`before.mode: ${change.before.mode} is not the precondition's mode ${change.precondition.mode}`);
    if (!inScope(scope, change.target)) out.push(`target: ${change.target} is not a path the benchmark's variables resolve to on ${change.node}`);
    return out;
  },
};
