import { describe, expect, it } from '@jest/globals';
import { classifyProcess } from '../../../src/facts/component-processes.js';
import { detectRoles } from '../../../src/facts/detect-roles.js';
import type { ComponentProcess } from '../../../src/facts/types.js';

describe('classifyProcess', () => {
  it('confirms the truncated comm kube-controller by argv[0]', () => {
    expect(classifyProcess('kube-controller', ['/usr/local/bin/kube-controller-manager', '--v=2'])).toBe('kube-controller-manager');
    expect(classifyProcess('kube-controller', ['/opt/kube-controller-proxy'])).toBeUndefined();
  });

  it('tells hyperkube subcommands apart and ignores other names', () => {
    expect(classifyProcess('hyperkube', ['/hyperkube', 'kubelet', '--config=/c'])).toBe('kubelet');
    expect(classifyProcess('hyperkube', ['/hyperkube', 'apiserver'])).toBe('kube-apiserver');
    expect(classifyProcess('hyperkube', ['/hyperkube', 'kubectl'])).toBeUndefined();
    expect(classifyProcess('etcd', ['etcd'])).toBe('etcd');
  });
});

describe('detectRoles', () => {
  const proc = (component: ComponentProcess['component'], pid: number): ComponentProcess => ({
    pid,
    comm: component.slice(0, 15),
    component,
    argv: [component],
    environment: {},
  });

  it('calls a node with a kubelet and no apiserver a worker, and an apiserver node control-plane', () => {
    expect(detectRoles({ kubelet: proc('kubelet', 1) }).roles).toEqual(['worker']);
    expect(detectRoles({ kubelet: proc('kubelet', 1), 'kube-apiserver': proc('kube-apiserver', 2) }).roles).toEqual(['control-plane']);
    expect(detectRoles({ etcd: proc('etcd', 3) }).roles).toEqual(['etcd']);
    expect(detectRoles({}).roles).toEqual([]);
  });
});
