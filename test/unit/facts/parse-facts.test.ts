/**
 * parseFacts on recorded outputs of the real script (fixtures/*.out, made by
 * fixtures/record-fixtures.ts) and on hand-damaged copies of them.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { BugError, UnreachableError } from '../../../src/model/errors.js';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import type { PathFacts } from '../../../src/facts/types.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const controlPlane = readFileSync(join(fixtures, 'kubeadm-control-plane.out'));
const rhelWorker = readFileSync(join(fixtures, 'rhel-worker.out'));

function contentText(facts: PathFacts | undefined): string | undefined {
  return facts?.exists && facts.content.kind === 'text' ? facts.content.text : undefined;
}

describe('parseFacts on a recorded kubeadm control-plane node', () => {
  const facts = parseFacts('cp-1', controlPlane);

  it('strips the fake root from every path', () => {
    expect(Object.keys(facts.paths).every((p) => p.startsWith('/') && !p.includes('cisfix-fixture'))).toBe(true);
    expect(Object.keys(facts.listings)).toContain('/etc/kubernetes/manifests');
  });

  it('resolves every kube-bench variable and says where each came from', () => {
    const summary = Object.fromEntries(
      Object.entries(facts.resolvedPaths)
        .filter(([key]) => key !== 'cniFiles')
        .map(([key, value]) => [key, value && `${value.source} ${value.path}${value.exists ? '' : ' (absent)'}`]),
    );
    expect(summary).toEqual({
      apiserverManifest: 'candidate /etc/kubernetes/manifests/kube-apiserver.yaml',
      controllerManagerManifest: 'candidate /etc/kubernetes/manifests/kube-controller-manager.yaml',
      schedulerManifest: 'candidate /etc/kubernetes/manifests/kube-scheduler.yaml',
      etcdManifest: 'candidate /etc/kubernetes/manifests/etcd.yaml',
      etcdDataDir: 'process-flag /var/lib/etcd',
      adminConf: 'default /etc/kubernetes/admin.conf',
      superAdminConf: 'default /etc/kubernetes/super-admin.conf',
      schedulerKubeconfig: 'process-flag /etc/kubernetes/scheduler.conf',
      controllerManagerKubeconfig: 'process-flag /etc/kubernetes/controller-manager.conf',
      kubeletKubeconfig: 'process-flag /etc/kubernetes/kubelet.conf',
      kubeletConfig: 'process-flag /var/lib/kubelet/config.yaml',
      kubeletService: 'candidate /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
      kubeletCaFile: 'config-file /etc/kubernetes/pki/ca.crt',
      proxyKubeconfig: 'default /etc/kubernetes/proxy.conf (absent)',
      proxyConfig: 'default /etc/kubernetes/addons/kube-proxy-daemonset.yaml (absent)',
      auditPolicyFile: null,
      encryptionProviderConfig: null,
    });
    expect(facts.resolvedPaths.kubeletService.kubeBenchPath).toBe('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf');
  });

  it('detects the control-plane and etcd roles from the running processes', () => {
    expect(facts.roles.roles).toEqual(['control-plane', 'etcd']);
    expect(facts.processes.map((p) => `${p.pid} ${p.component}`)).toEqual([
      '900 kubelet',
      '1100 etcd',
      '1201 kube-apiserver',
      '1202 kube-controller-manager',
      '1203 kube-scheduler',
    ]);
  });

  it('has the stat, hash and content of the files the benchmark reads', () => {
    const kubeletConfig = facts.paths['/var/lib/kubelet/config.yaml'];
    expect(kubeletConfig).toMatchObject({ exists: true, type: 'file', mode: '644', user: 'root', group: 'root' });
    expect(kubeletConfig?.exists && kubeletConfig.content).toMatchObject({ kind: 'text', verbatim: true });
    expect(contentText(facts.paths['/etc/kubernetes/admin.conf'])).toContain('client-key-data: <redacted by cis-fix>');
    expect(facts.paths['/etc/kubernetes/pki/sa.key']).toMatchObject({ exists: true, mode: '600', content: { kind: 'not-gathered' } });
    expect(facts.listings['/etc/kubernetes/pki']?.entries.filter((p) => p.endsWith('.key'))).toHaveLength(10);
  });

  it('is a pure function of the output', () => {
    expect(parseFacts('cp-1', controlPlane)).toEqual(facts);
  });
});

describe('parseFacts on a recorded RHEL worker', () => {
  const facts = parseFacts('worker-7', rhelWorker);

  it('is a worker whose kube-proxy files come from its command line', () => {
    expect(facts.roles).toEqual({ roles: ['worker'], evidence: ['worker: kubelet runs (pid 812) and kube-apiserver does not'] });
    expect(facts.resolvedPaths.proxyConfig).toMatchObject({
      path: '/etc/kubernetes/kube-proxy.yaml',
      source: 'process-flag',
      origin: 'kube-proxy --config',
      kubeBenchPath: '/etc/kubernetes/addons/kube-proxy-daemonset.yaml',
    });
    expect(facts.resolvedPaths.proxyKubeconfig).toMatchObject({ path: '/etc/kubernetes/proxy.kubeconfig', exists: true });
    expect(contentText(facts.paths['/etc/kubernetes/kube-proxy.yaml'])).toContain('metricsBindAddress: 0.0.0.0:10249');
  });

  it('reads the kubelet flags from /etc/sysconfig/kubelet as its drop-in says', () => {
    expect(facts.kubeletService.environmentFiles.map((e) => `${e.path} ${e.declaredIn ?? 'well-known'} ${e.exists}`)).toEqual([
      '/var/lib/kubelet/kubeadm-flags.env /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf true',
      '/etc/sysconfig/kubelet /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf true',
      '/etc/default/kubelet well-known false',
    ]);
    expect(contentText(facts.paths['/etc/sysconfig/kubelet'])).toContain('--read-only-port=0');
  });

  it('redacts the kubelet kubeconfig token and knows the host', () => {
    expect(contentText(facts.paths['/etc/kubernetes/kubelet.conf'])).toBe('kind: Config\nusers:\n- name: node\n  user:\n    token: <redacted by cis-fix>\n');
    expect(facts.host.os).toEqual({ id: 'rocky', versionId: '9.4', prettyName: 'Rocky Linux 9.4 (Blue Onyx)' });
    expect(facts.groups).toContainEqual({ name: 'wheel', gid: 10, members: ['alice', 'bob'] });
  });
});

describe('parseFacts on damaged output', () => {
  const text = controlPlane.toString('latin1');

  it('ignores a login banner printed before the header', () => {
    const noisy = Buffer.concat([Buffer.from('Welcome to cp-1!\n@@not a section\n'), controlPlane]);
    expect(parseFacts('cp-1', noisy)).toEqual(parseFacts('cp-1', controlPlane));
  });

  it('says the node printed no facts when the header is missing', () => {
    expect(() => parseFacts('cp-1', Buffer.from('sh: 1: Syntax error\n'))).toThrow(UnreachableError);
    expect(() => parseFacts('cp-1', Buffer.from(''))).toThrow(/^cp-1: fact gathering printed no facts/);
  });

  it('says the output was cut off when the end marker is missing', () => {
    const cut = Buffer.from(text.slice(0, text.indexOf('@@stat\n') + 20), 'latin1');
    expect(() => parseFacts('cp-1', cut)).toThrow(UnreachableError);
    expect(() => parseFacts('cp-1', cut)).toThrow(/ended early/);
  });

  it('reports a line that is neither marker nor base64 as a bug, naming the node', () => {
    const broken = Buffer.from(text.replace('@@stat\n', '@@stat\nnot base64!\n'), 'latin1');
    expect(() => parseFacts('cp-1', broken)).toThrow(BugError);
    expect(() => parseFacts('cp-1', broken)).toThrow(/cp-1: facts output line \d+ is neither a section marker nor base64/);
  });

  it('reports an unknown section and a malformed stat payload as bugs', () => {
    expect(() => parseFacts('cp-1', Buffer.from(text.replace('@@stat\n', '@@bogus\n'), 'latin1'))).toThrow(/unknown section "bogus"/);
    const badStat = text.replace(/@@stat\n[^@]*/, `@@stat\n${Buffer.from('/x\0zz\0').toString('base64')}\n`);
    expect(() => parseFacts('cp-1', Buffer.from(badStat, 'latin1'))).toThrow(BugError);
    expect(() => parseFacts('cp-1', Buffer.from(badStat, 'latin1'))).toThrow(/cp-1: malformed facts output: stat output has 2 fields/);
  });
});
