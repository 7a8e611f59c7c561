/**
 * 5.6.4: nothing but the built-ins in `default`. cis-fix lists the pods
 * there (what runs) and the ServiceAccounts other than `default`; the
 * `kubernetes` Service is not read and belongs there. Pure.
 */
import type { PodFacts, ServiceAccountFacts } from '../../facts/cluster/types.js';
import type { ClusterVerdict } from './cluster-finding.js';

export function evaluateDefaultNamespace(pods: readonly PodFacts[], serviceAccounts: readonly ServiceAccountFacts[]): ClusterVerdict {
  const inDefault = pods.filter((p) => p.namespace === 'default');
  const accounts = serviceAccounts.filter((sa) => sa.namespace === 'default' && sa.name !== 'default');
  return {
    expected: 'no workloads in the default namespace',
    failing: [
      ...inDefault.map((p) => `default/${p.name}: pod${p.ownerKinds.length ? ` (owned by ${p.ownerKinds.join(', ')})` : ''}`),
      ...accounts.map((sa) => `default/${sa.name}: ServiceAccount`),
    ],
    exempt: [],
    checked: 'the default namespace',
  };
}
