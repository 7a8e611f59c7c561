import { KUBE_BENCH_ENV_NAMES } from '../../facts/environment-policy.js';
import type { NodeFacts } from '../../facts/types.js';

/**
 * What kube-bench's generated `audit_env` prints on this node for a binary:
 * `cat "/proc/$(ps -C BIN -o pid= | tr -d ' ')/environ" | tr '\0' '\n'`
 * (cmd/common.go generateDefaultEnvAudit). `ps -C` matches the process name
 * exactly; with no such process, or more than one, the path is wrong and
 * only cat's error reaches the output (the pipeline still exits 0), so no
 * variable is found. Undefined when the facts cannot tell: the environment
 * was not gathered, or a name is not one the node keeps (KUBE_BENCH_ENV_NAMES).
 * Pure.
 */
export function auditEnvOutput(facts: NodeFacts, processName: string, names: readonly string[]): string | undefined {
  if (names.some((name) => !KUBE_BENCH_ENV_NAMES.includes(name))) return undefined;
  const running = facts.processes.filter((p) => p.comm === processName);
  if (running.length !== 1) return `cat: /proc/${running.map((p) => p.pid).join('\n')}/environ: No such file or directory\n`;
  const env = running[0]!.auditEnv;
  if (env === undefined) return undefined;
  // Lines the node left out hold none of the names: any row that cannot match stands for each.
  const left = Array.from({ length: env.totalLines - env.lines.length }, () => '-');
  return [...env.lines, ...left].join('\n');
}
