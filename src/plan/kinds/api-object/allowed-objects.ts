import type { ApiObjectChange } from '../../../model/api-object-change.js';
import type { Benchmark } from '../../../playbook/types.js';
import { DEFAULT_DENY_NAME } from './default-deny-policy.js';

/**
 * API objects the playbooks name: the kinds (and names) of their api-object
 * steps, kube-proxy's ConfigMap and DaemonSet for kube-proxy settings, the
 * bindings 5.1.1 reviews and the default-deny NetworkPolicy of 5.3.2.
 * Nothing is ever deleted.
 */
export function apiObjectViolation(change: ApiObjectChange, benchmark: Benchmark): string | undefined {
  const { object } = change;
  if (change.action === 'delete') return 'action: cis-fix never deletes API objects';
  const allowed: { kind: string; apiVersion: string; names?: readonly string[]; namespace?: string; actions: readonly string[] }[] = [];
  for (const control of benchmark.controls) {
    if (control.id === '5.1.1') {
      allowed.push({ kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', actions: ['patch'] });
      allowed.push({ kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', actions: ['patch'] });
    }
    if (control.id === '5.3.2') allowed.push({ kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', names: [DEFAULT_DENY_NAME], actions: ['create'] });
    if (control.fix !== 'ensure') continue;
    for (const step of control.ensure) {
      if (step.kind === 'api-object') {
        allowed.push({
          kind: step.objectKind,
          apiVersion: step.apiVersion,
          ...(step.selector.names ? { names: step.selector.names } : {}),
          actions: ['patch'],
        });
      }
      if (step.kind === 'kube-proxy-setting') {
        allowed.push({ kind: 'ConfigMap', apiVersion: 'v1', names: ['kube-proxy'], namespace: 'kube-system', actions: ['patch'] });
        allowed.push({ kind: 'DaemonSet', apiVersion: 'apps/v1', names: ['kube-proxy'], namespace: 'kube-system', actions: ['patch'] });
      }
    }
  }
  const fits = allowed.some(
    (a) =>
      a.kind === object.kind &&
      a.apiVersion === object.apiVersion &&
      (a.names === undefined || a.names.includes(object.name)) &&
      (a.namespace === undefined || a.namespace === object.namespace) &&
      a.actions.includes(change.action),
  );
  if (!fits)
    return `object: ${change.action} of ${object.apiVersion} ${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name} is not an object the playbooks name`;
  return undefined;
}
