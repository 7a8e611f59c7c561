import type { NodeFacts } from '../../facts/types.js';
import type { KubeBenchVerdict } from '../../model/finding.js';
import type { KubeBenchCheck } from '../../playbook/types.js';
import { testsPass } from './test-items.js';

/** A component's command line as it would run instead of the gathered one (to judge a planned edit). */
export interface ArgvOverride {
  readonly component: string;
  readonly argv: readonly string[];
}

/**
 * kube-bench's verdict for a `process` audit (`ps -ef | grep NAME`, or
 * `ps -fC NAME`) reproduced from the gathered component processes, for the
 * `flag` test items. Undefined for other audits. Pure.
 */
export function processAuditVerdict(check: KubeBenchCheck, facts: NodeFacts, override?: ArgvOverride): KubeBenchVerdict | undefined {
  if (check.type === 'manual') return 'WARN';
  if (check.type === 'skip') return 'INFO';
  const audit = check.audit;
  if (!audit || audit.source !== 'process' || !check.tests) return undefined;
  if (check.tests.items.some((item) => item.flag === undefined)) return undefined; // config/env sources: not reproduced here
  const failed: KubeBenchVerdict = check.scored ? 'FAIL' : 'WARN';
  const lines = facts.processes.map((p) => ({ component: p.component, line: (override && p.component === override.component ? override.argv : p.argv).join(' ') }));
  const matching = audit.match === 'grep' ? lines.filter((l) => l.line.includes(audit.process)) : lines.filter((l) => l.component === audit.process);
  if (matching.length === 0) return failed; // grep exits 1: kube-bench counts the audit as failed
  const output = matching.map((l) => l.line).join('\n');
  return testsPass(check.tests, output, check.useMultipleValues) ? 'PASS' : failed;
}
