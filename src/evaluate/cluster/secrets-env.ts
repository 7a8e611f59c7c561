/** 5.4.1: Secrets used as environment variables (the Secret itself is never read; only the pod's reference). Pure. */
import type { PodFacts } from '../../facts/cluster/types.js';
import type { ClusterVerdict } from './cluster-finding.js';
import { namespaceInScope, type ClusterContext } from './cluster-context.js';

export function evaluateSecretsInEnv(pods: readonly PodFacts[], ctx: ClusterContext): ClusterVerdict {
  const failing: string[] = [];
  const exempt: string[] = [];
  for (const pod of pods) {
    for (const c of pod.containers) {
      for (const ref of c.secretEnv) {
        const what = `${pod.namespace}/${pod.name}: container ${c.name} ${ref.via} from Secret ${ref.secret}`;
        if (namespaceInScope(pod.namespace, ctx.parameters)) failing.push(what);
        else exempt.push(`${what} (system namespace)`);
      }
    }
  }
  return { expected: 'Secrets mounted as files, not passed as environment variables', failing, exempt, checked: `${pods.length} pod(s)` };
}
