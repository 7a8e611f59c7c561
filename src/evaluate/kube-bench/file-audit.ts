import { parse } from 'yaml';
import type { KubeBenchVerdict } from '../../model/finding.js';
import type { KubeBenchCheck, KubeBenchTestItem } from '../../playbook/types.js';
import { evaluateJsonPath } from '../kubelet/kube-bench-jsonpath.js';
import { compareValue, executeItem } from './test-items.js';

/**
 * kube-bench's verdict for a `file` audit (`cat $etcdconf`: RKE2's generated
 * etcd config), given the file's text (undefined: `cat` fails, so the check
 * fails). check.go execute() tries each item's `flag` on the audit output
 * first, as a substring with the first-match value regex, so `flag:
 * client-cert-auth` reads the first `client-cert-auth: <value>` anywhere in
 * the YAML, top-level or nested. Only when the flag is not found and the
 * check has an `audit_config` does the `path` jsonpath decide. In
 * rke2-cis-1.8 the checks whose items carry a flag have no audit_config, and
 * the path-only items (2.4, 2.7) belong to checks whose audit_config cats the
 * same file: so a flag item is judged by its flag alone and a path-only item
 * by its path. Pure.
 */
export function fileAuditVerdict(check: KubeBenchCheck, text: string | undefined): KubeBenchVerdict | undefined {
  if (check.type === 'manual') return 'WARN';
  if (check.type === 'skip') return 'INFO';
  if (check.audit?.source !== 'file' || !check.tests) return undefined;
  const failed: KubeBenchVerdict = check.scored ? 'FAIL' : 'WARN';
  if (text === undefined) return failed;
  const results = check.tests.items.map((item) =>
    item.flag !== undefined ? executeItem(item, text, check.useMultipleValues, 'flag').pass : pathItemPasses(item, text),
  );
  return (check.tests.binOp === 'or' ? results.some(Boolean) : results.every(Boolean)) ? 'PASS' : failed;
}

/**
 * pathTestItem.findValue: the output decoded (JSON, else YAML with go-yaml
 * v2's integers), the jsonpath run with missing keys allowed; found iff it
 * prints something. An output that does not decode fails the item.
 */
export function pathItemPasses(item: KubeBenchTestItem, text: string): boolean {
  if (item.path === undefined) return false;
  let data: unknown;
  try {
    data = parse(text.replace(/[ \n]+$/, ''), { version: '1.1' });
  } catch {
    return false;
  }
  const result = evaluateJsonPath(item.path, data, 'yaml');
  if (!result.ok) return false;
  const found = result.text !== '';
  if (!item.set) return !found;
  if (!found) return false;
  return item.compare ? compareValue(item.compare.op, result.text, item.compare.value) : true;
}
