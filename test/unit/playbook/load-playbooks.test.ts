import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPlaybooksDir, listBenchmarks, loadBenchmark, selectBenchmark } from '../../../src/playbook/load-playbooks.js';
import { templateVariables } from '../../../src/playbook/path-template.js';
import { checkParameterValue } from '../../../src/playbook/parameter-value.js';
import { ENSURE_KINDS, isParamRef, type Benchmark, type Control, type EnsureStep } from '../../../src/playbook/types.js';

/** "1.1", 3 → 1.1.1, 1.1.2, 1.1.3 */
function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}.${i + 1}`);
}

// The control ids of kube-bench's cfg/cis-1.12 and cfg/cis-1.11, section by section.
const CIS_1_12_IDS = [
  ...ids('1.1', 21),
  ...ids('1.2', 30),
  ...ids('1.3', 7),
  ...ids('1.4', 2),
  ...ids('2', 7),
  ...ids('3.1', 3),
  ...ids('3.2', 2),
  ...ids('4.1', 10),
  ...ids('4.2', 14),
  ...ids('4.3', 1),
  ...ids('5.1', 13),
  ...ids('5.2', 12),
  ...ids('5.3', 2),
  ...ids('5.4', 2),
  ...ids('5.5', 1),
  ...ids('5.6', 4),
];
const CIS_1_11_IDS = [
  ...ids('1.1', 21),
  ...ids('1.2', 30),
  ...ids('1.3', 7),
  ...ids('1.4', 2),
  ...ids('2', 7),
  ...ids('3.1', 3),
  ...ids('3.2', 2),
  ...ids('4.1', 10),
  ...ids('4.2', 15),
  ...ids('4.3', 1),
  ...ids('5.1', 13),
  ...ids('5.2', 13),
  ...ids('5.3', 2),
  ...ids('5.4', 2),
  ...ids('5.5', 1),
  ...ids('5.6', 4),
];

// The allowed cipher lists, from the cis-1.11 → cis-1.12 version diff.
const API_SUITES_1_12 =
  'TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256';
const API_CBC_SUITES_DROPPED = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
];
const KUBELET_SUITES_1_12 =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';
const KUBELET_RSA_SUITES_DROPPED = ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_AES_128_GCM_SHA256'];

let cis112: Benchmark;
let cis111: Benchmark;

beforeAll(async () => {
  [cis112, cis111] = await Promise.all([loadBenchmark('cis-1.12'), loadBenchmark('cis-1.11')]);
});

function control(benchmark: Benchmark, id: string): Control {
  const found = benchmark.controls.find((c) => c.id === id);
  if (!found) throw new Error(`no control ${id} in ${benchmark.id}`);
  return found;
}

function cipherList(benchmark: Benchmark, id: string): string[] {
  const value = control(benchmark, id).kubeBench.tests?.items[0]?.compare?.value ?? '';
  return value.split(',');
}

function stepsOf(c: Control): readonly EnsureStep[] {
  return c.fix === 'ensure' ? c.ensure : [];
}

describe('the shipped playbooks', () => {
  it('are found relative to the package root', () => {
    expect(existsSync(join(defaultPlaybooksDir(), 'cis-1.12', 'benchmark.yaml'))).toBe(true);
  });

  it('load for cis-1.12 with 131 controls and cis-1.11 with 133', () => {
    expect(cis112.controls).toHaveLength(131);
    expect(cis111.controls).toHaveLength(133);
  });

  it('have exactly the ids of each benchmark, in numeric order', () => {
    expect(cis112.controls.map((c) => c.id)).toEqual(CIS_1_12_IDS);
    expect(cis111.controls.map((c) => c.id)).toEqual(CIS_1_11_IDS);
  });

  it('map the Kubernetes versions as kube-bench does', async () => {
    const infos = await listBenchmarks();
    expect(infos.filter((b) => b.distribution === 'kubeadm').map((b) => b.id)).toEqual(['cis-1.12', 'cis-1.11']);
    expect(selectBenchmark('v1.29.3', infos)?.id).toBe('cis-1.11');
    expect(selectBenchmark('1.31', infos)?.id).toBe('cis-1.11');
    expect(selectBenchmark('v1.32.0', infos)?.id).toBe('cis-1.12');
    expect(selectBenchmark('v1.36.1', infos)?.id).toBe('cis-1.12');
    expect(selectBenchmark('v1.27.0', infos)).toBeUndefined();
  });

  it('never pick a distribution benchmark by version alone, however its range reads', async () => {
    const infos = await listBenchmarks();
    expect(
      infos
        .filter((b) => b.distribution !== 'kubeadm')
        .map((b) => `${b.id}:${b.distribution}`)
        .sort(),
    ).toEqual(['aks-1.8:aks', 'eks-1.8.0:eks', 'gke-1.9.0:gke', 'k3s-cis-1.9:k3s', 'rke2-cis-1.8:rke2']);
    for (const version of ['v1.26.0', 'v1.27.4', 'v1.28.1', 'v1.30.2', 'v1.33.0']) {
      expect(['cis-1.11', 'cis-1.12', undefined]).toContain(selectBenchmark(version, infos)?.id);
    }
    expect(selectBenchmark('v1.27.4+k3s1', infos, 'k3s')?.id).toBe('k3s-cis-1.9');
  });

  it.each([
    ['cis-1.12', () => cis112],
    ['cis-1.11', () => cis111],
  ])('give every Automated control of 1.1 and 4.1 in %s a file-mode or file-owner ensure block', (_id, get) => {
    const fileControls = get().controls.filter((c) => (c.section === '1.1' || c.section === '4.1') && c.assessment === 'Automated');
    expect(fileControls.length).toBeGreaterThanOrEqual(23);
    for (const c of fileControls) {
      expect({ id: c.id, fix: c.fix }).toEqual({ id: c.id, fix: 'ensure' });
      for (const step of stepsOf(c)) expect(['file-mode', 'file-owner']).toContain(step.kind);
    }
  });

  it('fix every control of 1.1 and 4.1, Manual ones included, with file steps', () => {
    for (const c of cis112.controls.filter((c) => c.section === '1.1' || c.section === '4.1')) {
      expect({ id: c.id, fix: c.fix }).toEqual({ id: c.id, fix: 'ensure' });
    }
  });

  it('make the proxy kubeconfig steps of 4.1.3 and 4.1.4 optional, as "if exists" says', () => {
    for (const id of ['4.1.3', '4.1.4']) {
      expect(stepsOf(control(cis112, id)).every((s) => (s.kind === 'file-mode' || s.kind === 'file-owner') && s.optional)).toBe(true);
    }
  });

  it('take the 4.1.7 client CA both as kube-bench finds it and from the kubelet config', () => {
    const paths = stepsOf(control(cis112, '4.1.7')).map((s) => (s.kind === 'file-mode' ? s.path : ''));
    expect(paths).toEqual(['{kubeletClientCaFile}', '{kubeletConfigClientCaFile}']);
    expect(cis112.variables.kubeletConfigClientCaFile?.from).toEqual([{ type: 'kubelet-config', key: 'authentication.x509.clientCAFile' }]);
  });

  it('cover the PKI keys and certificates below pki/ recursively', () => {
    expect(stepsOf(control(cis112, '1.1.20'))).toMatchObject([{ kind: 'file-mode', path: '{pki}/**/*.crt', maxMode: '644', fileType: 'file' }]);
    expect(stepsOf(control(cis112, '1.1.21'))).toMatchObject([{ kind: 'file-mode', path: '{pki}/**/*.key', maxMode: '600', fileType: 'file' }]);
  });

  it('leave 1.1.12 unfixable until the etcd data directory owner is chosen', () => {
    const c = control(cis112, '1.1.12');
    expect(c.parameters).toEqual(['etcdDataDirOwner']);
    expect(cis112.parameters.etcdDataDirOwner?.default).toBeUndefined();
    expect(stepsOf(c)).toMatchObject([{ kind: 'file-owner', owner: { param: 'etcdDataDirOwner' }, createMissingUser: true }]);
  });

  it('have the cis-1.12 cipher lists for 1.2.29 and 4.2.12, shorter than cis-1.11 by the suites the version diff drops', () => {
    expect(cipherList(cis112, '1.2.29').join(',')).toBe(API_SUITES_1_12);
    expect(cipherList(cis112, '4.2.12').join(',')).toBe(KUBELET_SUITES_1_12);
    expect(new Set(cipherList(cis111, '1.2.29'))).toEqual(new Set([...API_SUITES_1_12.split(','), ...API_CBC_SUITES_DROPPED]));
    expect(cipherList(cis111, '4.2.12')).toEqual([...KUBELET_SUITES_1_12.split(','), ...KUBELET_RSA_SUITES_DROPPED]);
  });

  it('default the cipher parameters to suites each benchmark allows', () => {
    for (const b of [cis112, cis111]) {
      const api = b.parameters.apiserverTlsCipherSuites?.default as string[];
      const kubelet = b.parameters.kubeletTlsCipherSuites?.default as string[];
      expect(api.every((s) => cipherList(b, '1.2.29').includes(s))).toBe(true);
      expect(kubelet.every((s) => cipherList(b, '4.2.12').includes(s))).toBe(true);
    }
    expect(cis112.parameters.kubeletTlsCipherSuites?.default).not.toEqual(cis111.parameters.kubeletTlsCipherSuites?.default);
  });

  it('renumber 5.2.10–5.2.13 of cis-1.11 to 5.2.9–5.2.12 of cis-1.12 and drop 4.2.15', () => {
    expect(control(cis111, '5.2.10').title).toBe(control(cis112, '5.2.9').title);
    expect(control(cis111, '5.2.13').title).toBe(control(cis112, '5.2.12').title);
    expect(control(cis111, '4.2.15').title).toBe('Ensure that the --IPAddressDeny is set to any');
    expect(cis112.controls.some((c) => c.title.includes('IPAddressDeny'))).toBe(false);
  });

  it.each([
    ['cis-1.12', () => cis112],
    ['cis-1.11', () => cis111],
  ])('in %s keep the invariants the loader promises', (_id, get) => {
    const b = get();
    for (const c of b.controls) {
      expect(c.title).not.toMatch(/\((Automated|Manual)\)$/);
      expect(c.kubeBench.scored).toBe(c.assessment === 'Automated');
      expect(c.scope === 'cluster').toBe(c.kubeBench.target === 'policies');
      expect(c.roles.length > 0).toBe(c.scope === 'node');
      expect(c.kubeBench.type === 'manual').toBe(c.kubeBench.audit === undefined);
      for (const step of stepsOf(c)) {
        expect(ENSURE_KINDS).toContain(step.kind);
        if ((step.kind === 'file-mode' || step.kind === 'file-owner') && typeof step.path === 'string') {
          for (const name of templateVariables(step.path)) expect(b.variables[name]).toBeDefined();
        }
      }
      if (c.fix === 'manual') {
        expect(c.manual.reason.length).toBeGreaterThan(20);
        expect(c.manual.guidance.length).toBeGreaterThan(20);
      }
    }
  });

  it('give every parameter a valid default or none', () => {
    for (const b of [cis112, cis111]) {
      for (const p of Object.values(b.parameters)) {
        if (p.default !== undefined) expect(checkParameterValue(p, p.default)).toBeUndefined();
      }
    }
  });

  it('record which parameters a control uses, gates included', () => {
    expect(control(cis112, '1.2.11').parameters).toEqual(['enableAlwaysPullImages']);
    expect(control(cis112, '1.2.9').parameters).toEqual(['admissionControlConfigPath', 'eventRateLimitBurst', 'eventRateLimitQps']);
    const step = stepsOf(control(cis112, '1.2.17'))[0];
    expect(step?.kind === 'static-pod-flag' && step.requirement.op === 'at-least' && isParamRef(step.requirement.value)).toBe(true);
  });

  it('never put the encryption key into the playbook, only a placeholder generated on the node', () => {
    const step = stepsOf(control(cis112, '1.2.27')).find((s) => s.kind === 'support-file');
    expect(step).toMatchObject({ generatedSecrets: [{ name: 'encryptionKey', scope: 'cluster' }], onExisting: 'keep' });
    expect(step?.kind === 'support-file' && step.content.includes('${secret.encryptionKey}')).toBe(true);
  });
});
