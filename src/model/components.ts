/**
 * The Kubernetes components cis-fix changes, in one table (issue 9 §5): how
 * each runs, the name /proc/PID/comm shows for it (the kernel truncates it
 * to 15 bytes), the variable naming its static pod manifest, and where it
 * answers health checks on the node's loopback (DESIGN.md §2 step 6).
 *
 * Invariant: the rows are in restart order on a control-plane node — etcd,
 * then kube-apiserver, then kube-controller-manager and kube-scheduler, the
 * kubelet last (its restart restarts nothing else).
 */
export const COMPONENT_TABLE = [
  { name: 'etcd', runsAs: 'static-pod', comm: 'etcd', manifestVariable: 'etcdManifest', healthUrl: 'http://127.0.0.1:2381/health' },
  { name: 'kube-apiserver', runsAs: 'static-pod', comm: 'kube-apiserver', manifestVariable: 'apiserverManifest', healthUrl: 'https://127.0.0.1:6443/readyz' },
  {
    name: 'kube-controller-manager',
    runsAs: 'static-pod',
    comm: 'kube-controller',
    manifestVariable: 'controllerManagerManifest',
    healthUrl: 'https://127.0.0.1:10257/healthz',
  },
  { name: 'kube-scheduler', runsAs: 'static-pod', comm: 'kube-scheduler', manifestVariable: 'schedulerManifest', healthUrl: 'https://127.0.0.1:10259/healthz' },
  // The default healthz; a kubelet change carries the URL its config sets.
  { name: 'kubelet', runsAs: 'service', comm: 'kubelet', manifestVariable: undefined, healthUrl: 'http://127.0.0.1:10248/healthz' },
] as const;

export type ComponentRow = (typeof COMPONENT_TABLE)[number];
/** A component cis-fix restarts and health-gates. */
export type ManagedComponent = ComponentRow['name'];
/** The components that run as static pods from a manifest. */
export type StaticPodComponent = Extract<ComponentRow, { runsAs: 'static-pod' }>['name'];

/** Every managed component in restart order. */
export const RESTART_ORDER: readonly ManagedComponent[] = COMPONENT_TABLE.map((c) => c.name);

/** The static pods in restart order: etcd first, the scheduler last. */
export const STATIC_POD_ORDER = COMPONENT_TABLE.flatMap((c) => (c.runsAs === 'static-pod' ? [c.name] : [])) as readonly StaticPodComponent[];

/** The path variable naming each static pod's manifest (playbooks/<benchmark>/variables.yaml). */
export const MANIFEST_VARIABLES = Object.fromEntries(
  COMPONENT_TABLE.flatMap((c) => (c.manifestVariable === undefined ? [] : [[c.name, c.manifestVariable]])),
) as Readonly<Record<StaticPodComponent, string>>;

export function componentRow(name: ManagedComponent): ComponentRow {
  const row = COMPONENT_TABLE.find((c) => c.name === name);
  if (!row) throw new RangeError(`unknown component ${name}`);
  return row;
}
