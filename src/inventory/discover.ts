/**
 * `cis-fix inventory discover`, the pure part: the cluster's Node objects →
 * the nodes of an inventory → the inventory's YAML text, with comments that
 * say where each value came from. No I/O (services/discover.ts lists the
 * nodes and writes the file).
 *
 * Invariant: the text renderInventory returns parses with parseInventory
 * (checked by checkDiscoveredInventory before anything is written).
 */
import { isAbsolute, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ClusterForbiddenError, KubeconfigError } from '../model/cluster-errors.js';
import { BugError, UserError, type InputProblem } from '../model/errors.js';
import type { Role } from '../model/roles.js';
import type { KubeObject } from '../transport/cluster-client.js';
import { parseInventory } from './load-inventory.js';
import { sshSchema } from './schema.js';

/** The labels kubeadm (and older clusters) put on control-plane nodes. */
export const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'] as const;

export type AddressType = 'InternalIP' | 'ExternalIP';

export interface DiscoveredNode {
  readonly name: string;
  readonly host: string;
  readonly roles: readonly Role[];
  /** Which of the Node's addresses `host` is. */
  readonly addressType: AddressType;
}

export interface SkippedNode {
  readonly name: string;
  readonly reason: string;
}

export interface Discovery {
  /** Control planes first, then by name. */
  readonly nodes: readonly DiscoveredNode[];
  readonly skipped: readonly SkippedNode[];
  /** What the user should know about the result (fallbacks, assumptions). */
  readonly notes: readonly string[];
}

interface NodeAddress {
  readonly type?: unknown;
  readonly address?: unknown;
}

function addressesOf(node: KubeObject): NodeAddress[] {
  const status = node['status'];
  const addresses = status !== null && typeof status === 'object' ? (status as { addresses?: unknown }).addresses : undefined;
  return Array.isArray(addresses) ? (addresses.filter((a) => a !== null && typeof a === 'object') as NodeAddress[]) : [];
}

function firstAddress(addresses: readonly NodeAddress[], type: AddressType): string | undefined {
  const found = addresses.find((a) => a.type === type && typeof a.address === 'string' && a.address.trim() !== '');
  return found ? (found.address as string).trim() : undefined;
}

export function isControlPlane(node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  return CONTROL_PLANE_LABELS.some((label) => label in labels);
}

/**
 * Node objects → inventory nodes. `host` is the first InternalIP, else the
 * first ExternalIP (and a note says so); a Node with neither is skipped with
 * the reason, as is a Node whose address another Node already has (an
 * inventory refuses two nodes at one SSH endpoint).
 *
 * Roles: a control-plane label means `[control-plane, etcd]` — whether etcd
 * runs on the node is not visible in the API, and kubeadm stacks etcd on
 * every control-plane node; everything else is `[worker]`.
 */
export function discoverNodes(objects: readonly KubeObject[]): Discovery {
  const sorted = [...objects].sort((a, b) => Number(isControlPlane(b)) - Number(isControlPlane(a)) || compare(a.metadata.name, b.metadata.name));
  const nodes: DiscoveredNode[] = [];
  const skipped: SkippedNode[] = [];
  const notes: string[] = [];
  const byHost = new Map<string, string>();
  for (const object of sorted) {
    const name = object.metadata.name;
    const addresses = addressesOf(object);
    const internal = firstAddress(addresses, 'InternalIP');
    const external = internal === undefined ? firstAddress(addresses, 'ExternalIP') : undefined;
    const host = internal ?? external;
    if (host === undefined) {
      const others = addresses.filter((a) => typeof a.type === 'string' && typeof a.address === 'string').map((a) => `${String(a.type)} ${String(a.address)}`);
      skipped.push({
        name,
        reason: `no InternalIP or ExternalIP address${others.length ? ` (only ${others.join(', ')})` : ''}; add it by hand with the address you reach it by over SSH`,
      });
      continue;
    }
    const earlier = byHost.get(host.toLowerCase());
    if (earlier !== undefined) {
      skipped.push({ name, reason: `its address ${host} is also node ${earlier}'s; add it by hand with an address of its own` });
      continue;
    }
    byHost.set(host.toLowerCase(), name);
    if (external !== undefined) notes.push(`${name}: no InternalIP; using its ExternalIP ${external}`);
    nodes.push({
      name,
      host,
      roles: isControlPlane(object) ? ['control-plane', 'etcd'] : ['worker'],
      addressType: internal !== undefined ? 'InternalIP' : 'ExternalIP',
    });
  }
  if (nodes.some((n) => n.roles.includes('control-plane'))) {
    notes.push('control-plane nodes are listed as [control-plane, etcd] (kubeadm runs etcd on each; the API cannot tell): with external etcd, edit the roles');
  } else if (nodes.length > 0) {
    notes.push('no Node has a control-plane label (managed control plane?): only workers were listed');
  }
  for (const skip of skipped) notes.push(`${skip.name} skipped: ${skip.reason}`);
  return { nodes, skipped, notes };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The SSH defaults the user chose (flags), as they will be written. */
export interface DiscoverSsh {
  readonly user: string;
  readonly port: number;
  readonly identityFile: string | undefined;
  readonly knownHostsFile: string;
  readonly become: 'none' | 'sudo';
  readonly proxyJump: string | undefined;
}

export interface InventoryHeader {
  readonly clusterName: string;
  /** As written into the file (`~/…` or absolute). */
  readonly kubeconfig: string;
  readonly context: string;
  /** The API server URL, for the header comment. */
  readonly server: string;
  readonly writtenAt: Date;
  /** The file name shown in the header's `inventory check` hint. */
  readonly file: string;
}

/** The flag each SSH key comes from, for error messages. */
const SSH_FLAGS: Readonly<Record<string, string>> = {
  user: '--ssh-user',
  port: '--ssh-port',
  identityFile: '--identity-file',
  knownHostsFile: '--known-hosts',
  become: '--become',
  proxyJump: '--proxy-jump',
};

/** Validates the SSH flags with the inventory's own rules, naming the flags: before the cluster is contacted. */
export function checkSshFlags(ssh: DiscoverSsh): void {
  const parsed = sshSchema.safeParse(sshBlock(ssh));
  if (parsed.success) return;
  const problems: InputProblem[] = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const fix = (issue as { params?: { fix?: unknown } }).params?.fix;
    return {
      location: undefined,
      message: `${SSH_FLAGS[key] ?? key}: ${issue.message}`,
      fix: typeof fix === 'string' ? fix.replace(/`(\w+): /g, (_, k: string) => `\`${SSH_FLAGS[k] ?? k} `) : undefined,
    };
  });
  throw new UserError('Bad SSH settings:', problems);
}

function sshBlock(ssh: DiscoverSsh): Record<string, unknown> {
  return {
    user: ssh.user,
    port: ssh.port,
    ...(ssh.identityFile !== undefined ? { identityFile: ssh.identityFile } : {}),
    knownHostsFile: ssh.knownHostsFile,
    become: ssh.become,
    ...(ssh.proxyJump !== undefined ? { proxyJump: ssh.proxyJump } : {}),
  };
}

/** One YAML scalar on one line, quoted only when it must be (a JSON string is a YAML double-quoted scalar). */
function scalar(value: string | number): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value === 'string' && /[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(value)) return JSON.stringify(value);
  return stringify(value, { lineWidth: 0, blockQuote: false }).trimEnd();
}

/** Text for a comment: one line, no control characters. */
function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** The inventory file: header comment, cluster, benchmark, ssh defaults, nodes, and the skipped nodes as comments. */
export function renderInventory(discovery: Discovery, header: InventoryHeader, ssh: DiscoverSsh): string {
  const lines: string[] = [
    `# cis-fix inventory, written by \`cis-fix inventory discover\` at ${header.writtenAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    `# from kubeconfig context ${commentText(JSON.stringify(header.context))} (API server ${commentText(header.server)}).`,
    '# inventory.example.yaml documents every key. Check that every node is reachable',
    '# and runs the roles listed here with:',
    `#   cis-fix inventory check -i ${commentText(header.file)}`,
    '#',
    '# Roles come from the Node labels: a node labelled',
    '# node-role.kubernetes.io/control-plane (or .../master) is listed as',
    '# [control-plane, etcd] because kubeadm runs etcd on every control-plane node',
    '# ("stacked" etcd) and the API cannot tell whether it does. With external etcd,',
    '# remove `etcd` from those nodes and add the etcd hosts. Every other node is',
    '# [worker].',
    '',
    'cluster:',
    `  name: ${scalar(header.clusterName)}`,
    `  kubeconfig: ${scalar(header.kubeconfig)}`,
    `  context: ${scalar(header.context)}`,
    '',
    'benchmark: auto',
    '',
    '# SSH defaults for every node; a node may override any of them under its own `ssh:`.',
    'ssh:',
    `  user: ${scalar(ssh.user)}`,
    `  port: ${ssh.port}`,
    ...(ssh.identityFile !== undefined ? [`  identityFile: ${scalar(ssh.identityFile)}`] : ['  # no identityFile: the ssh-agent at $SSH_AUTH_SOCK is used']),
    `  knownHostsFile: ${scalar(ssh.knownHostsFile)}`,
    `  become: ${ssh.become}`,
    ...(ssh.proxyJump !== undefined ? [`  proxyJump: ${scalar(ssh.proxyJump)}`] : []),
    '',
    'nodes:',
  ];
  for (const node of discovery.nodes) {
    lines.push(`  - name: ${scalar(node.name)}`);
    lines.push(`    host: ${scalar(node.host)}${node.addressType === 'ExternalIP' ? '   # ExternalIP: the Node has no InternalIP' : ''}`);
    lines.push(`    roles: [${node.roles.join(', ')}]`);
  }
  if (discovery.skipped.length > 0) {
    lines.push('', '# Not listed: Nodes without an address to reach them by.');
    for (const skip of discovery.skipped) lines.push(`#   ${commentText(skip.name)}: ${commentText(skip.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Guards the invariant: the text must load as an inventory. A failure here
 * is a bug in discover (flags were checked before), never the user's input.
 */
export function checkDiscoveredInventory(text: string, file: string): void {
  try {
    parseInventory(text, file, { env: {}, homeDir: '/nonexistent-home', userName: 'nobody' });
  } catch (error) {
    if (error instanceof UserError) throw new BugError(`discover produced an inventory that does not load: ${error.message}`);
    throw error;
  }
}

/**
 * A path from a flag, as the inventory must hold it: `~/…` and absolute
 * paths as given; a relative path made absolute against `cwd`, because the
 * inventory reads relative paths against its own directory.
 */
export function pathForInventory(given: string, cwd: string): string {
  if (given === '~' || given.startsWith('~/') || isAbsolute(given)) return given;
  return resolve(cwd, given);
}

/**
 * The kubeconfig errors of ClusterClient speak of the inventory's
 * `cluster.kubeconfig` / `cluster.context`; discover takes flags instead.
 */
export function kubeconfigErrorForDiscover(error: KubeconfigError): KubeconfigError {
  const reword = (text: string): string =>
    text
      .replace('the inventory names none', 'no --context was given')
      .replace(/Set cluster\.context in the inventory to/g, 'Pass --context with')
      .replace(
        /Set cluster\.kubeconfig in the inventory to a readable kubeconfig file \(or remove it to skip the API checks\)\./g,
        'Pass --kubeconfig FILE (or set $KUBECONFIG) with a readable kubeconfig.',
      )
      .replace(/point cluster\.kubeconfig at a working kubeconfig/g, 'pass --kubeconfig with a working kubeconfig');
  return new KubeconfigError(reword(error.message), error.hints.map(reword));
}

/**
 * A 403 on listing Node objects, named as the RBAC rule the user needs:
 * nodes are cluster-scoped, so "(all namespaces)" would mislead.
 */
export function forbiddenForDiscover(error: ClusterForbiddenError): ClusterForbiddenError {
  if (error.verb !== 'list' || !error.target.startsWith('nodes')) return error;
  const prefix = `forbidden: cannot ${error.verb} ${error.target}: `;
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new ClusterForbiddenError('list', 'nodes', detail);
}
