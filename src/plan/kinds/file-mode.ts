import { FileMode } from '../../model/file-mode.js';
import { planFileMetadata } from './file-metadata.js';
import type { NodeKindHandler } from './handler.js';

/** `file-mode` (DESIGN.md §2): chmod that only ever clears bits (0644 -> 0600; 0400 stays 0400). */
export const fileModeHandler: NodeKindHandler<'file-mode'> = {
  kind: 'file-mode',
  scope: 'node',
  phase: 0,
  plan(input) {
    const planned = planFileMetadata(input);
    return { changes: planned.modeChanges, findings: planned.findings };
  },
  describe(change) {
    return { summary: `mode ${FileMode.parse(change.before.mode).display()} -> ${FileMode.parse(change.after.mode).display()}`, diff: change.diff };
  },
};
