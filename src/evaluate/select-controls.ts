import { UserError } from '../model/errors.js';
import type { Benchmark, Control, KubeBenchTarget } from '../playbook/types.js';

/** The user's narrowing of a run: kube-bench targets, and ids or globs to keep or drop. */
export interface ControlSelection {
  /** kube-bench targets; empty = all. `master` includes `controlplane` (both are the control plane). */
  readonly targets: readonly KubeBenchTarget[];
  /** Ids or globs (`4.1.*`, `1.2.1?`); empty = all. */
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

/** `4.1.*` matches 4.1.1 … 4.1.10; `1.1.1` matches only itself. */
export function idPattern(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/**
 * The controls a run looks at. An `--only`/`--skip` pattern that matches no
 * control is a typo, not a silent no-op.
 */
export function selectControls(benchmark: Benchmark, selection: ControlSelection): Control[] {
  const ids = benchmark.controls.map((c) => c.id);
  const unmatched = [...selection.only, ...selection.skip].filter((p) => !ids.some((id) => idPattern(p).test(id)));
  if (unmatched.length) {
    throw new UserError(
      `no control of ${benchmark.id} matches ${unmatched.map((p) => `"${p}"`).join(', ')}`,
      [],
      [`List the controls with 'cis-fix controls list --benchmark ${benchmark.id}'.`],
    );
  }
  const targets = new Set<KubeBenchTarget>(selection.targets);
  if (targets.has('master')) targets.add('controlplane');
  return benchmark.controls.filter((control) => {
    if (targets.size && !targets.has(control.kubeBench.target)) return false;
    if (selection.only.length && !selection.only.some((p) => idPattern(p).test(control.id))) return false;
    return !selection.skip.some((p) => idPattern(p).test(control.id));
  });
}
