import { describe, expect, it } from '@jest/globals';
import { componentSource, configuredElsewhere } from '../../../../src/evaluate/component-source.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { labFacts } from '../kubelet/support/kubelet-node.js';
import { rke2Facts } from './rke2-facts.js';

describe('which source configures a component on a node', () => {
  it('on an RKE2 server, config.yaml and its drop-ins in reading order, restarted through rke2-server', () => {
    const source = componentSource('kube-apiserver', rke2Facts('cp-1'), ['control-plane', 'etcd'], {});
    expect(source).toMatchObject({
      kind: 'rancher-config',
      key: 'kube-apiserver-arg',
      distribution: 'rke2',
      service: 'rke2-server',
      problem: undefined,
    });
    if (source.kind !== 'rancher-config') return;
    expect(source.files.map((f) => [f.path, f.exists])).toEqual([
      ['/etc/rancher/rke2/config.yaml', true],
      ['/etc/rancher/rke2/config.yaml.d/50-debug.yaml', true],
    ]);
    expect(source.files[0]!.text).toContain('# Left over from a debugging session');
  });

  it('on an RKE2 agent, the kubelet through kubelet-arg and rke2-agent', () => {
    expect(componentSource('kubelet', rke2Facts('worker-1'), ['worker'], {})).toMatchObject({
      kind: 'rancher-config',
      key: 'kubelet-arg',
      service: 'rke2-agent',
    });
  });

  it("routes RKE2's etcd to etcd-arg when its generated config file was gathered verbatim (the plan predicts that file)", () => {
    expect(componentSource('etcd', rke2Facts('cp-1'), ['control-plane', 'etcd'], {})).toMatchObject({
      kind: 'rancher-config',
      key: 'etcd-arg',
      service: 'rke2-server',
      problem: undefined,
    });
  });

  it("refuses RKE2's etcd, with a reason, when its generated config file is missing", () => {
    const facts = rke2Facts('cp-1');
    const path = '/var/lib/rancher/rke2/server/db/etcd/config';
    const missing: NodeFacts = { ...facts, paths: { ...facts.paths, [path]: { path, exists: false } as NodeFacts['paths'][string] } };
    const source = componentSource('etcd', missing, ['control-plane', 'etcd'], {});
    expect(source.kind === 'rancher-config' && source.problem).toMatch(/RKE2 has not written etcd's config file/);
  });

  it('reads a config.yaml gathered redacted (a token) for its keys, marked so that it is never edited', () => {
    const facts = rke2Facts('cp-1');
    const config = facts.paths['/etc/rancher/rke2/config.yaml']!;
    if (!config.exists || config.content.kind !== 'text') throw new Error('fixture without config.yaml');
    const redacted: NodeFacts = {
      ...facts,
      paths: {
        ...facts.paths,
        [config.path]: { ...config, content: { kind: 'text', text: `${config.content.text}token: <redacted by cis-fix>\n`, verbatim: false } },
      },
    };
    const source = componentSource('kube-scheduler', redacted, ['control-plane'], {});
    if (source.kind !== 'rancher-config') throw new Error(source.kind);
    expect(source.problem).toBeUndefined();
    expect(source.files[0]).toMatchObject({
      path: config.path,
      exists: true,
      sha256: undefined,
      redacted: true,
      text: expect.stringContaining('kube-scheduler-arg'),
    });
  });

  it("on a kubeadm node, the component's own files", () => {
    expect(componentSource('kube-apiserver', labFacts('lab-drifted'), ['control-plane'], {})).toEqual({ kind: 'own-files', component: 'kube-apiserver' });
    expect(componentSource('kubelet', labFacts('lab-drifted'), ['control-plane'], {})).toEqual({ kind: 'own-files', component: 'kubelet' });
  });

  it('sends flag and kubelet controls of an RKE2 node to their source, and leaves file controls and kubeadm nodes alone', async () => {
    const benchmark = await loadBenchmark('rke2-cis-1.8');
    const control = (id: string) => benchmark.controls.find((c) => c.id === id)!;
    const rke2 = rke2Facts('cp-1');
    expect(configuredElsewhere(control('1.2.16'), rke2, ['control-plane'], {})).toBe(true);
    expect(configuredElsewhere(control('4.2.1'), rke2, ['control-plane'], {})).toBe(true);
    expect(configuredElsewhere(control('1.1.1'), rke2, ['control-plane'], {})).toBe(false);
    expect(configuredElsewhere(control('1.2.16'), labFacts('lab-drifted'), ['control-plane'], {})).toBe(false);
  });
});
