/** Roles read from the running processes (rules in types.ts DetectedRoles). Pure. */

import type { Role } from '../model/roles.js';
import type { Component, ComponentProcess, DetectedRoles } from './types.js';

export function detectRoles(components: Readonly<Partial<Record<Component, ComponentProcess>>>): DetectedRoles {
  const roles: Role[] = [];
  const evidence: string[] = [];
  const apiserver = components['kube-apiserver'];
  const etcd = components.etcd;
  const kubelet = components.kubelet;
  if (apiserver) {
    roles.push('control-plane');
    evidence.push(`control-plane: kube-apiserver runs (pid ${apiserver.pid})`);
  }
  if (etcd) {
    roles.push('etcd');
    evidence.push(`etcd: etcd runs (pid ${etcd.pid})`);
  }
  if (kubelet && !apiserver) {
    roles.push('worker');
    evidence.push(`worker: kubelet runs (pid ${kubelet.pid}) and kube-apiserver does not`);
  }
  return { roles, evidence };
}
