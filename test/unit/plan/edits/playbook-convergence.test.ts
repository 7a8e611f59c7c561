/**
 * Every static-pod-flag step of the real cis-1.12 playbooks, fixed on
 * kubeadm's manifests and on drifted ones: after one round of edits each
 * step is satisfied, kube-bench's own test of the control passes on the
 * resulting command line, a second round changes nothing, and no line
 * outside the edited flags changed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { testsPass } from '../../../../src/evaluate/kube-bench/test-items.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark, ParameterValue, StaticPodComponent, StaticPodFlagStep } from '../../../../src/playbook/types.js';
import { editManifest, fixFor, readPodFlags } from '../../../../src/plan/edits/static-pod-manifest.js';
import type { FlagEdit, PodFlags } from '../../../../src/plan/edits/static-pod-manifest.js';
import { changedLines } from './support/changed-lines.js';
import { fixture, KUBEADM } from './support/fixtures.js';

let benchmark: Benchmark;
let parameters: Record<string, ParameterValue>;
const variables = { pki: ['/etc/kubernetes/pki'] };

beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
  parameters = Object.fromEntries(Object.values(benchmark.parameters).flatMap((p) => (p.default === undefined ? [] : [[p.name, p.default]])));
  // The one path parameter without a default that a flag step uses.
  parameters.kubeletCertificateAuthority = '/etc/kubernetes/pki/ca.crt';
});

function stepsOf(component: StaticPodComponent): { controlId: string; step: StaticPodFlagStep }[] {
  return benchmark.controls.flatMap((control) =>
    control.fix === 'ensure'
      ? control.ensure.flatMap((step) => (step.kind === 'static-pod-flag' && step.component === component ? [{ controlId: control.id, step }] : []))
      : [],
  );
}

function read(text: string, component: string): PodFlags {
  const flags = readPodFlags(text, component);
  if (flags.kind === 'problem') throw new Error(flags.problem);
  return flags;
}

/** One planning round: the edits every unsatisfied step asks for, judged on the manifest as it is. */
function plannedEdits(text: string, component: StaticPodComponent): FlagEdit[] {
  const flags = read(text, component);
  return stepsOf(component).flatMap(({ controlId, step }) => {
    const fix = fixFor(step, flags.occurrences[step.flag], parameters, variables);
    if (fix.kind === 'satisfied') return [];
    if (fix.kind !== 'edits') throw new Error(`${controlId} ${step.flag}: ${JSON.stringify(fix)}`);
    return [...fix.edits];
  });
}

/** kube-bench's verdict for every control with a flag step on this component, from the command line as `ps` would show it. */
function failingKubeBenchControls(text: string, component: StaticPodComponent): string[] {
  const psLine = `root 1 0 0 00:00 ? 00:00:00 ${read(text, component).argv.join(' ')}`;
  const ids = new Set(stepsOf(component).map((s) => s.controlId));
  return benchmark.controls
    .filter((c) => ids.has(c.id) && c.kubeBench.audit?.source === 'process' && c.kubeBench.tests)
    .filter((c) => c.kubeBench.tests && !testsPass(c.kubeBench.tests, psLine, c.kubeBench.useMultipleValues))
    .map((c) => c.id);
}

function converge(text: string, component: StaticPodComponent): string {
  const edits = plannedEdits(text, component);
  const result = editManifest(text, edits, { container: component });
  expect(result.problems).toEqual([]);
  expect(plannedEdits(result.text, component)).toEqual([]);
  expect(editManifest(result.text, edits, { container: component })).toEqual({ text: result.text, changed: false, problems: [] });
  expect(failingKubeBenchControls(result.text, component)).toEqual([]);
  return result.text;
}

/** Every removed line names a flag some step edits: nothing else was touched. */
function onlyFlagLinesRemoved(before: string, after: string, component: StaticPodComponent): void {
  const flags = new Set(stepsOf(component).map((s) => s.step.flag));
  for (const line of changedLines(before, after).removed) expect([...flags].some((flag) => line.includes(flag)) || /^\s*- "?\d+"?$/.test(line)).toBe(true);
}

describe.each(Object.entries(KUBEADM) as [StaticPodComponent, string][])('the cis-1.12 flag steps of %s', (component, file) => {
  it('converge on kubeadm manifest in one round, idempotently, touching only edited flags', () => {
    const before = fixture(file);
    const after = converge(before, component);
    onlyFlagLinesRemoved(before, after, component);
  });
});

describe('the cis-1.12 flag steps on drifted manifests', () => {
  it('repair a drifted kube-apiserver (AlwaysAllow, duplicates, separate values, bad ciphers, a token file)', () => {
    const kubeadm = fixture(KUBEADM['kube-apiserver']);
    const drifted = kubeadm
      .replace('--authorization-mode=Node,RBAC', '--authorization-mode=AlwaysAllow')
      .replace('--enable-admission-plugins=NodeRestriction', '--enable-admission-plugins=AlwaysAdmit,NamespaceLifecycle')
      .replace(
        '    - --secure-port=6443\n',
        '    - --secure-port=6443\n    - --profiling\n    - --token-auth-file=/etc/kubernetes/tokens.csv\n    - --disable-admission-plugins=ServiceAccount,DefaultStorageClass\n    - --audit-log-maxage\n    - "7"\n    - --tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA,TLS_AES_128_GCM_SHA256\n    - --profiling=false\n',
      )
      .replace('    - --client-ca-file=/etc/kubernetes/pki/ca.crt\n', '');
    expect(failingKubeBenchControls(drifted, 'kube-apiserver').length).toBeGreaterThan(5);
    const after = converge(drifted, 'kube-apiserver');
    const flags = read(after, 'kube-apiserver').flags;
    expect(flags['--authorization-mode']).toBe('Node,RBAC');
    expect(flags['--disable-admission-plugins']).toBe('DefaultStorageClass');
    expect(flags['--enable-admission-plugins']).toBe('NamespaceLifecycle,DenyServiceExternalIPs,EventRateLimit,AlwaysPullImages,NodeRestriction');
    expect(flags['--client-ca-file']).toBe('/etc/kubernetes/pki/ca.crt');
    expect(flags['--token-auth-file']).toBeUndefined();
    expect(read(after, 'kube-apiserver').duplicates).toEqual([]);
  });

  it('repair a drifted controller manager and etcd', () => {
    const cm = fixture(KUBEADM['kube-controller-manager'])
      .replace('--bind-address=127.0.0.1', '--bind-address=0.0.0.0')
      .replace(
        '    - --use-service-account-credentials=true\n',
        '    - --use-service-account-credentials=true\n    - --feature-gates=RotateKubeletServerCertificate=false,Foo=true\n',
      );
    expect(read(converge(cm, 'kube-controller-manager'), 'kube-controller-manager').flags['--feature-gates']).toBe('Foo=true');
    const etcd = fixture(KUBEADM.etcd)
      .replace('--client-cert-auth=true', '--client-cert-auth=false')
      .replace('    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n', '    - -auto-tls=true\n');
    const after = read(converge(etcd, 'etcd'), 'etcd').flags;
    expect(after['--auto-tls']).toBe('false');
    expect(after['--cert-file']).toBe('/etc/kubernetes/pki/etcd/server.crt');
  });
});
