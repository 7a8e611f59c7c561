import { describe, expect, it } from '@jest/globals';
import { readPodFlags } from '../../../../src/plan/edits/static-pod-manifest.js';
import type { PodFlags, PodFlagsResult } from '../../../../src/plan/edits/static-pod-manifest.js';
import { fixture, KUBEADM, ODD } from './support/fixtures.js';

function flagsOf(result: PodFlagsResult): PodFlags {
  if (result.kind !== 'flags') throw new Error(`expected flags, got: ${result.problem}`);
  return result;
}

const pod = (command: string) => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n${command}`;

describe('readPodFlags', () => {
  it('reads kubeadm kube-apiserver flags from command, after the binary name', () => {
    const flags = flagsOf(readPodFlags(fixture(KUBEADM['kube-apiserver']), 'kube-apiserver'));
    expect(flags.container).toBe('kube-apiserver');
    expect(flags.argv[0]).toBe('kube-apiserver');
    expect(flags.argv).toHaveLength(28);
    expect(flags.flags['--authorization-mode']).toBe('Node,RBAC');
    expect(flags.flags['--enable-admission-plugins']).toBe('NodeRestriction');
    expect(flags.flags['--client-ca-file']).toBe('/etc/kubernetes/pki/ca.crt');
    expect(flags.flags['--profiling']).toBeUndefined();
    expect(flags.duplicates).toEqual([]);
  });

  it('reads every kubeadm component manifest', () => {
    expect(flagsOf(readPodFlags(fixture(KUBEADM.etcd), 'etcd')).flags['--client-cert-auth']).toBe('true');
    expect(flagsOf(readPodFlags(fixture(KUBEADM['kube-scheduler']), 'kube-scheduler')).flags['--bind-address']).toBe('127.0.0.1');
    expect(flagsOf(readPodFlags(fixture(KUBEADM['kube-controller-manager']), 'kube-controller-manager')).flags['--use-service-account-credentials']).toBe(
      'true',
    );
  });

  it('lets the last occurrence win, as the component does, and reports duplicates', () => {
    const flags = flagsOf(readPodFlags(fixture(ODD.commented), 'kube-apiserver'));
    expect(flags.flags['--token-auth-file']).toBe('/etc/kubernetes/tokens-old.csv');
    expect(flags.occurrences['--token-auth-file']?.map((o) => o.value)).toEqual(['/etc/kubernetes/tokens.csv', '/etc/kubernetes/tokens-old.csv']);
    expect(flags.duplicates).toEqual(['--token-auth-file']);
  });

  it('reads quoted elements, a bare flag as "true" and a "--flag value" pair, saying which form each has', () => {
    const flags = flagsOf(readPodFlags(fixture(ODD.commented), 'kube-apiserver'));
    expect(flags.flags['--anonymous-auth']).toBe('true');
    expect(flags.flags['--authorization-mode']).toBe('Node,RBAC');
    expect(flags.occurrences['--profiling']).toEqual([{ index: 4, form: 'bare', value: 'true', singleDash: false }]);
    expect(flags.occurrences['--audit-log-maxage']).toEqual([{ index: 7, form: 'separate', value: '7', singleDash: false }]);
  });

  it("names etcd's single-dash flags with two dashes and marks them, since kube-bench does not see them", () => {
    const flags = flagsOf(readPodFlags(fixture(ODD.json), 'etcd'));
    expect(flags.flags['--peer-auto-tls']).toBe('true');
    expect(flags.occurrences['--peer-auto-tls']?.[0]?.singleDash).toBe(true);
    expect(flags.occurrences['--data-dir']?.[0]?.singleDash).toBe(false);
  });

  it('reads flags from args, with the image entrypoint (or command) as the binary', () => {
    const flags = flagsOf(readPodFlags(fixture(ODD.args), 'kube-scheduler'));
    expect(flags.container).toBe('kube-scheduler');
    expect(flags.argv).toEqual(['kube-scheduler', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true']);
    const argsOnly = 'kind: Pod\nspec:\n  containers:\n  - name: etcd\n    args: ["--name=a", "--data-dir=/d"]\n';
    expect(flagsOf(readPodFlags(argsOnly, 'etcd')).flags).toEqual({ '--name': 'a', '--data-dir': '/d' });
  });

  it('uses the first container when none is named like the component', () => {
    const text = pod('    - kube-apiserver\n    - --profiling=false\n');
    expect(flagsOf(readPodFlags(text, 'apiserver')).flags['--profiling']).toBe('false');
    expect(flagsOf(readPodFlags(text)).container).toBe('kube-apiserver');
  });

  it('refuses a component started through a shell, whose flags are one string', () => {
    const result = readPodFlags(fixture(ODD.args));
    expect(result).toEqual({ kind: 'problem', problem: expect.stringContaining('runs its component through sh') });
  });

  it('returns a problem, never throws, for invalid YAML and for what is not a Pod', () => {
    expect(readPodFlags('spec: [unclosed', 'x')).toEqual({ kind: 'problem', problem: expect.stringContaining('not valid YAML') });
    expect(readPodFlags('a: 1\na: 2\n')).toEqual({ kind: 'problem', problem: expect.stringContaining('not valid YAML') });
    expect(readPodFlags('kind: Pod\n---\nkind: Pod\n')).toEqual({ kind: 'problem', problem: expect.stringContaining('not valid YAML') });
    expect(readPodFlags('- a\n')).toEqual({ kind: 'problem', problem: expect.stringContaining('not a YAML mapping') });
    expect(readPodFlags('kind: Deployment\nspec: {}\n')).toEqual({ kind: 'problem', problem: expect.stringContaining('is a Deployment') });
    expect(readPodFlags('kind: Pod\nspec:\n  containers: []\n')).toEqual({ kind: 'problem', problem: expect.stringContaining('no spec.containers') });
    expect(readPodFlags(pod('    - kube-apiserver\n    - {a: b}\n'))).toEqual({ kind: 'problem', problem: expect.stringContaining('not a plain string') });
    expect(readPodFlags('x: &c [a, --b=1]\nkind: Pod\nspec:\n  containers:\n  - name: a\n    command: *c\n')).toEqual({
      kind: 'problem',
      problem: expect.stringContaining('alias'),
    });
    expect(readPodFlags('')).toEqual({ kind: 'problem', problem: expect.stringContaining('not a YAML mapping') });
  });
});
