import { stateDir } from '../apply/journal.js';

/** Where journals, the audit log and baseline.json live ($CIS_FIX_STATE_DIR, default ~/.local/state/cis-fix). */
export function stateDirectory(): string {
  return stateDir();
}
