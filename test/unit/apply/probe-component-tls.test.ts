/**
 * PROBE_COMPONENT's TLS branch (an etcd without a metrics listener) run by a
 * real /bin/sh against a real etcd that demands client certificates: curl
 * first, and openssl s_client where the node has no curl (and no etcdctl).
 * HEALTHY only with the right CA and a client pair that CA signed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROBE_COMPONENT } from '../../../src/apply/node-scripts.js';

let dir: string;
let etcd: ChildProcess | undefined;
let url: string;
/** A PATH with every command of /usr/bin and /bin but curl and etcdctl. */
let withoutCurl: string;

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function pair(name: string, ext: string, ca = 'ca'): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cisfix-probe-tls-'));
  for (const ca of ['ca', 'other-ca'])
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '1', '-subj', `/CN=${ca}`);
  pair('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  pair('client', 'extendedKeyUsage=clientAuth\n');
  pair('stranger', 'extendedKeyUsage=clientAuth\n', 'other-ca');
  const [client, peer] = [await freePort(), await freePort()];
  url = `https://127.0.0.1:${client}/health`;
  etcd = spawn(
    'etcd',
    [
      '--name=probe',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=https://127.0.0.1:${client}`,
      `--advertise-client-urls=https://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=probe=http://127.0.0.1:${peer}`,
      `--cert-file=${join(dir, 'server.crt')}`,
      `--key-file=${join(dir, 'server.key')}`,
      `--trusted-ca-file=${join(dir, 'ca.crt')}`,
      '--client-cert-auth=true',
    ],
    { stdio: 'ignore' },
  );
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const from of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(from)) {
      if (name === 'curl' || name === 'etcdctl') continue;
      try {
        symlinkSync(join(from, name), join(bin, name));
      } catch {
        // Already linked from /usr/bin.
      }
    }
  }
  withoutCurl = bin;
  for (let i = 0; i < 100 && probe('ca', 'client') !== 'HEALTHY'; i += 1) await new Promise((r) => setTimeout(r, 200));
}, 60_000);

afterAll(() => {
  etcd?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The probe's verdict (its last line) for a comm that matches no process. */
function probe(ca: string, client: string, path?: string, target = url): string {
  const args = ['cis-fix-no-such-comm', target, '', ...[`${ca}.crt`, `${client}.crt`, `${client}.key`].map((f) => join(dir, f))];
  const out = execFileSync('/bin/sh', ['-c', PROBE_COMPONENT, 'cis-fix', ...args], { env: { ...process.env, ...(path ? { PATH: path } : {}) } });
  return out.toString('utf8').trim().split('\n').pop() ?? '';
}

describe('the health probe over TLS with a client certificate on the node', () => {
  it('asks /health with curl: healthy with the right pair, not with a stranger or the wrong CA', () => {
    expect(probe('ca', 'client')).toBe('HEALTHY');
    expect(probe('ca', 'stranger')).toBe('UNHEALTHY');
    expect(probe('other-ca', 'client')).toBe('UNHEALTHY');
  });

  it('falls back to openssl s_client on a node without curl or etcdctl, with the same verdicts', () => {
    expect(probe('ca', 'client', withoutCurl)).toBe('HEALTHY');
    expect(probe('ca', 'stranger', withoutCurl)).toBe('UNHEALTHY');
    expect(probe('other-ca', 'client', withoutCurl)).toBe('UNHEALTHY');
    expect(probe('ca', 'client', withoutCurl, url.replace(/:\d+\//, ':1/'))).toBe('UNHEALTHY');
  });
});
