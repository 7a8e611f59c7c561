import type { Role } from './roles.js';

/** What went wrong on one node, printable and safe for --json. */
export interface NodeFailure {
  readonly name: string;
  readonly message: string;
  readonly hints: readonly string[];
}

/**
 * `cis-fix inventory check` for one node. Invariant: `ok` is true iff the
 * node was reached with a verified host key, privileged commands work, and
 * the roles detected from its running processes are the declared ones.
 */
export interface NodeCheck {
  readonly node: string;
  readonly host: string;
  readonly ok: boolean;
  readonly reachable: boolean;
  /** SHA256 fingerprint of the verified host key; undefined when not reached. */
  readonly hostKeyFingerprint: string | undefined;
  /** `ok` also when become is none and the user is root. */
  readonly sudo: 'ok' | 'refused' | 'not-checked';
  readonly declaredRoles: readonly Role[];
  readonly detectedRoles: readonly Role[];
  /** Evidence for the detected roles, one line each. */
  readonly roleEvidence: readonly string[];
  /** Human-readable mismatch, undefined when the roles agree. */
  readonly roleMismatch: string | undefined;
  readonly kubeletVersion: string | undefined;
  /** Host keys recorded because of --accept-new-host-keys. */
  readonly acceptedHostKeys: readonly string[];
  readonly error: NodeFailure | undefined;
}
