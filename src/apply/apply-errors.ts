import { CisFixError } from '../model/errors.js';

/**
 * A run that started changing nodes and stopped. `exitCode` 3: what failed
 * was restored cleanly; 4: something could not be restored and `manualSteps`
 * say exactly what to do by hand. Nothing here is ever a secret.
 */
export class ApplyError extends CisFixError {
  readonly exitCode: 1 | 3 | 4;
  constructor(
    message: string,
    readonly runId: string,
    readonly outcome: 'nothing-changed' | 'rolled-back' | 'restore-failed',
    readonly manualSteps: readonly string[] = [],
  ) {
    super(message, manualSteps.length ? manualSteps : [`The journal of this run is 'cis-fix runs' → ${runId}.`]);
    this.exitCode = outcome === 'nothing-changed' ? 1 : outcome === 'rolled-back' ? 3 : 4;
  }
}
