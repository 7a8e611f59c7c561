import type { NodeKindHandler } from './handler.js';
import { dirname, type NodeScope } from './invariant-scope.js';
import { planRancherConfig } from './rancher-config-plan.js';
import { RANCHER_DISTRIBUTIONS } from '../../facts/rancher-paths.js';

/**
 * `rancher-config` (DESIGN.md §7 "Distributions are layouts"): the `*-arg`
 * lists of an RKE2 or k3s config.yaml (or a config.yaml.d drop-in) edited in
 * place, then one restart of the distribution's service, which regenerates
 * the static pods and the kubelet's command line from them. The files the
 * distribution generates are never edited.
 */
export const rancherConfigHandler: NodeKindHandler<'rancher-config'> = {
  kind: 'rancher-config',
  scope: 'node',
  phase: 3,
  // Not `restart` (the kubelet): the distribution's service restarts the kubelet and every component it runs.
  restarts: (change) => ({ kind: 'service', name: change.service, unit: change.service.endsWith('.service') ? change.service : `${change.service}.service` }),
  plan(input) {
    const planned = planRancherConfig(input);
    return { changes: planned.changes, findings: planned.findings };
  },
  describe(change) {
    const n = change.edits.length;
    return {
      summary: `${n} ${n === 1 ? 'edit' : 'edits'} of ${change.edits.length ? 'its *-arg lists' : 'nothing'}, restarts ${change.service}`,
      diff: change.diff,
    };
  },
  invariants(change, _scope: NodeScope) {
    const out: string[] = [];
    const layout = RANCHER_DISTRIBUTIONS.find((d) => change.target === d.configFile || dirname(change.target) === `${d.configFile}.d`);
    if (!layout) out.push(`target: ${change.target} is not a config.yaml of RKE2 or k3s, nor one of its config.yaml.d drop-ins`);
    else if (change.service !== layout.services.server && change.service !== layout.services.agent)
      out.push(`service: ${change.service} is not a service of ${layout.distribution}`);
    if (layout && !/\.ya?ml$/i.test(change.target)) out.push(`target: ${change.target} is not a .yaml file ${layout.distribution} reads`);
    return out;
  },
};
