import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../../src/playbook/parameter-value.js';
import type { Benchmark, BenchmarkId, ParameterValue } from '../../../../src/playbook/types.js';

/** A benchmark as shipped, with its parameters at their defaults (an inventory that sets none). */
export async function benchmarkWithDefaults(id: BenchmarkId): Promise<{ benchmark: Benchmark; parameters: Readonly<Record<string, ParameterValue>> }> {
  const benchmark = await loadBenchmark(id);
  return { benchmark, parameters: resolveParameters(benchmark, {}).values };
}
