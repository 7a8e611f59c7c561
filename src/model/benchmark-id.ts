/**
 * The benchmarks cis-fix ships playbooks for (playbooks/<id>/): the one list
 * every other module derives from. Adding a benchmark is one entry here and
 * its playbook directory; tables keyed by BenchmarkId then fail to compile
 * until they cover it.
 */
export const BENCHMARK_IDS = ['cis-1.12', 'cis-1.11', 'rke2-cis-1.8', 'k3s-cis-1.9', 'eks-1.8.0', 'gke-1.9.0', 'aks-1.8'] as const;
export type BenchmarkId = (typeof BENCHMARK_IDS)[number];

export function isBenchmarkId(value: string): value is BenchmarkId {
  return (BENCHMARK_IDS as readonly string[]).includes(value);
}

/**
 * Benchmarks of managed services (EKS, GKE, AKS): the provider runs the
 * control plane, so every node a customer's inventory reaches is a worker,
 * whatever the section numbers say (their section 3 is the worker nodes).
 */
export const PROVIDER_RUNS_CONTROL_PLANE: { readonly [B in BenchmarkId]: boolean } = {
  'cis-1.12': false,
  'cis-1.11': false,
  'rke2-cis-1.8': false,
  'k3s-cis-1.9': false,
  'eks-1.8.0': true,
  'gke-1.9.0': true,
  'aks-1.8': true,
};
