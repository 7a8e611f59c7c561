/**
 * kube-bench's `env` keyword source (check.go execute(): flag first, then
 * the generated audit_env) on etcd configured through ETCD_* variables, with
 * the shipped benchmarks' own section 2 checks.
 */

import { describe, expect, it } from '@jest/globals';
import { auditEnvOutput } from '../../../../src/evaluate/kube-bench/audit-env.js';
import { processAuditVerdict, testsPassWithEnv } from '../../../../src/evaluate/kube-bench/process-audit.js';
import { findEnvValue } from '../../../../src/evaluate/kube-bench/test-items.js';
import type { ComponentProcess, NodeFacts } from '../../../../src/facts/types.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark, KubeBenchCheck } from '../../../../src/playbook/types.js';

const benchmarks: Benchmark[] = await Promise.all([loadBenchmark('cis-1.12'), loadBenchmark('cis-1.11')]);

function check(benchmark: Benchmark, id: string): KubeBenchCheck {
  const control = benchmark.controls.find((c) => c.id === id);
  if (!control) throw new Error(`no control ${id} in ${benchmark.id}`);
  return control.kubeBench;
}

const APISERVER: ComponentProcess = {
  pid: 20,
  comm: 'kube-apiserver',
  component: 'kube-apiserver',
  argv: ['kube-apiserver', '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt', '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt'],
  environment: {},
  auditEnv: { lines: [], totalLines: 4 },
};

/** A node whose etcd runs with `argv` and the given environment (every line kept, plus `others` lines the node left out). */
function node(argv: readonly string[], environ: readonly string[] | undefined, others = 5, extra: readonly ComponentProcess[] = []): NodeFacts {
  const etcd: ComponentProcess = {
    pid: 10,
    comm: 'etcd',
    component: 'etcd',
    argv: ['etcd', ...argv],
    environment: {},
    ...(environ ? { auditEnv: { lines: environ, totalLines: environ.length + others } } : {}),
  };
  return { processes: [etcd, APISERVER, ...extra] } as unknown as NodeFacts;
}

const ENV_ONLY = [
  'ETCD_CERT_FILE=/etc/kubernetes/pki/etcd/server.crt',
  'ETCD_KEY_FILE=/etc/kubernetes/pki/etcd/server.key',
  'ETCD_CLIENT_CERT_AUTH=true',
  'ETCD_AUTO_TLS=false',
  'ETCD_PEER_CERT_FILE=/etc/kubernetes/pki/etcd/peer.crt',
  'ETCD_PEER_KEY_FILE=/etc/kubernetes/pki/etcd/peer.key',
  'ETCD_PEER_CLIENT_CERT_AUTH=true',
  'ETCD_PEER_AUTO_TLS=false',
  'ETCD_TRUSTED_CA_FILE=/etc/kubernetes/pki/etcd/ca.crt',
];

describe.each(benchmarks.map((b) => [b.id, b] as const))('etcd configured through ETCD_* variables (%s)', (_id, benchmark) => {
  it('passes every section 2 check whose flag is absent when the variable holds a compliant value', () => {
    const facts = node(['--name=cp-1', '--data-dir=/var/lib/etcd'], ENV_ONLY);
    for (const id of ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7']) expect([id, processAuditVerdict(check(benchmark, id), facts)]).toEqual([id, 'PASS']);
  });

  it('fails them when no flag and no variable is set, as kube-bench does', () => {
    const facts = node(['--name=cp-1'], []);
    for (const id of ['2.1', '2.2', '2.4', '2.5']) expect([id, processAuditVerdict(check(benchmark, id), facts)]).toEqual([id, 'FAIL']);
    expect(processAuditVerdict(check(benchmark, '2.7'), facts)).toBe('WARN'); // unscored: a failed test warns
    // --auto-tls / --peer-auto-tls not set anywhere: set: false passes.
    expect(processAuditVerdict(check(benchmark, '2.3'), facts)).toBe('PASS');
    expect(processAuditVerdict(check(benchmark, '2.6'), facts)).toBe('PASS');
  });

  it('fails 2.3 and 2.6 when only the environment turns auto TLS on (the manifest alone would say pass)', () => {
    const facts = node(['--name=cp-1'], ['ETCD_AUTO_TLS=true', 'ETCD_PEER_AUTO_TLS=TRUE']);
    expect(processAuditVerdict(check(benchmark, '2.3'), facts)).toBe('FAIL');
    expect(processAuditVerdict(check(benchmark, '2.6'), facts)).toBe('FAIL');
  });

  it('lets a flag on the command line decide, whatever the environment says', () => {
    const facts = node(['--client-cert-auth=false', '--auto-tls=false'], ['ETCD_CLIENT_CERT_AUTH=true', 'ETCD_AUTO_TLS=true']);
    expect(processAuditVerdict(check(benchmark, '2.2'), facts)).toBe('FAIL');
    expect(processAuditVerdict(check(benchmark, '2.3'), facts)).toBe('PASS');
    // A planned edit is judged on the command line it starts, with the same environment.
    const edited = { component: 'etcd', argv: ['etcd', '--client-cert-auth=true', '--auto-tls=false'] };
    expect(processAuditVerdict(check(benchmark, '2.2'), facts, edited)).toBe('PASS');
  });

  it('finds nothing in the environment when etcd runs twice or not at all (ps -C yields no single pid)', () => {
    const twice = node(['--name=a'], ENV_ONLY, 0, [
      { ...APISERVER, pid: 30, comm: 'etcd', component: 'etcd', argv: ['etcd', '--name=b'], auditEnv: { lines: ENV_ONLY, totalLines: 9 } },
    ]);
    expect(processAuditVerdict(check(benchmark, '2.1'), twice)).toBe('FAIL');
  });

  it('is not reproduced (undefined) when the environment was not gathered', () => {
    expect(processAuditVerdict(check(benchmark, '2.1'), node(['--name=cp-1'], undefined))).toBeUndefined();
  });
});

describe("kube-bench's env search", () => {
  it('is unanchored, takes the first match, and ignores an empty value', () => {
    expect(findEnvValue('A=1\nMY_ETCD_AUTO_TLS=true\nETCD_AUTO_TLS=false', 'ETCD_AUTO_TLS')).toEqual({ found: true, value: 'true' });
    expect(findEnvValue('ETCD_CERT_FILE=\nX=1', 'ETCD_CERT_FILE')).toEqual({ found: false, value: '' });
    expect(findEnvValue('ETCD_CERT_FILE=/a b\r', 'ETCD_CERT_FILE')).toEqual({ found: true, value: '/a b\r' });
    expect(findEnvValue('', 'ETCD_CERT_FILE').found).toBe(false);
  });

  it('with use_multiple_values judges every line of the environment, the ones the node left out included', () => {
    const tests = { binOp: 'and' as const, items: [{ flag: '--cert-file', path: undefined, env: 'ETCD_CERT_FILE', set: true, compare: undefined }] };
    const facts = node([], ['ETCD_CERT_FILE=/x'], 0);
    expect(testsPassWithEnv(tests, 'etcd', auditEnvOutput(facts, 'etcd', ['ETCD_CERT_FILE'])!, true)).toBe(true);
    const withOthers = node([], ['ETCD_CERT_FILE=/x'], 2);
    expect(testsPassWithEnv(tests, 'etcd', auditEnvOutput(withOthers, 'etcd', ['ETCD_CERT_FILE'])!, true)).toBe(false);
  });

  it('is not reproduced for a variable the node does not keep', () => {
    expect(auditEnvOutput(node([], []), 'etcd', ['SOME_OTHER_VARIABLE'])).toBeUndefined();
  });
});
