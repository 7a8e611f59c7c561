/**
 * The verdict on one control for one node (or for the cluster), as the plan
 * reports it (DESIGN.md §1). Produced by src/evaluate, pure.
 */
export type FindingStatus = 'pass' | 'fail' | 'manual' | 'waived' | 'not-applicable' | 'provider-managed' | 'error';

/**
 * An inventory waiver that decided a finding (DESIGN.md §7): status 'waived'
 * while it holds; once expired the control is a failure again ('fail') and the
 * finding still carries the waiver, with `expired` true, so every output can
 * call it out.
 */
export interface FindingWaiver {
  /** The inventory's `control:` (an id or a glob). */
  readonly control: string;
  readonly reason: string;
  readonly owner: string;
  /** YYYY-MM-DD, the last day the waiver holds. */
  readonly expires: string;
  /** Whole days from the plan's date to `expires` (negative once expired). */
  readonly daysLeft: number;
  readonly expired: boolean;
  /** Within 14 days of expiry (and not yet expired). */
  readonly expiresSoon: boolean;
}

/** What kube-bench itself would report for the same control on the same facts. */
export type KubeBenchVerdict = 'PASS' | 'FAIL' | 'WARN' | 'INFO';

export interface Finding {
  readonly controlId: string;
  /** Inventory node name; `undefined` for cluster-scoped controls. */
  readonly node: string | undefined;
  readonly status: FindingStatus;
  readonly title: string;
  /** Human-readable desired state, e.g. "mode 600 or stricter". */
  readonly expected: string;
  /** Human-readable observed state, e.g. "/etc/kubernetes/admin.conf mode 644". */
  readonly actual: string;
  /**
   * True when a change in the plan brings this control to pass. Invariant:
   * status 'fail' with fixable false always carries `notFixableReason`.
   */
  readonly fixable: boolean;
  readonly notFixableReason?: string;
  /** The inventory parameter whose value would make this fixable. */
  readonly decisionParameter?: string;
  /** kube-bench's verdict on the same facts; undefined where cis-fix does not reproduce that check yet. */
  readonly kubeBench: KubeBenchVerdict | undefined;
  /** True when this version of cis-fix does not evaluate the control's kind of check yet (reported as manual). */
  readonly notEvaluated?: true;
  /** The waiver that applies to this control on this node, if any (status 'waived', or 'fail' once it expired). */
  readonly waiver?: FindingWaiver;
  /** Set where cis-fix fails a control that kube-bench passes: says why. */
  readonly stricterThanKubeBench?: string;
}
