/**
 * kube-bench's k3s-cis-1.9 journal audits (`journalctl -m -u k3s | grep
 * 'Running kube-apiserver' | tail -n1 [| grep WORD]`) judged from the facts,
 * with the shipped playbook's own checks.
 */
import { describe, expect, it } from '@jest/globals';
import { journalAuditVerdict } from '../../../../src/evaluate/kube-bench/journal-audit.js';
import type { JournalFacts } from '../../../../src/facts/journal-lines.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { KubeBenchCheck } from '../../../../src/playbook/types.js';

const k3s = await loadBenchmark('k3s-cis-1.9');
const check = (id: string): KubeBenchCheck => k3s.controls.find((c) => c.id === id)!.kubeBench;
const api = (args: string) => `Dec 04 14:00:00 cp-1 k3s[9]: time="2026-12-04T14:00:00Z" level=info msg="Running kube-apiserver ${args}"`;

function node(journals: readonly JournalFacts[] | undefined): NodeFacts {
  return { paths: {}, processes: [], components: {}, ...(journals ? { journals } : {}) } as unknown as NodeFacts;
}
const withApi = (args: string | undefined) =>
  node([
    { units: ['k3s'], lines: args === undefined ? {} : { 'kube-apiserver': { text: api(args), truncated: false } } },
    { units: ['k3s', 'k3s-agent'], lines: {} },
  ]);

describe('journal audits', () => {
  it('judges the flag in the last "Running" line as kube-bench does', () => {
    expect(journalAuditVerdict(check('1.2.1'), withApi('--anonymous-auth=false --profiling=false"'), {})).toBe('PASS');
    expect(journalAuditVerdict(check('1.2.1'), withApi('--anonymous-auth=true"'), {})).toBe('FAIL');
    expect(journalAuditVerdict(check('1.2.6'), withApi('--authorization-mode=Node,RBAC,AlwaysAllow"'), {})).toBe('FAIL');
    expect(journalAuditVerdict(check('1.2.7'), withApi('--authorization-mode=Node,RBAC"'), {})).toBe('PASS');
  });

  it("fails a check whose final grep finds nothing (grep's exit status), and runs the tests on empty output without one", () => {
    // 1.2.26 greps etcd-cafile: k3s on SQLite has none, grep exits 1.
    expect(journalAuditVerdict(check('1.2.26'), withApi('--etcd-servers=unix://kine.sock"'), {})).toBe('FAIL');
    // 1.2.2 has no final grep: no line at all is empty output, and `set: false` passes on it.
    expect(journalAuditVerdict(check('1.2.2'), withApi(undefined), {})).toBe('PASS');
    expect(journalAuditVerdict(check('1.2.2'), withApi('--token-auth-file=/etc/t.csv"'), {})).toBe('FAIL');
  });

  it("reproduces 4.2.1-4.2.3's scripts: the kube-apiserver's line (sic) when k3s logged one, else the value they echo", () => {
    // An agent: no kube-apiserver line in `journalctl -u k3s`, the script echoes a passing value.
    expect(journalAuditVerdict(check('4.2.1'), withApi(undefined), {})).toBe('PASS');
    expect(journalAuditVerdict(check('4.2.2'), withApi(undefined), {})).toBe('PASS');
    expect(journalAuditVerdict(check('4.2.3'), withApi(undefined), {})).toBe('PASS');
    // A server: the API server's flags decide, whatever the kubelet runs with.
    expect(journalAuditVerdict(check('4.2.1'), withApi('--anonymous-auth=false --profiling=false"'), {})).toBe('PASS');
    expect(journalAuditVerdict(check('4.2.1'), withApi('--anonymous-auth=true"'), {})).toBe('FAIL');
    expect(journalAuditVerdict(check('4.2.2'), withApi('--authorization-mode=Node,RBAC,AlwaysAllow"'), {})).toBe('FAIL');
    expect(journalAuditVerdict(check('4.2.3'), withApi('--client-ca-file=/var/lib/rancher/k3s/server/tls/client-ca.crt"'), {})).toBe('PASS');
    // The line lacks the word the script greps for (grep exits 1), or 4.2.1's `grep -v grep` drops it.
    expect(journalAuditVerdict(check('4.2.1'), withApi('--profiling=false"'), {})).toBe('FAIL');
    expect(journalAuditVerdict(check('4.2.1'), withApi('--anonymous-auth=false --audit-policy-file=/etc/grep.yaml"'), {})).toBe('FAIL');
    expect(journalAuditVerdict(check('4.2.3'), withApi('--requestheader-allowed-names=x"'), {})).toBe('FAIL');
  });

  it('says nothing when the journal was not read, or the line was cut', () => {
    expect(journalAuditVerdict(check('1.2.1'), node(undefined), {})).toBeUndefined();
    const cut = node([{ units: ['k3s'], lines: { 'kube-apiserver': { text: api('--anonymous-auth=false'), truncated: true } } }]);
    expect(journalAuditVerdict(check('1.2.1'), cut, {})).toBeUndefined();
  });

  it('leaves manual and skipped checks to kube-bench: WARN and INFO', () => {
    expect(journalAuditVerdict(check('1.1.1'), withApi('--x'), {})).toBe('INFO');
  });
});
