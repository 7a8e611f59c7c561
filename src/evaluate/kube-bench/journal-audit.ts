import { journalComponentOf, journalLine } from '../../facts/index.js';
import type { NodeFacts } from '../../facts/types.js';
import type { KubeBenchVerdict } from '../../model/finding.js';
import type { KubeBenchCheck } from '../../playbook/types.js';
import { configOutput, evaluateItem, type ConfigOutput } from '../kubelet/kube-bench-verdict.js';

/**
 * kube-bench's verdict for a `journal` audit (k3s-cis-1.9), reproduced from
 * the journal lines the node kept (facts/journal-lines.ts). Pure.
 *
 * The audit is `journalctl -m -u UNIT… | grep 'Running COMPONENT' | tail -n1`,
 * sometimes followed by `| grep WORD` (and `| grep -v EXCLUDED`), or, in
 * k3s-cis-1.9 4.2.1–4.2.3, wrapped in `if test $(… | wc -l) -gt 0; then …;
 * else echo FALLBACK; fi`: no line at all prints the fallback, which the
 * tests then read (the greps do not run). The shell's status is the last
 * command's: without the final grep, no `Running` line gives empty output
 * and the tests still run on it (a `set: false` item passes); with it, a
 * line without WORD (or no line) makes grep exit 1, which kube-bench counts
 * as a failed audit (FAIL if scored, else WARN). Each test item's flag is
 * searched in the line (substring, kube-bench's value regex); when it is
 * not there and the check has an `audit_config`, its jsonpath is read from
 * that file, as for the kubelet's ps audit.
 *
 * Undefined when the facts cannot tell: another audit, the journal was not
 * read on this node, the line was cut at its size limit, or the config file
 * kube-bench reads was not gathered. `variables`: the benchmark's path
 * variables as resolved on the node (for the audit_config file).
 */
export function journalAuditVerdict(
  check: KubeBenchCheck,
  facts: NodeFacts,
  variables: Readonly<Record<string, readonly string[]>>,
): KubeBenchVerdict | undefined {
  if (check.type === 'manual') return 'WARN';
  if (check.type === 'skip') return 'INFO';
  const audit = check.audit;
  if (!audit || audit.source !== 'journal' || !check.tests) return undefined;
  const component = journalComponentOf(audit.line);
  if (!component) return undefined;
  const found = journalLine(facts.journals, audit.units, component);
  if (!found) return undefined;
  if (found.line?.truncated) return undefined;
  const failed: KubeBenchVerdict = check.scored ? 'FAIL' : 'WARN';
  const fallback = found.line === undefined ? audit.fallback : undefined;
  const text = fallback ?? found.line?.text ?? '';
  if (fallback === undefined) {
    if (audit.grep !== undefined && !text.includes(audit.grep)) return failed;
    if (audit.exclude !== undefined && text.includes(audit.exclude)) return failed;
  }
  let config: ConfigOutput = { kind: 'none' };
  if (audit.config) {
    const path = variables[audit.config.variable]?.[0];
    if (path !== undefined) config = configOutput(facts, path);
    if (config.kind === 'unknown') return undefined;
    if (config.kind === 'error') return failed;
  }
  const items = check.tests.items.map((item) => evaluateItem(item, text, config));
  const pass = check.tests.binOp === 'or' ? items.some((i) => i.passed) : items.every((i) => i.passed);
  return pass ? 'PASS' : failed;
}
