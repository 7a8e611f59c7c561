import type { NodeFacts } from '../../facts/types.js';
import type { KubeBenchVerdict } from '../../model/finding.js';
import type { KubeBenchCheck, KubeBenchTests } from '../../playbook/types.js';
import { auditEnvOutput } from './audit-env.js';
import { executeItem } from './test-items.js';

/** A component's command line as it would run instead of the gathered one (to judge a planned edit). */
export interface ArgvOverride {
  readonly component: string;
  readonly argv: readonly string[];
}

/**
 * kube-bench's verdict for a `process` audit (`ps -ef | grep NAME`, or
 * `ps -fC NAME`) reproduced from the gathered component processes, for
 * `flag` test items and their `env` fallback (the process's environment, as
 * kube-bench's generated audit_env reads it). Undefined for other audits,
 * for audits with an `audit_config` (the kubelet's, judged in
 * evaluate/kubelet/), and when the environment an `env` item needs was not
 * gathered. Pure.
 */
export function processAuditVerdict(check: KubeBenchCheck, facts: NodeFacts, override?: ArgvOverride): KubeBenchVerdict | undefined {
  if (check.type === 'manual') return 'WARN';
  if (check.type === 'skip') return 'INFO';
  const audit = check.audit;
  if (!audit || audit.source !== 'process' || !check.tests || audit.config !== undefined) return undefined;
  if (check.tests.items.some((item) => item.flag === undefined && item.env === undefined)) return undefined; // `path` needs an audit_config
  const failed: KubeBenchVerdict = check.scored ? 'FAIL' : 'WARN';
  const envNames = check.tests.items.flatMap((item) => (item.env === undefined ? [] : [item.env]));
  const envOutput = envNames.length > 0 ? auditEnvOutput(facts, audit.process, envNames) : '';
  if (envOutput === undefined) return undefined;
  const lines = facts.processes.map((p) => ({
    component: p.component,
    line: (override && p.component === override.component ? override.argv : p.argv).join(' '),
  }));
  const matching = audit.match === 'grep' ? lines.filter((l) => l.line.includes(audit.process)) : lines.filter((l) => l.component === audit.process);
  if (matching.length === 0) return failed; // grep exits 1: kube-bench counts the audit as failed
  const output = matching.map((l) => l.line).join('\n');
  return testsPassWithEnv(check.tests, output, envOutput, check.useMultipleValues) ? 'PASS' : failed;
}

/**
 * check.go execute(): each item is tried on the audit output; when its flag
 * is not found there and it names an `env`, the audit_env output decides.
 * Then bin_op combines the items.
 */
export function testsPassWithEnv(tests: KubeBenchTests, output: string, envOutput: string, multipleValues: boolean): boolean {
  const results = tests.items.map((item) => {
    const result = executeItem(item, output, multipleValues, 'flag');
    return !result.found && item.env !== undefined ? executeItem(item, envOutput, multipleValues, 'env').pass : result.pass;
  });
  return tests.binOp === 'or' ? results.some(Boolean) : results.every(Boolean);
}
