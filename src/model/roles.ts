/** The roles a node can have (DESIGN.md §1). */
export const ROLES = ['control-plane', 'etcd', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Names other tools use for the same roles. kube-bench says master/node,
 * Kubespray kube_control_plane/kube_node/etcd.
 */
export const ROLE_ALIASES: Readonly<Record<string, Role>> = {
  'control-plane': 'control-plane',
  controlplane: 'control-plane',
  master: 'control-plane',
  kube_control_plane: 'control-plane',
  etcd: 'etcd',
  worker: 'worker',
  node: 'worker',
  kube_node: 'worker',
};

export function normalizeRole(name: string): Role | undefined {
  return ROLE_ALIASES[name];
}
