/**
 * Reading RBAC rules: which verbs a rule grants on a resource, and which
 * roles and subjects are the cluster's own. Pure.
 */
import type { BindingFacts, PolicyRuleFacts, RoleFacts, SubjectFacts } from '../../facts/cluster/types.js';
import { isSystemNamespace } from './cluster-context.js';

/** The verbs of `verbs` that `rule` grants on `resource` in API group `group` ("" = core). */
export function grantedVerbs(rule: PolicyRuleFacts, group: string, resource: string, verbs: readonly string[]): string[] {
  const groupOk = rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
  const [base] = resource.split('/');
  const resourceOk = rule.resources.includes('*') || rule.resources.includes(resource) || (resource.includes('/') && rule.resources.includes(`${base}/*`));
  if (!groupOk || !resourceOk) return [];
  return rule.verbs.includes('*') ? [...verbs] : verbs.filter((v) => rule.verbs.includes(v));
}

/**
 * Roles the API server itself creates and reconciles at every start
 * (annotation rbac.authorization.kubernetes.io/autoupdate: "true"): an edit
 * to them is reverted, so cis-fix never edits them and does not count them.
 */
export function isAutoReconciled(role: RoleFacts): boolean {
  return role.annotations['rbac.authorization.kubernetes.io/autoupdate'] === 'true';
}

/** Why cis-fix never edits this role, or undefined when it is an ordinary one. */
export function neverEditedBecause(role: RoleFacts): string | undefined {
  if (isAutoReconciled(role)) return 'built-in, reconciled by the API server at every start (an edit would be reverted)';
  if (role.aggregated) return 'aggregated: the controller rebuilds its rules from the ClusterRoles its aggregationRule selects (those are listed themselves)';
  return undefined;
}

export function describeRole(role: RoleFacts): string {
  return `${role.kind} ${role.namespace ? `${role.namespace}/` : ''}${role.name}`;
}

export function describeBinding(binding: BindingFacts): string {
  return `${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name}`;
}

export function describeSubject(subject: SubjectFacts): string {
  return subject.kind === 'ServiceAccount' ? `ServiceAccount ${subject.namespace ?? '?'}/${subject.name}` : `${subject.kind} ${subject.name}`;
}

/**
 * Subjects that are part of Kubernetes itself: `system:` users and groups
 * (nodes, controllers, the scheduler) and service accounts of the system
 * namespaces. They are reported, not counted: removing their access breaks
 * the cluster.
 */
export function isSystemSubject(subject: SubjectFacts): boolean {
  if (subject.kind === 'ServiceAccount') return isSystemNamespace(subject.namespace ?? '');
  return subject.name.startsWith('system:');
}

/** The role a binding refers to (a RoleBinding may name a ClusterRole). */
export function boundRole(binding: BindingFacts, clusterRoles: readonly RoleFacts[], roles: readonly RoleFacts[]): RoleFacts | undefined {
  if (binding.roleRef.kind === 'ClusterRole') return clusterRoles.find((r) => r.name === binding.roleRef.name);
  return roles.find((r) => r.name === binding.roleRef.name && r.namespace === binding.namespace);
}
