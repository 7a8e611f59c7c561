/**
 * What a failing finding says until planning decides (DESIGN.md §2: evaluation
 * judges, planning changes): every finding evaluation reports as `fail` is
 * `fixable: false` with this reason, and the plan replaces both for the
 * controls its changes fix, or says why it cannot.
 */
export const NO_CHANGE_PLANNED = 'no change is planned for it';
