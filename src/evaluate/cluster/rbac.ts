/**
 * Section 5.1 RBAC checks (the same ids in cis-1.11 and cis-1.12): who is
 * bound to cluster-admin (5.1.1), and which roles grant reading Secrets
 * (5.1.2), wildcards (5.1.3), creating pods (5.1.4), bind/impersonate/
 * escalate (5.1.8), creating persistent volumes (5.1.9), nodes/proxy
 * (5.1.10), CSR approval (5.1.11), webhook configurations (5.1.12) and
 * service account token creation (5.1.13). Pure.
 *
 * How roles are counted: an ordinary Role or ClusterRole that grants the
 * access fails, by name. A built-in (auto-reconciled) or aggregated role is
 * never edited and not counted itself — but every binding that gives it to
 * a non-system subject fails, naming the binding and the subject.
 */
import type { BindingFacts, PolicyRuleFacts, RoleFacts } from '../../facts/cluster/types.js';
import type { ClusterVerdict } from './cluster-finding.js';
import { namespaceInScope, type ClusterContext } from './cluster-context.js';
import { boundRole, describeBinding, describeRole, describeSubject, grantedVerbs, isSystemSubject, neverEditedBecause } from './rbac-rules.js';

export interface RbacFacts {
  readonly clusterRoles: readonly RoleFacts[];
  readonly roles: readonly RoleFacts[];
  readonly clusterRoleBindings: readonly BindingFacts[];
  readonly roleBindings: readonly BindingFacts[];
}

/**
 * 5.1.1. kubeadm clusters work through two cluster-admin grants that are not
 * counted: the `cluster-admin` ClusterRoleBinding to group `system:masters`
 * (certificates with O=system:masters: super-admin.conf; 5.1.7 covers it) and
 * kubeadm's `kubeadm:cluster-admins` binding of the group of the same name
 * (admin.conf, since kubeadm 1.29) — removing either locks the
 * administrators out. Every other non-system subject bound to cluster-admin
 * fails.
 */
export function evaluateClusterAdminBindings(rbac: RbacFacts, ctx: ClusterContext): ClusterVerdict {
  const failing: string[] = [];
  const exempt: string[] = [];
  const bindings = [...rbac.clusterRoleBindings, ...rbac.roleBindings].filter((b) => b.roleRef.kind === 'ClusterRole' && b.roleRef.name === 'cluster-admin');
  for (const binding of bindings) {
    for (const subject of binding.subjects) {
      const what = `${describeBinding(binding)} binds ${describeSubject(subject)} to cluster-admin`;
      if (subject.kind === 'Group' && subject.name === 'system:masters') exempt.push(`${what} (the API server's built-in super-user group; see 5.1.7)`);
      else if (subject.kind === 'Group' && subject.name === 'kubeadm:cluster-admins') exempt.push(`${what} (kubeadm's admin.conf identity)`);
      else if (isSystemSubject(subject)) exempt.push(`${what} (system subject)`);
      else if (binding.namespace && !namespaceInScope(binding.namespace, ctx.parameters)) exempt.push(`${what} (system namespace)`);
      else failing.push(what);
    }
  }
  return {
    expected: 'cluster-admin bound only to the subjects that need it (kubeadm: system:masters and kubeadm:cluster-admins)',
    failing,
    exempt,
    checked: `${bindings.length} binding(s) to cluster-admin`,
  };
}

/** What an RBAC control looks for in a rule: a description of the grant, or undefined. */
export type RuleTest = (rule: PolicyRuleFacts) => string | undefined;

/** Grants of `verbs` on `resource` (group "" is core). */
export function grantTest(group: string, resource: string, verbs: readonly string[]): RuleTest {
  return (rule) => {
    const granted = grantedVerbs(rule, group, resource, verbs);
    if (!granted.length) return undefined;
    return `${granted.join(', ')} ${resource}${rule.resourceNames.length ? ` (${rule.resourceNames.join(', ')})` : ''}`;
  };
}

/** 5.1.3: "*" in verbs or resources (kube-bench's test; apiGroups: ["*"] alone is not counted). */
export const wildcardTest: RuleTest = (rule) => {
  const parts = [rule.verbs.includes('*') ? 'verbs' : '', rule.resources.includes('*') ? 'resources' : ''].filter(Boolean);
  return parts.length ? `"*" in ${parts.join(' and ')}` : undefined;
};

/** Roles matching `test` (ordinary ones fail; built-in and aggregated ones fail through their bindings to non-system subjects). */
export function evaluateRoleGrants(rbac: RbacFacts, ctx: ClusterContext, tests: readonly RuleTest[], expected: string): ClusterVerdict {
  const failing: string[] = [];
  const exempt: string[] = [];
  const grantsOf = (role: RoleFacts) => [...new Set(role.rules.flatMap((rule) => tests.map((t) => t(rule)).filter((g): g is string => g !== undefined)))];
  const matched = new Map<RoleFacts, string[]>();
  for (const role of [...rbac.clusterRoles, ...rbac.roles]) {
    const grants = grantsOf(role);
    if (!grants.length) continue;
    matched.set(role, grants);
    const why = neverEditedBecause(role);
    if (why) exempt.push(`${describeRole(role)}: ${grants.join('; ')} (${why})`);
    else if (role.namespace && !namespaceInScope(role.namespace, ctx.parameters)) exempt.push(`${describeRole(role)}: ${grants.join('; ')} (system namespace)`);
    else if (role.name.startsWith('system:') && role.kind === 'ClusterRole') exempt.push(`${describeRole(role)}: ${grants.join('; ')} (system role)`);
    else failing.push(`${describeRole(role)}: ${grants.join('; ')}`);
  }
  for (const binding of [...rbac.clusterRoleBindings, ...rbac.roleBindings]) {
    const role = boundRole(binding, rbac.clusterRoles, rbac.roles);
    if (!role || !matched.has(role) || !neverEditedBecause(role)) continue;
    if (binding.namespace && !namespaceInScope(binding.namespace, ctx.parameters)) continue;
    for (const subject of binding.subjects.filter((s) => !isSystemSubject(s))) {
      // kubeadm's administrators (see evaluateClusterAdminBindings) hold cluster-admin by design.
      if (subject.kind === 'Group' && (subject.name === 'kubeadm:cluster-admins' || subject.name === 'system:masters')) continue;
      failing.push(`${describeBinding(binding)} gives ${describeSubject(subject)} ${describeRole(role)} (${matched.get(role)?.join('; ')})`);
    }
  }
  return { expected, failing, exempt, checked: `${rbac.clusterRoles.length + rbac.roles.length} role(s)` };
}

/** The RBAC controls evaluated by role grants, by id (identical in cis-1.11 and cis-1.12). */
export const ROLE_GRANT_CONTROLS: Readonly<Record<string, { readonly tests: readonly RuleTest[]; readonly expected: string }>> = {
  '5.1.2': { tests: [grantTest('', 'secrets', ['get', 'list', 'watch'])], expected: 'no get, list or watch on secrets outside the system roles' },
  '5.1.3': { tests: [wildcardTest], expected: 'no "*" in verbs or resources outside the built-in roles' },
  '5.1.4': { tests: [grantTest('', 'pods', ['create'])], expected: 'no create on pods outside the system roles' },
  '5.1.8': {
    tests: [
      grantTest('rbac.authorization.k8s.io', 'clusterroles', ['bind', 'escalate']),
      grantTest('rbac.authorization.k8s.io', 'roles', ['bind', 'escalate']),
      grantTest('', 'users', ['impersonate']),
      grantTest('', 'groups', ['impersonate']),
      grantTest('', 'serviceaccounts', ['impersonate']),
    ],
    expected: 'no bind, escalate or impersonate outside the system roles',
  },
  '5.1.9': { tests: [grantTest('', 'persistentvolumes', ['create'])], expected: 'no create on persistentvolumes outside the system roles' },
  '5.1.10': {
    tests: [grantTest('', 'nodes/proxy', ['get', 'create', 'update', 'patch', 'delete'])],
    expected: 'no access to nodes/proxy outside the system roles',
  },
  '5.1.11': {
    tests: [grantTest('certificates.k8s.io', 'certificatesigningrequests/approval', ['update', 'patch'])],
    expected: 'no update on certificatesigningrequests/approval outside the system roles',
  },
  '5.1.12': {
    tests: [
      grantTest('admissionregistration.k8s.io', 'validatingwebhookconfigurations', ['create', 'update', 'patch', 'delete']),
      grantTest('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', ['create', 'update', 'patch', 'delete']),
    ],
    expected: 'no write access to webhook configurations outside the system roles',
  },
  '5.1.13': { tests: [grantTest('', 'serviceaccounts/token', ['create'])], expected: 'no create on serviceaccounts/token outside the system roles' },
};
