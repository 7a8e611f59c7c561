// meta.k8s.io/v1 Table responses (what `kubectl get` asks for), with the
// columns of the real server's printers for the resources the lab serves.
function age(ts) {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 3 * 3600) return `${Math.floor(s / 60)}m`;
  if (s < 8 * 3600) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  if (s < 2 * 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const col = (name, type = 'string', priority = 0, description = '', format = '') => ({ name, type, format, description, priority });
const NAME = col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name');
const AGE = col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.');

function nodeRoles(n) {
  const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

const PRINTERS = {
  namespaces: {
    columns: [NAME, col('Status', 'string', 0, 'The status of the namespace'), AGE],
    cells: (o) => [o.metadata.name, o.status?.phase ?? 'Active', age(o.metadata.creationTimestamp)],
  },
  nodes: {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    cells: (o) => {
      const ready = (o.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const addr = (t) => (o.status?.addresses ?? []).find((a) => a.type === t)?.address ?? '<none>';
      const i = o.status?.nodeInfo ?? {};
      return [o.metadata.name, ready?.status === 'True' ? 'Ready' : 'NotReady', nodeRoles(o), age(o.metadata.creationTimestamp), i.kubeletVersion ?? '',
        addr('InternalIP'), addr('ExternalIP'), i.osImage ?? '<unknown>', i.kernelVersion ?? '<unknown>', i.containerRuntimeVersion ?? '<unknown>'];
    },
  },
  pods: {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts', 'string'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    cells: (o) => {
      const total = (o.spec?.containers ?? []).length;
      const statuses = o.status?.containerStatuses ?? [];
      const ready = statuses.filter((s) => s.ready).length;
      const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      return [o.metadata.name, `${ready}/${total}`, o.status?.phase ?? 'Pending', restarts, age(o.metadata.creationTimestamp), o.status?.podIP ?? '<none>', o.spec?.nodeName ?? '<none>', '<none>', '<none>'];
    },
  },
  serviceaccounts: { columns: [NAME, col('Secrets', 'integer'), AGE], cells: (o) => [o.metadata.name, (o.secrets ?? []).length, age(o.metadata.creationTimestamp)] },
  secrets: { columns: [NAME, col('Type'), col('Data', 'integer'), AGE], cells: (o) => [o.metadata.name, o.type ?? 'Opaque', Object.keys(o.data ?? {}).length, age(o.metadata.creationTimestamp)] },
  configmaps: { columns: [NAME, col('Data', 'integer'), AGE], cells: (o) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o.metadata.creationTimestamp)] },
  daemonsets: {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), AGE],
    cells: (o) => {
      const s = o.status ?? {};
      const sel = Object.entries(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
      return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, sel, age(o.metadata.creationTimestamp)];
    },
  },
  clusterroles: { columns: [NAME, col('Created At', 'date')], cells: (o) => [o.metadata.name, o.metadata.creationTimestamp] },
  roles: { columns: [NAME, col('Created At', 'date')], cells: (o) => [o.metadata.name, o.metadata.creationTimestamp] },
  clusterrolebindings: {
    columns: [NAME, col('Role'), AGE, col('Users', 'string', 1), col('Groups', 'string', 1), col('ServiceAccounts', 'string', 1)],
    cells: (o) => bindingCells(o),
  },
  rolebindings: {
    columns: [NAME, col('Role'), AGE, col('Users', 'string', 1), col('Groups', 'string', 1), col('ServiceAccounts', 'string', 1)],
    cells: (o) => bindingCells(o),
  },
  networkpolicies: {
    columns: [NAME, col('Pod-Selector'), AGE],
    cells: (o) => [o.metadata.name, Object.entries(o.spec?.podSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>', age(o.metadata.creationTimestamp)],
  },
  leases: { columns: [NAME, col('Holder'), AGE], cells: (o) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o.metadata.creationTimestamp)] },
};

function bindingCells(o) {
  const s = o.subjects ?? [];
  const of = (k) => s.filter((x) => x.kind === k).map((x) => (k === 'ServiceAccount' ? `${x.namespace}/${x.name}` : x.name)).join(', ');
  return [o.metadata.name, `${o.roleRef.kind}/${o.roleRef.name}`, age(o.metadata.creationTimestamp), of('User'), of('Group'), of('ServiceAccount')];
}

export function wantsTable(accept) {
  return /as=Table/.test(accept ?? '');
}

export function toTable(resource, items, listRv, includeObject) {
  const p = PRINTERS[resource.plural] ?? { columns: [NAME, AGE], cells: (o) => [o.metadata.name, age(o.metadata.creationTimestamp)] };
  const rowObject = (o) => {
    if (includeObject === 'None') return undefined;
    if (includeObject === 'Object') return o;
    return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  };
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: listRv },
    columnDefinitions: p.columns,
    rows: items.map((o) => ({ cells: p.cells(o), object: rowObject(o) })),
  };
}
