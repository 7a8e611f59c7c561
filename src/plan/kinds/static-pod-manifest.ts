import type { NodeKindHandler } from './handler.js';
import { planStaticPodControls } from './static-pod-controls.js';
import type { NodeScope } from './invariant-scope.js';

/**
 * `static-pod-manifest` (DESIGN.md §2, `static-pod-flag`): a manifest
 * rewritten with flag edits and the hostPath mounts they need; the kubelet
 * restarts the pod.
 */
export const staticPodManifestHandler: NodeKindHandler<'static-pod-manifest'> = {
  kind: 'static-pod-manifest',
  scope: 'node',
  phase: 2,
  restarts: (change) => ({ kind: 'static-pod', component: change.restart }),
  plan(input) {
    const planned = planStaticPodControls(input);
    return { changes: planned.manifests, findings: planned.findings };
  },
  describe(change) {
    const edited = changedFlags(change.before.argv, change.after.argv);
    const what = edited === 0 ? 'manifest edit' : `${edited} flag edit${edited === 1 ? '' : 's'}`;
    return { summary: `${what}, restarts ${change.restart}`, diff: change.diff };
  },
  invariants(change, scope: NodeScope) {
    return scope.pathsKnown && !scope.manifests.has(change.target)
      ? [`target: ${change.target} is not a static-pod manifest the benchmark's variables resolve to on ${change.node}`]
      : [];
  },
};

/** How many flags differ between two command lines (set, changed or removed). */
function changedFlags(before: readonly string[], after: readonly string[]): number {
  const flags = (argv: readonly string[]) => new Map(argv.filter((a) => a.startsWith('-')).map((a) => [a.split('=')[0]!, a]));
  const was = flags(before);
  const now = flags(after);
  const names = new Set([...was.keys(), ...now.keys()]);
  return [...names].filter((name) => was.get(name) !== now.get(name)).length;
}
