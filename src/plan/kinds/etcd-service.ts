import { ETCD_DROP_IN_DIRS, ETCD_ENV_FILES, ETCD_UNIT_FILES } from '../../facts/candidate-paths.js';
import type { NodeKindHandler } from './handler.js';
import { planEtcdServiceControls } from './etcd-service-controls.js';
import { dirname, type NodeScope } from './invariant-scope.js';

/**
 * `etcd-service` (issue 13 §3, external etcd): a source of etcd run by
 * systemd rewritten — the unit or a drop-in (a flag on etcd's command line)
 * or an environment file (an ETCD_* variable) — then one `systemctl restart`
 * of etcd per node (daemon-reload first when a unit changed) and the health
 * gate. Routing and planning: etcd-service-controls.ts.
 */
export const etcdServiceHandler: NodeKindHandler<'etcd-service'> = {
  kind: 'etcd-service',
  scope: 'node',
  // After support files, before the manifests: etcd restarts before anything that talks to it (DESIGN.md §2: etcd, then kube-apiserver).
  phase: 1.5,
  restarts: (change) => ({ kind: 'service', name: change.restart, unit: change.unit }),
  plan: (input) => planEtcdServiceControls(input),
  describe(change) {
    const reload = change.daemonReload ? 'systemctl daemon-reload, ' : '';
    return { summary: `${change.edits.length} edit${change.edits.length === 1 ? '' : 's'}, ${reload}restarts ${change.unit}`, diff: change.diff };
  },
  invariants(change, scope: NodeScope) {
    const out: string[] = [];
    const dropIn = ETCD_DROP_IN_DIRS.includes(dirname(change.target)) && change.target.endsWith('.conf');
    const environmentFile = ETCD_ENV_FILES.includes(change.target) || (change.target.startsWith('/etc/') && !/\.(key|pem|crt)$/.test(change.target));
    if (!ETCD_UNIT_FILES.includes(change.target) && !dropIn && !environmentFile)
      out.push(`target: ${change.target} is not a unit, drop-in or environment file of etcd.service`);
    if (scope.manifestDirs.has(dirname(change.target))) out.push(`target: nothing but a manifest is ever written into ${dirname(change.target)}`);
    if (change.unit !== 'etcd.service') out.push(`unit: cis-fix restarts etcd.service only, not ${change.unit}`);
    return out;
  },
};
