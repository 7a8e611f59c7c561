import { PROVIDER_RUNS_CONTROL_PLANE } from '../model/benchmark-id.js';
import type { Change } from '../model/change.js';
import type { Finding } from '../model/finding.js';
import type { ChangeRestart, PlanKindHandler } from '../plan/kinds/handler.js';
import { planKindHandler } from '../plan/kinds/registry.js';
import type { Plan } from '../plan/plan.js';

/**
 * What every plan renderer summarises the same way (text, Markdown, HTML,
 * metrics): counts per benchmark section and node role, the changes grouped
 * by target, and what will change by category. Pure.
 *
 * Change-kind agnostic on purpose: change kinds are plug-ins (DESIGN.md §7),
 * so nothing here names one. Only the fields every change has are read:
 * node, target, controlIds, action, diff and, on node changes, restart.
 */

/** The benchmark section of a control: "1.1.13" → "1.1", "2.3" → "2", "5.1.1" → "5.1". */
export function sectionOf(controlId: string): string {
  const parts = controlId.split('.');
  return parts.length >= 3 ? `${parts[0]}.${parts[1]}` : (parts[0] ?? controlId);
}

/** Sections in benchmark order ("1.1" < "1.2" < "2" < "4.1" < "10.1"). */
export function compareSections(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

/** The finding of a node that could not be gathered (services/plan.ts: control "*", status error). */
export function isUnreachedFinding(f: Finding): boolean {
  return f.controlId === '*' && f.status === 'error';
}

/** Nodes the plan could not reach, in plan order. */
export function unreachedNodes(plan: Plan): string[] {
  return [...new Set(plan.findings.filter(isUnreachedFinding).map((f) => f.node ?? 'cluster'))];
}

export const CLUSTER_ROLE = 'cluster';

/**
 * A node's role, as its findings show it: the plan holds node names, not
 * roles, but the benchmark evaluates sections 1 and 3 only on control
 * planes, section 2 only on etcd members, section 4 on every node. On a
 * managed service's benchmark every reachable node is a worker.
 * "cluster" for the API's findings.
 */
export function nodeRoles(plan: Plan): Map<string, string> {
  const workersOnly = PROVIDER_RUNS_CONTROL_PLANE[plan.benchmark.id];
  const sections = new Map<string, Set<string>>();
  for (const node of plan.selection.nodes) sections.set(node, new Set());
  for (const f of plan.findings) {
    if (f.node === undefined) continue;
    const set = sections.get(f.node) ?? new Set<string>();
    if (!isUnreachedFinding(f)) set.add(sectionOf(f.controlId).split('.')[0]!);
    sections.set(f.node, set);
  }
  const roles = new Map<string, string>();
  for (const [node, set] of sections) {
    const list = workersOnly ? [] : [...(set.has('1') || set.has('3') ? ['control-plane'] : []), ...(set.has('2') ? ['etcd'] : [])];
    roles.set(node, set.size === 0 ? 'not reached' : list.length ? list.join(',') : 'worker');
  }
  return roles;
}

/** The role a finding is counted under: its node's, or "cluster" for the API's findings. */
export function roleOf(roles: ReadonlyMap<string, string>, f: Finding): string {
  return f.node === undefined ? CLUSTER_ROLE : (roles.get(f.node) ?? 'worker');
}

export interface StatusCounts {
  pass: number;
  fail: number;
  /** Failing, and a change in this plan fixes it. */
  fixed: number;
  /** Failing, and no change fixes it: a parameter or a human must decide. */
  decision: number;
  manual: number;
  waived: number;
  providerManaged: number;
  notEvaluated: number;
  errors: number;
}

export interface SectionRow extends StatusCounts {
  readonly section: string;
  readonly role: string;
  readonly nodes: number;
}

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, fixed: 0, decision: 0, manual: 0, waived: 0, providerManaged: 0, notEvaluated: 0, errors: 0 };
}

/** Adds one finding to the counts (the one place that decides which column a finding is in). */
export function countFinding(counts: StatusCounts, f: Finding): void {
  if (f.notEvaluated) {
    counts.notEvaluated += 1;
    return;
  }
  switch (f.status) {
    case 'pass':
      counts.pass += 1;
      return;
    case 'fail':
      counts.fail += 1;
      if (f.fixable) counts.fixed += 1;
      else counts.decision += 1;
      return;
    case 'manual':
      counts.manual += 1;
      return;
    case 'waived':
      counts.waived += 1;
      return;
    case 'provider-managed':
      counts.providerManaged += 1;
      return;
    case 'error':
      counts.errors += 1;
      return;
    case 'not-applicable':
      return;
    default: {
      const never: never = f.status;
      return never;
    }
  }
}

/** One row per benchmark section and node role, in benchmark order; unreached nodes are not rows (see unreachedNodes). */
export function summaryRows(plan: Plan): SectionRow[] {
  const roles = nodeRoles(plan);
  const rows = new Map<string, { section: string; role: string; nodes: Set<string>; counts: StatusCounts }>();
  for (const f of plan.findings) {
    if (isUnreachedFinding(f)) continue;
    const section = sectionOf(f.controlId);
    const node = f.node ?? CLUSTER_ROLE;
    const role = roleOf(roles, f);
    const key = `${section}\u0000${role}`;
    const row = rows.get(key) ?? { section, role, nodes: new Set<string>(), counts: emptyCounts() };
    row.nodes.add(node);
    countFinding(row.counts, f);
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => compareSections(a.section, b.section) || a.role.localeCompare(b.role))
    .map((r) => ({ section: r.section, role: r.role, nodes: r.nodes.size, ...r.counts }));
}

export function totalCounts(rows: readonly StatusCounts[]): StatusCounts {
  const total = emptyCounts();
  for (const r of rows) for (const k of Object.keys(total) as (keyof StatusCounts)[]) total[k] += r[k];
  return total;
}

/** What a change restarts, as its kind says (plan/kinds/registry.ts); undefined for changes that restart nothing. */
export function restartsOf(change: Change): ChangeRestart | undefined {
  return (planKindHandler(change.kind) as PlanKindHandler).restarts(change as never);
}

/** What a change restarts, by name ("kube-apiserver", "kubelet", "rke2-server"); undefined for changes that restart nothing. */
export function restartOf(change: Change): string | undefined {
  const restart = restartsOf(change);
  if (restart === undefined) return undefined;
  switch (restart.kind) {
    case 'static-pod':
      return restart.component;
    case 'kubelet':
      return KUBELET;
    case 'service':
      return restart.name;
    default: {
      const never: never = restart;
      return never;
    }
  }
}

/** The kubelet restarts itself under cis-fix (systemctl); every other restart is a static pod restarting when its manifest changes. */
export const KUBELET = 'kubelet';

/** Every change of one target (a file on a node, or a cluster object): its mode, owner and content in one entry. */
export interface TargetEntry {
  readonly node: string | undefined;
  readonly target: string;
  readonly changes: readonly Change[];
  /** Every control the target's changes satisfy, sorted. */
  readonly controlIds: readonly string[];
  /** `create` / `delete` when any change creates / deletes the target, else `update`. */
  readonly action: 'create' | 'update' | 'delete';
  /** The component that restarts because of this target, if any. */
  readonly restart: string | undefined;
}

export function targetEntries(changes: readonly Change[]): TargetEntry[] {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const key = `${c.node ?? ''}\u0000${c.target}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const actions = new Set<string>(group.map((c) => c.action));
    return {
      node: first.node,
      target: first.target,
      changes: group,
      controlIds: [...new Set(group.flatMap((c) => c.controlIds))].sort(compareControlIds),
      action: actions.has('create') ? 'create' : actions.has('delete') ? 'delete' : 'update',
      restart: group.map(restartOf).find((r) => r !== undefined),
    };
  });
}

export function compareControlIds(a: string, b: string): number {
  return compareSections(a, b);
}

/** What a plan will change, by category, for the reader's first screen. */
export interface ChangeOverview {
  readonly changes: number;
  readonly targets: number;
  /** Nodes with at least one change. */
  readonly nodes: readonly string[];
  /** Node files that restart nothing themselves (modes, owners, support files, kubelet sources). */
  readonly files: number;
  /** Static-pod manifests rewritten: each restarts its component ("kube-apiserver on cp-1"). */
  readonly manifestRestarts: readonly string[];
  /** Nodes whose kubelet restarts. */
  readonly kubeletRestarts: readonly string[];
  /** systemd services cis-fix restarts besides the kubelet ("etcd.service on cp-1"), once per node. */
  readonly serviceRestarts: readonly string[];
  readonly clusterObjects: number;
}

/** The systemd service a target's changes restart besides the kubelet ("etcd.service"), if any. */
function unitOf(entry: TargetEntry): string | undefined {
  return entry.changes.map(restartsOf).flatMap((r) => (r?.kind === 'service' ? [r.unit] : []))[0];
}

/** True when a target's changes restart `kind`. */
function restartsKind(entry: TargetEntry, kind: 'static-pod' | 'kubelet'): boolean {
  return entry.changes.some((c) => restartsOf(c)?.kind === kind);
}

export function changeOverview(changes: readonly Change[]): ChangeOverview {
  const entries = targetEntries(changes);
  const nodeEntries = entries.filter((e) => e.node !== undefined);
  const manifests = nodeEntries.filter((e) => restartsKind(e, 'static-pod') && unitOf(e) === undefined);
  const services = nodeEntries.filter((e) => unitOf(e) !== undefined);
  return {
    changes: changes.length,
    targets: entries.length,
    nodes: [...new Set(nodeEntries.map((e) => e.node!))],
    files: nodeEntries.length - manifests.length - services.length,
    manifestRestarts: manifests.map((e) => `${e.restart} on ${e.node}`),
    kubeletRestarts: [...new Set(nodeEntries.filter((e) => restartsKind(e, 'kubelet') && unitOf(e) === undefined).map((e) => e.node!))],
    serviceRestarts: [...new Set(services.map((e) => `${unitOf(e)} on ${e.node}`))],
    clusterObjects: entries.length - nodeEntries.length,
  };
}

/** Each control's title, from the findings (the plan's only source of titles). */
export function controlTitles(plan: Plan): Map<string, string> {
  const titles = new Map<string, string>();
  for (const f of plan.findings) if (!titles.has(f.controlId)) titles.set(f.controlId, f.title);
  return titles;
}

/** "1 change", "3 changes", "1 cluster object". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** "changes to 12 targets on 3 nodes and 4 cluster objects": the one vocabulary of units (changes, targets, nodes, cluster objects). */
export function describeScope(o: ChangeOverview): string {
  const where = [o.nodes.length ? count(o.nodes.length, 'node') : undefined, o.clusterObjects ? count(o.clusterObjects, 'cluster object') : undefined]
    .filter(Boolean)
    .join(' and ');
  const nodeTargets = o.targets - o.clusterObjects;
  return `${count(o.changes, 'change')}${nodeTargets ? ` to ${count(nodeTargets, 'target')}` : ''}${where ? ` on ${where}` : ''}`;
}

/** Waivers to call out: expired, or expiring within 14 days. */
export function waiverNotice(f: Finding): 'expired' | 'expires-soon' | undefined {
  if (!f.waiver) return undefined;
  if (f.waiver.expired) return 'expired';
  return f.waiver.expiresSoon ? 'expires-soon' : undefined;
}

/** "waived until 2026-12-31 (27 days left) by team-a: reason" / "waiver EXPIRED on …". */
export function describeWaiver(f: Finding): string | undefined {
  const w = f.waiver;
  if (!w) return undefined;
  const days = w.expired
    ? `EXPIRED ${count(-w.daysLeft, 'day')} ago`
    : w.expiresSoon
      ? w.daysLeft === 0
        ? 'expires today'
        : `expires in ${count(w.daysLeft, 'day')}`
      : `${count(w.daysLeft, 'day')} left`;
  return `${w.expired ? 'waiver expired on' : 'waived until'} ${w.expires} (${days}), owner ${w.owner}: ${w.reason}`;
}
