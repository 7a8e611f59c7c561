/**
 * Building a cluster-scoped finding (node: undefined) from what an
 * evaluator found. The evaluators only say which objects fail and which are
 * reported but exempt; the wording and the invariants of Finding live here.
 */
import type { Finding } from '../../model/finding.js';
import type { Control } from '../../playbook/types.js';

/** What one evaluator found for one control. */
export interface ClusterVerdict {
  /** The control's requirement, in words. */
  readonly expected: string;
  /** Each failing object, exactly named: `web/priv-pod: privileged (container app)`. */
  readonly failing: readonly string[];
  /** Objects reported but not counted, each with why (system namespaces, built-in roles). */
  readonly exempt: readonly string[];
  /** What was looked at when nothing fails (`12 namespaces`). */
  readonly checked: string;
}

/** Separates the failing objects from those reported but not counted in `actual`. */
const EXEMPT_SEPARATOR = '; not counted: ';

/** The failing objects of a cluster finding's `actual`, without the ones reported but not counted. */
export function failingPart(actual: string): string {
  const at = actual.indexOf(EXEMPT_SEPARATOR);
  return at < 0 ? actual : actual.slice(0, at);
}

/**
 * A finding from a verdict. Every section 5 control is a "Manual"
 * assessment in CIS, so none is fixable here: the api-object planner sets
 * `fixable` for the controls its changes fix.
 */
export function clusterFinding(control: Control, verdict: ClusterVerdict): Finding {
  const base = { controlId: control.id, node: undefined, title: control.title, kubeBench: undefined, expected: verdict.expected };
  const exempt = verdict.exempt.length ? `${EXEMPT_SEPARATOR}${verdict.exempt.join('; ')}` : '';
  if (verdict.failing.length === 0) return { ...base, status: 'pass', actual: `${verdict.checked} compliant${exempt}`, fixable: false };
  return {
    ...base,
    status: 'fail',
    actual: `${verdict.failing.join('; ')}${exempt}`,
    fixable: false,
    notFixableReason: control.fix === 'manual' ? control.manual.reason : 'no change is planned for it',
  };
}

/** A control whose facts could not be read (403 on a list): not evaluated, and says which resource. */
export function unreadableFinding(control: Control, missing: string): Finding {
  return {
    controlId: control.id,
    node: undefined,
    title: control.title,
    kubeBench: undefined,
    status: 'error',
    expected: control.fix === 'manual' ? control.manual.guidance : control.title,
    actual: `not evaluated: ${missing}`,
    fixable: false,
    notFixableReason: `cis-fix could not read ${missing}; give the kubeconfig's identity list access to it`,
  };
}
