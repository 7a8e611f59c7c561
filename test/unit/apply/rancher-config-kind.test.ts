import { describe, expect, it } from '@jest/globals';
// The registry first: the kind modules are loaded through it, as the apply loop loads them.
import { journalKindOf } from '../../../src/apply/kinds/registry.js';
import { rancherConfigHandler } from '../../../src/apply/kinds/rancher-config.js';
import type { RancherConfigChange } from '../../../src/model/change.js';
import type { RestoreItem } from '../../../src/model/run-journal.js';
import { sha } from './fake-node-io.js';

const CONFIG = '/etc/rancher/rke2/config.yaml';
const AFTER = 'kubelet-arg:\n  - "anonymous-auth=false"\n';
const change: RancherConfigChange = {
  id: `cp-1:rancher-config:${CONFIG}`,
  node: 'cp-1',
  controlIds: ['1.2.16', '4.2.1'],
  kind: 'rancher-config',
  target: CONFIG,
  action: 'update',
  precondition: { exists: true, sha256: sha('x'), mode: '600', uid: 0, gid: 0 },
  restart: 'kubelet',
  service: 'rke2-server',
  edits: ['kubelet-arg: set anonymous-auth=false'],
  diff: '',
  before: { sha256: sha('x') },
  after: {
    content: AFTER,
    sha256: sha(AFTER),
    gates: [
      { component: 'etcd', argv: ['etcd', '--config-file=/c'], url: 'http://127.0.0.1:2381/health' },
      { component: 'kube-apiserver', argv: ['kube-apiserver', '--profiling=false'], url: 'https://127.0.0.1:6443/readyz' },
      { component: 'kubelet', argv: ['/usr/bin/kubelet', '--anonymous-auth=false'], url: 'http://127.0.0.1:10248/healthz' },
    ],
  },
};

describe('the rancher-config kind on the apply side', () => {
  it("restarts the distribution's service and waits for every component it runs, each with its new command line", () => {
    expect(rancherConfigHandler.healthGate(change)).toEqual({
      component: 'kubelet',
      argv: ['/usr/bin/kubelet', '--anonymous-auth=false'],
      url: 'http://127.0.0.1:10248/healthz',
      restart: { daemonReload: false, service: 'rke2-server' },
      also: [
        { component: 'etcd', argv: ['etcd', '--config-file=/c'], url: 'http://127.0.0.1:2381/health' },
        { component: 'kube-apiserver', argv: ['kube-apiserver', '--profiling=false'], url: 'https://127.0.0.1:6443/readyz' },
      ],
    });
  });

  it('journals the service and its components, so that a restore needs nothing but the journal', () => {
    const step = rancherConfigHandler.journalWrite(change, undefined, 'run-1');
    expect(step).toMatchObject({ restart: 'kubelet', service: 'rke2-server', alsoGated: ['etcd', 'kube-apiserver'], expected: { sha256: sha(AFTER) } });
    expect(step.staging).toMatch(/^\/etc\/rancher\/rke2\/\./);
  });

  it('restores by restarting the service again and waiting for the same components, any command line', () => {
    const item: RestoreItem = {
      node: 'cp-1',
      target: CONFIG,
      kind: 'rancher-config',
      original: { mode: '600', uid: 0, gid: 0, sha256: sha('x'), user: 'root', group: 'root' },
      result: undefined,
      restart: 'kubelet',
      service: 'rke2-server',
      alsoGated: ['etcd', 'kube-apiserver'],
    };
    expect(rancherConfigHandler.restoreGate(item)).toEqual({
      component: 'kubelet',
      argv: undefined,
      restart: { daemonReload: false, service: 'rke2-server' },
      also: [
        { component: 'etcd', argv: undefined },
        { component: 'kube-apiserver', argv: undefined },
      ],
    });
    expect(rancherConfigHandler.manualRestore(item, 'run-1').at(-1)).toBe('systemctl restart rke2-server.service');
  });

  it('is known by its journal steps', () => {
    const original = { mode: '600', uid: 0, gid: 0, sha256: sha('x'), user: 'root', group: 'root' };
    expect(journalKindOf({ at: '', node: 'cp-1', phase: 'write-started', changeId: change.id, target: CONFIG, kind: 'rancher-config' }, original)).toBe(
      'rancher-config',
    );
  });

  it('refuses a stale target', () => {
    const now = { exists: true, sha256: sha('changed'), mode: '600', uid: 0, gid: 0, type: 'file' } as Parameters<typeof rancherConfigHandler.precondition>[1];
    expect(rancherConfigHandler.precondition(change, now)).toBe('content changed');
  });
});
