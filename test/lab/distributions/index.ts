import { aks } from './aks.js';
import { eks } from './eks.js';
import { gke } from './gke.js';
import { k3s } from './k3s.js';
import { kubeadm } from './kubeadm.js';
import { kubeadmExternalEtcd } from './kubeadm-external-etcd.js';
import { rke2 } from './rke2.js';
import type { LabDistribution, LabDistributionName } from './types.js';

export type { LabDistribution, LabDistributionName } from './types.js';

/** Every lab distribution by name: one line per distribution module. */
export const DISTRIBUTIONS: { readonly [N in LabDistributionName]: LabDistribution } = {
  kubeadm,
  'kubeadm-external-etcd': kubeadmExternalEtcd,
  rke2,
  k3s,
  eks,
  gke,
  aks,
};

export const DISTRIBUTION_NAMES = Object.keys(DISTRIBUTIONS) as LabDistributionName[];

export function labDistribution(name: string): LabDistribution {
  const d = (DISTRIBUTIONS as Record<string, LabDistribution | undefined>)[name];
  if (!d) throw new Error(`unknown lab distribution "${name}" (use ${DISTRIBUTION_NAMES.join(', ')})`);
  return d;
}
