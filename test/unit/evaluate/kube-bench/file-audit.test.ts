import { beforeAll, describe, expect, it } from '@jest/globals';
import { fileAuditVerdict } from '../../../../src/evaluate/kube-bench/file-audit.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark, KubeBenchCheck } from '../../../../src/playbook/types.js';

let benchmark: Benchmark;
beforeAll(async () => {
  benchmark = await loadBenchmark('rke2-cis-1.8');
});
const check = (id: string): KubeBenchCheck => benchmark.controls.find((c) => c.id === id)!.kubeBench;

const TLS = '/var/lib/rancher/rke2/server/tls/etcd';
const STOCK = `advertise-client-urls: https://10.0.0.1:2379
client-transport-security:
  cert-file: ${TLS}/server-client.crt
  client-cert-auth: true
  key-file: ${TLS}/server-client.key
  trusted-ca-file: ${TLS}/server-ca.crt
name: cp-1
peer-transport-security:
  cert-file: ${TLS}/peer-server-client.crt
  client-cert-auth: true
  key-file: ${TLS}/peer-server-client.key
  trusted-ca-file: ${TLS}/peer-ca.crt
`;
const verdicts = (text: string | undefined) =>
  Object.fromEntries(['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7'].map((id) => [id, fileAuditVerdict(check(id), text)]));

describe("kube-bench's rke2 2.x checks on etcd's generated config file (cat $etcdconf)", () => {
  it('pass on the file RKE2 writes without etcd-arg', () => {
    expect(verdicts(STOCK)).toEqual({ '2.1': 'PASS', '2.2': 'PASS', '2.3': 'PASS', '2.4': 'PASS', '2.5': 'PASS', '2.6': 'PASS', '2.7': 'PASS' });
  });

  it('read the FIRST client-cert-auth in the text: a top-level key sorted before client-transport-security fails 2.2 and 2.5 alike', () => {
    const drifted = STOCK.replace('client-transport-security:', 'client-cert-auth: false\nclient-transport-security:');
    expect(verdicts(drifted)).toMatchObject({ '2.2': 'FAIL', '2.5': 'FAIL' });
    // A top-level peer-client-cert-auth comes after the nested client-cert-auth: kube-bench never sees it.
    const peer = STOCK.replace('peer-transport-security:', 'peer-client-cert-auth: false\npeer-transport-security:');
    expect(verdicts(peer)).toMatchObject({ '2.2': 'PASS', '2.5': 'PASS' });
  });

  it('take auto-tls as a substring: a top-level peer-auto-tls: true fails 2.3 as well as 2.6', () => {
    expect(verdicts(STOCK.replace('name: cp-1', 'name: cp-1\npeer-auto-tls: true'))).toMatchObject({ '2.3': 'FAIL', '2.6': 'FAIL' });
    expect(verdicts(`auto-tls: true\n${STOCK}`)).toMatchObject({ '2.3': 'FAIL', '2.6': 'PASS' });
    expect(verdicts(`auto-tls: false\n${STOCK}`)).toMatchObject({ '2.3': 'PASS' });
  });

  it('read the path-only items (2.4, 2.7) from the YAML: a top-level key does not change them', () => {
    expect(verdicts(STOCK.replace(`${TLS}/peer-ca.crt`, '/other/ca.crt'))).toMatchObject({ '2.7': 'FAIL', '2.4': 'PASS' });
    expect(verdicts(`cert-file: /other.crt\n${STOCK}`)).toMatchObject({ '2.1': 'FAIL', '2.4': 'PASS' });
  });

  it('fail every check when the file cannot be read (cat exits non-zero)', () => {
    expect(Object.values(verdicts(undefined))).toEqual(Array(7).fill('FAIL'));
  });
});
