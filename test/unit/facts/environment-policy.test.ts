/**
 * The environment the node sends must cover every `env:` item of the shipped
 * benchmarks, and the script and the parser must agree on what is a secret.
 */

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { ENV_PREFIXES, isSecretEnvName, KUBE_BENCH_ENV_NAMES, SECRET_ENV_PATTERNS } from '../../../src/facts/environment-policy.js';
import { GATHER_SCRIPT_FILE } from '../../../src/facts/gather-script.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import { BENCHMARK_IDS } from '../../../src/playbook/types.js';

const benchmarks = await Promise.all(BENCHMARK_IDS.map((id) => loadBenchmark(id)));
const playbookEnvNames = [
  ...new Set(benchmarks.flatMap((b) => b.controls.flatMap((c) => c.kubeBench.tests?.items.flatMap((i) => (i.env ? [i.env] : [])) ?? []))),
].sort();

/** The script's own `matches` function, run by /bin/sh on each name. */
function shellSecret(names: readonly string[]): boolean[] {
  const program = execFileSync('sed', ['-n', '/^matches() {/,/^}/p', GATHER_SCRIPT_FILE], { encoding: 'utf8' });
  const out = execFileSync('/bin/sh', ['-c', `${program}\nfor n; do if matches "$n" "$SECRET_ENV"; then echo 1; else echo 0; fi; done`, 'sh', ...names], {
    encoding: 'utf8',
    env: { SECRET_ENV: SECRET_ENV_PATTERNS.join('|'), PATH: process.env.PATH },
  });
  return out
    .trim()
    .split('\n')
    .map((l) => l === '1');
}

describe('the environment policy', () => {
  it('keeps every variable a shipped benchmark test reads, and only those by name', () => {
    expect(playbookEnvNames.length).toBeGreaterThan(0);
    expect(playbookEnvNames.filter((n) => !KUBE_BENCH_ENV_NAMES.includes(n))).toEqual([]);
    expect([...KUBE_BENCH_ENV_NAMES].sort()).toEqual(playbookEnvNames);
  });

  it('never takes a variable a test reads for a secret', () => {
    expect(KUBE_BENCH_ENV_NAMES.filter(isSecretEnvName)).toEqual([]);
    expect(shellSecret(KUBE_BENCH_ENV_NAMES).some(Boolean)).toBe(false);
  });

  it('withholds the same names on the node as in the parser', () => {
    const names = [
      'ETCD_INITIAL_CLUSTER_TOKEN',
      'etcd_root_password',
      'DB_Passwd',
      'ETCD_ENCRYPTION_KEY',
      'API_KEY',
      'api_key',
      'CLIENT_KEY_DATA',
      'AWS_SECRET_ACCESS_KEY',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'TLS_PRIVATE_KEY_FILE',
      'ETCD_KEY_FILE',
      'ETCD_PEER_KEY_FILE',
      'KEYRING_DIR',
      'ETCD_CLIENT_CERT_AUTH',
      'KUBECONFIG',
      'PATH',
    ];
    const node = shellSecret(names);
    expect(names.map((n, i) => [n, node[i]])).toEqual(names.map((n) => [n, isSecretEnvName(n)]));
    expect(names.filter(isSecretEnvName)).toEqual([
      'ETCD_INITIAL_CLUSTER_TOKEN',
      'etcd_root_password',
      'DB_Passwd',
      'ETCD_ENCRYPTION_KEY',
      'API_KEY',
      'api_key',
      'CLIENT_KEY_DATA',
      'AWS_SECRET_ACCESS_KEY',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'TLS_PRIVATE_KEY_FILE',
    ]);
    expect(ENV_PREFIXES).toEqual(['ETCD_', 'KUBE']);
  });
});
