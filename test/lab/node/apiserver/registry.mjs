// The resources the lab API server serves, and the discovery documents
// (/api, /api/v1, /apis, /apis/<group>/<version>) built from them.
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** group '' is the core group. */
export const RESOURCES = [
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: '', version: 'v1', plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], verbs: VERBS },
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: VERBS, categories: ['all'] },
  { group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], verbs: VERBS },
  { group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, shortNames: [], verbs: VERBS },
  { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], verbs: VERBS },
  { group: 'apps', version: 'v1', plural: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], verbs: VERBS, categories: ['all'] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, shortNames: [], verbs: VERBS },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, shortNames: [], verbs: VERBS },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', singular: 'role', kind: 'Role', namespaced: true, shortNames: [], verbs: VERBS },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, shortNames: [], verbs: VERBS },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', singular: 'networkpolicy', kind: 'NetworkPolicy', namespaced: true, shortNames: ['netpol'], verbs: VERBS },
  // virtual (create only, nothing stored): answered by the authorizer
  { group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false, shortNames: [], verbs: ['create'], virtual: true },
  { group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews', singular: 'subjectaccessreview', kind: 'SubjectAccessReview', namespaced: false, shortNames: [], verbs: ['create'], virtual: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, shortNames: [], verbs: VERBS },
];

/** Subresources served (status: get/patch/update of the whole object). */
const SUBRESOURCES = { pods: ['status'], nodes: ['status'], namespaces: ['status'], daemonsets: ['status'] };

export function apiVersionOf(r) {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function findResource(group, version, plural) {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findByKind(apiVersion, kind) {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

export function hasSubresource(r, sub) {
  return (SUBRESOURCES[r.plural] ?? []).includes(sub);
}

function resourceList(group, version) {
  const resources = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    resources.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: Buffer.from(`${group}/${version}/${r.kind}`).toString('base64').slice(0, 11),
    });
    for (const sub of SUBRESOURCES[r.plural] ?? []) {
      resources.push({ name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

export function groups() {
  const seen = new Map();
  for (const r of RESOURCES) {
    if (!r.group) continue;
    if (!seen.has(r.group)) seen.set(r.group, new Set());
    seen.get(r.group).add(r.version);
  }
  return [...seen.entries()].map(([name, versions]) => {
    const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  });
}

/** Answers a discovery path, or undefined when the path is not a discovery document. */
export function discovery(urlPath) {
  if (urlPath === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
  if (urlPath === '/api/v1') return resourceList('', 'v1');
  if (urlPath === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups() };
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(urlPath);
  if (!m) return undefined;
  const g = groups().find((x) => x.name === m[1]);
  if (!g) return undefined;
  if (!m[2]) return { kind: 'APIGroup', apiVersion: 'v1', ...g };
  if (!g.versions.some((v) => v.version === m[2])) return undefined;
  return resourceList(m[1], m[2]);
}
