/**
 * Where the health gate asks an etcd run by systemd for /health after its
 * restart: the plain-HTTP metrics listener when there is one (as before),
 * else an https client URL with a client certificate already on the node
 * (kube-apiserver's etcd client pair first, then etcd's own), else nothing
 * and the plan refuses with why.
 */

import { describe, expect, it } from '@jest/globals';
import type { NodeFacts, PathFacts } from '../../../../src/facts/types.js';
import { etcdHealthProbe, type EtcdHealthInput } from '../../../../src/plan/kinds/etcd-health-probe.js';

const OWN = ['--trusted-ca-file=/etc/etcd/pki/ca.crt', '--cert-file=/etc/etcd/pki/server.crt', '--key-file=/etc/etcd/pki/server.key'];
const APISERVER = [
  'kube-apiserver',
  '--etcd-servers=https://10.0.0.10:2379',
  '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
  '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
  '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
];
const CLIENT_URLS = '--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379';

function input(argv: readonly string[], options: Partial<EtcdHealthInput> & { env?: Record<string, string> } = {}): EtcdHealthInput {
  const env = options.env ?? {};
  return {
    argv: ['/usr/bin/etcd', ...argv],
    variable: (name) => env[name],
    apiserverArgv: options.apiserverArgv,
    paths: options.paths ?? {},
  };
}

const absent = (...files: string[]): NodeFacts['paths'] => Object.fromEntries(files.map((f): [string, PathFacts] => [f, { path: f, exists: false }]));

describe('the etcd health probe', () => {
  it('prefers the plain-HTTP metrics listener on loopback, as before, even when TLS would work', () => {
    const probe = etcdHealthProbe(input([CLIENT_URLS, ...OWN, '--listen-metrics-urls=http://localhost:2381'], { apiserverArgv: APISERVER }));
    expect(probe).toEqual({ kind: 'metrics', url: 'http://127.0.0.1:2381/health' });
  });

  it('reads the metrics listener from ETCD_LISTEN_METRICS_URLS when no flag sets it, and skips one that is not on loopback', () => {
    expect(etcdHealthProbe(input([], { env: { ETCD_LISTEN_METRICS_URLS: 'http://0.0.0.0:2381' } }))).toEqual({
      kind: 'metrics',
      url: 'http://127.0.0.1:2381/health',
    });
    const remote = etcdHealthProbe(input([CLIENT_URLS, ...OWN, '--listen-metrics-urls=http://10.0.0.10:2381']));
    expect(remote.kind).toBe('tls');
  });

  it("asks the https client URL on loopback with kube-apiserver's etcd client pair when there is no metrics listener", () => {
    const probe = etcdHealthProbe(input([CLIENT_URLS, ...OWN], { apiserverArgv: APISERVER }));
    expect(probe).toEqual({
      kind: 'tls',
      url: 'https://127.0.0.1:2379/health',
      identity: 'kube-apiserver',
      tls: {
        caFile: '/etc/kubernetes/pki/etcd/ca.crt',
        certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
        keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
      },
    });
  });

  it("falls back to etcd's own certificate, from flags or ETCD_* variables, without a kube-apiserver that talks to this etcd", () => {
    const own = { caFile: '/etc/etcd/pki/ca.crt', certFile: '/etc/etcd/pki/server.crt', keyFile: '/etc/etcd/pki/server.key' };
    expect(etcdHealthProbe(input([CLIENT_URLS, ...OWN]))).toMatchObject({ kind: 'tls', identity: 'etcd', tls: own });
    const env = {
      ETCD_LISTEN_CLIENT_URLS: 'https://10.0.0.10:2379',
      ETCD_TRUSTED_CA_FILE: own.caFile,
      ETCD_CERT_FILE: own.certFile,
      ETCD_KEY_FILE: own.keyFile,
    };
    const elsewhere = APISERVER.map((a) => a.replace('https://10.0.0.10:2379', 'https://10.0.0.99:4001'));
    expect(etcdHealthProbe(input([], { env, apiserverArgv: elsewhere }))).toEqual({
      kind: 'tls',
      url: 'https://10.0.0.10:2379/health',
      identity: 'etcd',
      tls: own,
    });
  });

  it('never names a certificate or key the node is known not to have', () => {
    const probe = etcdHealthProbe(input([CLIENT_URLS, ...OWN], { apiserverArgv: APISERVER, paths: absent('/etc/kubernetes/pki/apiserver-etcd-client.key') }));
    expect(probe).toMatchObject({ kind: 'tls', identity: 'etcd' });
    const none = etcdHealthProbe(input([CLIENT_URLS, ...OWN], { paths: absent('/etc/etcd/pki/server.key') }));
    expect(none.kind).toBe('none');
  });

  it('refuses, saying why, with neither a metrics listener nor an https client URL with a client certificate', () => {
    const plain = etcdHealthProbe(input(['--listen-client-urls=http://127.0.0.1:2379']));
    expect(plain).toMatchObject({ kind: 'none' });
    expect(plain.kind === 'none' && plain.reason).toContain('--listen-metrics-urls');
    const noCert = etcdHealthProbe(input([CLIENT_URLS, '--cert-file=/etc/etcd/pki/server.crt']));
    expect(noCert.kind === 'none' && noCert.reason).toContain('client certificate');
  });
});
