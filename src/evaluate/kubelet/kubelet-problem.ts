/**
 * Something that keeps cis-fix from knowing, with certainty, where a
 * kubelet setting comes from. Invariant: `blocking` problems make every
 * kubelet-setting fix on the node `not-fixable` (editing a source cis-fix
 * cannot see, or one the running kubelet does not reflect, would be a
 * guess); non-blocking ones are notes for the operator.
 */
export type KubeletProblemKind =
  /** No kubelet.service unit file was found. */
  | 'no-unit'
  /** A unit, drop-in or environment file exists but its text was not gathered (withheld, not UTF-8, too large). */
  | 'unreadable'
  /** The unit has no ExecStart= in effect. */
  | 'no-exec-start'
  /** More than one ExecStart= in effect: systemd refuses the unit unless Type=oneshot. */
  | 'multiple-exec-start'
  /** An `EnvironmentFile=` without `-` names a file that does not exist: systemd would not start the kubelet. */
  | 'missing-environment-file'
  /** The command line the unit gives now differs from the running kubelet's: changed without a restart. */
  | 'argv-mismatch'
  /** No kubelet process runs: values are what the unit would start it with. */
  | 'kubelet-not-running'
  /** The kubelet runs without --config: only flags and command-line defaults apply. */
  | 'no-config-file'
  /** The --config file is missing or its text was not gathered. */
  | 'config-unreadable'
  /** The --config file is not a YAML/JSON mapping. */
  | 'config-invalid'
  /** The kubelet merges --config-dir drop-ins over --config; cis-fix does not read them. */
  | 'config-dir'
  /** The flag is set somewhere the kubelet does not read it (an unused variable or environment file). */
  | 'dormant-flag'
  /** A word mixes a `${VAR}` with other text, or other syntax cis-fix does not edit. */
  | 'unsupported-syntax';

export interface KubeletProblem {
  readonly kind: KubeletProblemKind;
  readonly blocking: boolean;
  readonly message: string;
  /** The file the problem is in, when there is one. */
  readonly file?: string;
}

const NON_BLOCKING: ReadonlySet<KubeletProblemKind> = new Set(['kubelet-not-running', 'dormant-flag', 'no-config-file']);

export function kubeletProblem(kind: KubeletProblemKind, message: string, file?: string): KubeletProblem {
  return { kind, blocking: !NON_BLOCKING.has(kind), message, ...(file !== undefined ? { file } : {}) };
}
