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
