import { addKubeadmFiles, MANIFESTS } from '../kubeadm-node.js';
import { applyScenario } from '../scenario.js';
import type { LabDistribution } from './types.js';

/** What `kubeadm init` / `kubeadm join` leave (v1.33, pkgs.k8s.io packages): stacked etcd, static pods. */
export const kubeadm: LabDistribution = {
  name: 'kubeadm',
  summary: 'kubeadm v1.33: static pods in /etc/kubernetes/manifests, stacked etcd, kubelet.service with the kubeadm drop-in',
  version: { gitVersion: 'v1.33.4' },
  providerControlPlane: false,
  manifestsDir: MANIFESTS,
  async addNodeFiles(tree, input, pki) {
    await addKubeadmFiles(tree, input, pki);
    applyScenario(tree, input.role, input.scenario);
  },
  expectedPods: ({ role, cpIndex }) =>
    role === 'control-plane' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', ...(cpIndex === 1 ? ['etcd'] : [])] : [],
  joinsStackedEtcd: true,
  supervisor: 'kubelet-sim.mjs',
};
