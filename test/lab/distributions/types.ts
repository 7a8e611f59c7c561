import type { ClusterPki, KubeadmNodeInput } from '../kubeadm-node.js';
import type { NodeTree } from '../node-tree.js';
import type { Scenario } from '../scenario.js';

/**
 * A lab distribution: how the nodes of one kind of cluster look (kubeadm,
 * RKE2, k3s, the worker nodes of a managed service, kubeadm with external
 * etcd). Everything else about the lab (namespaces, sshd, sudo, users, the
 * bastion, the lab API server) is shared. A distribution is one module in
 * this directory, registered in index.ts.
 */
export type LabDistributionName = 'kubeadm' | 'kubeadm-external-etcd' | 'rke2' | 'k3s' | 'eks' | 'gke' | 'aks';

export interface DistributionNodeInput extends KubeadmNodeInput {
  scenario: Scenario;
}

/** What `GET /version` answers on the lab API server (merged over kubeadm's v1.33.4 answer). */
export interface VersionInfo {
  major?: string;
  minor?: string;
  gitVersion: string;
  platform?: string;
}

export interface LabDistribution {
  name: LabDistributionName;
  /** One line for `lab up --help` and the README. */
  summary: string;
  version: VersionInfo;
  /**
   * True when the control-plane nodes are the provider's (EKS, GKE, AKS): the
   * lab still runs them (they host the lab API server), but the inventories
   * the lab writes list only the workers, as a customer's would.
   */
  providerControlPlane: boolean;
  /** The directory whose manifests the lab API server shows as mirror pods. */
  manifestsDir: string;
  /** Writes the node's files for this distribution, with the scenario's drifts applied, into the tree. */
  addNodeFiles(tree: NodeTree, input: DistributionNodeInput, pki: ClusterPki): Promise<void>;
  /** The pods (by name, as in status.json) `lab up` waits for on a node. */
  expectedPods(node: { role: 'control-plane' | 'worker'; cpIndex: number }): string[];
  /**
   * True when control planes beyond the first join a stacked etcd, as
   * `kubeadm join --control-plane` does (their etcd manifest is placed after
   * `member add`).
   */
  joinsStackedEtcd: boolean;
  /**
   * The node-side program node-init.sh execs after sshd (a file in
   * test/lab/node/). It must write /run/lab/status.json in the lab kubelet's
   * format: `lab up` waits for `kubelet.state === 'active'` and the expected
   * pods `running`.
   */
  supervisor: string;
  /** The admin kubeconfig on the first control plane that `lab up` copies for tests (default kubeadm's /etc/kubernetes/admin.conf). */
  adminKubeconfig?: string;
}
