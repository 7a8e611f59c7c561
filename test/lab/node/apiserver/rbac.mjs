// Authorization. The --authorization-mode of the kube-apiserver manifest is
// honoured as a chain: AlwaysAllow allows everything, AlwaysDeny nothing,
// RBAC evaluates the stored (Cluster)Roles and (Cluster)RoleBindings; Node
// allows the system:nodes group its own Node and pods (simplified). Members of
// system:masters (as the real server does) and kubeadm:cluster-admins (on a
// kubeadm cluster bound to cluster-admin by the seeded ClusterRoleBinding) are
// allowed before any authorizer.

function ruleMatches(rule, attrs) {
  const has = (list, v) => (list ?? []).includes('*') || (list ?? []).includes(v);
  if (attrs.nonResourceURL) {
    if (!has(rule.verbs, attrs.verb)) return false;
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === attrs.path || (u.endsWith('*') && attrs.path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!has(rule.apiGroups, attrs.group)) return false;
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const resources = rule.resources ?? [];
  const resOk = resources.includes('*') || resources.includes(combined)
    || (attrs.subresource && resources.includes(`*/${attrs.subresource}`))
    || (!attrs.subresource && false);
  if (!resOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) return attrs.name !== undefined && rule.resourceNames.includes(attrs.name);
  return true;
}

function subjectMatches(s, user) {
  if (s.kind === 'User') return s.name === user.name;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return user.name === `system:serviceaccount:${s.namespace}:${s.name}`;
  return false;
}

function rulesOf(store, roleRef, namespace) {
  if (roleRef.kind === 'ClusterRole') return store.get('clusterroles', undefined, roleRef.name)?.rules ?? [];
  if (roleRef.kind === 'Role') return store.get('roles', namespace, roleRef.name)?.rules ?? [];
  return [];
}

export function rbacAllows(store, user, attrs) {
  for (const b of store.list('clusterrolebindings')) {
    if (!(b.subjects ?? []).some((s) => subjectMatches(s, user))) continue;
    if (rulesOf(store, b.roleRef, undefined).some((r) => ruleMatches(r, attrs))) return true;
  }
  if (attrs.namespace && !attrs.nonResourceURL) {
    for (const b of store.list('rolebindings', attrs.namespace)) {
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, user))) continue;
      if (rulesOf(store, b.roleRef, attrs.namespace).some((r) => ruleMatches(r, attrs))) return true;
    }
  }
  return false;
}

export function authorize(store, modes, user, attrs) {
  if (user.groups.includes('system:masters') || user.groups.includes('kubeadm:cluster-admins')) return true;
  for (const mode of modes) {
    if (mode === 'AlwaysAllow') return true;
    if (mode === 'AlwaysDeny') return false;
    if (mode === 'Node' && user.groups.includes('system:nodes') && ['nodes', 'pods', 'leases'].includes(attrs.resource)) return true;
    if (mode === 'RBAC' && rbacAllows(store, user, attrs)) return true;
  }
  return false;
}

/** The 403 message of the real API server. */
export function forbiddenMessage(user, attrs) {
  if (attrs.nonResourceURL) return `forbidden: User "${user.name}" cannot ${attrs.verb} path "${attrs.path}"`;
  const what = `${attrs.name !== undefined ? `${attrs.qualified} "${attrs.name}"` : attrs.qualified} is forbidden: User "${user.name}" cannot ${attrs.verb} resource "${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ''}" in API group "${attrs.group}"`;
  return attrs.namespace ? `${what} in the namespace "${attrs.namespace}"` : `${what} at the cluster scope`;
}
