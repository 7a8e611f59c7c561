import { clusterSchema, inventorySchema, nodeSchema, proxyHopSchema, sshSchema, waiverSchema } from './schema.js';
import type { YamlPath } from './locate.js';

/**
 * What each inventory key expects, in words, with an example line: the raw
 * material of every message and `fix`. Kept next to, not inside, the zod
 * schemas so that the schemas stay readable as a description of the shape.
 */

/** Which kind of map a path points into. `parameters` maps are free-form and have no guide. */
export type MapKind = 'top' | 'cluster' | 'ssh' | 'node' | 'hop' | 'waiver' | 'parameters' | 'other';

export interface FieldGuide {
  /** What the value must be, e.g. "a port number from 1 to 65535". */
  readonly expects: string;
  /** A complete example line, e.g. "port: 22". */
  readonly example: string;
}

export const KNOWN_KEYS: Readonly<Record<Exclude<MapKind, 'parameters' | 'other'>, readonly string[]>> = {
  top: Object.keys(inventorySchema.shape),
  cluster: Object.keys(clusterSchema.shape),
  ssh: Object.keys(sshSchema.shape),
  node: Object.keys(nodeSchema.shape),
  hop: Object.keys(proxyHopSchema.shape),
  waiver: Object.keys(waiverSchema.shape),
};

const SSH_GUIDE: Readonly<Record<string, FieldGuide>> = {
  user: { expects: 'a login name', example: 'user: ops' },
  port: { expects: 'a port number from 1 to 65535', example: 'port: 22' },
  identityFile: { expects: 'the path of a private key file', example: 'identityFile: ~/.ssh/id_ed25519' },
  knownHostsFile: { expects: 'the path of a known_hosts file', example: 'knownHostsFile: ~/.ssh/known_hosts' },
  become: { expects: '`none` or `sudo`', example: 'become: sudo' },
  proxyJump: { expects: 'bastion hops as user@host:port', example: 'proxyJump: ops@bastion.example.com:22' },
  connectTimeout: { expects: 'a number of seconds greater than 0 (at most 3600)', example: 'connectTimeout: 10' },
};

const GUIDES: Readonly<Record<Exclude<MapKind, 'parameters' | 'other'>, Readonly<Record<string, FieldGuide>>>> = {
  top: {
    cluster: { expects: 'a map with name, kubeconfig and context', example: 'cluster: { name: prod-eu1, kubeconfig: ~/.kube/config }' },
    benchmark: { expects: '`auto`, `cis-1.12` or `cis-1.11`', example: 'benchmark: auto' },
    ssh: { expects: 'a map of SSH settings', example: 'ssh: { user: ops, become: sudo }' },
    parameters: { expects: 'a map of playbook parameters', example: 'parameters: { auditLogPath: /var/log/kubernetes/audit.log }' },
    nodes: { expects: 'a list of nodes', example: 'nodes: [{ name: cp-1, host: 192.0.2.10, roles: [control-plane, etcd] }]' },
    waivers: { expects: 'a list of waivers', example: 'waivers: [{ control: 4.1.9, reason: …, owner: …, expires: 2026-06-30 }]' },
  },
  cluster: {
    name: { expects: 'a name for the cluster', example: 'name: prod-eu1' },
    kubeconfig: { expects: 'the path of a kubeconfig file', example: 'kubeconfig: ~/.kube/config' },
    context: { expects: 'a context name from the kubeconfig', example: 'context: prod-eu1-admin' },
  },
  ssh: SSH_GUIDE,
  node: {
    name: { expects: 'a unique node name', example: 'name: cp-1' },
    host: { expects: "the node's host name or IP address", example: 'host: 192.0.2.10' },
    roles: { expects: 'a list of roles (control-plane, etcd, worker)', example: 'roles: [control-plane, etcd]' },
    ssh: { expects: 'a map of SSH settings for this node', example: 'ssh: { user: ops, port: 22 }' },
    parameters: { expects: 'a map of playbook parameters for this node', example: 'parameters: { auditLogMaxAge: 30 }' },
  },
  waiver: {
    control: { expects: 'a control id or glob', example: 'control: 4.1.9' },
    nodes: { expects: 'a list of inventory node names', example: 'nodes: [worker-1]' },
    reason: { expects: 'why the control is not applied, in words', example: 'reason: the CNI reads the kubelet config until v2' },
    owner: { expects: 'who decided and answers for it', example: 'owner: platform-team@example.com' },
    expires: { expects: 'a date YYYY-MM-DD, the last day the waiver holds', example: 'expires: 2026-06-30' },
  },
  hop: {
    host: { expects: "the bastion's host name or IP address", example: 'host: bastion.example.com' },
    port: SSH_GUIDE['port'] as FieldGuide,
    user: SSH_GUIDE['user'] as FieldGuide,
  },
};

const WAIVER_ENTRY: FieldGuide = {
  expects: 'a map with control, reason, owner and expires',
  example: '- { control: 4.1.9, nodes: [worker-1], reason: …, owner: …, expires: 2026-06-30 }',
};

const NODE_ENTRY: FieldGuide = {
  expects: 'a map with name, host and roles',
  example: '- { name: cp-1, host: 192.0.2.10, roles: [control-plane, etcd] }',
};

/** The kind of map at `path` (the path of the map itself, not of one of its keys). */
export function mapKindAt(path: YamlPath): MapKind {
  const [first, second, third, fourth, fifth] = path;
  const isIndex = (step: PropertyKey | undefined) => typeof step === 'number';
  if (path.length === 0) return 'top';
  if (path.length === 1 && (first === 'cluster' || first === 'ssh' || first === 'parameters')) return first;
  if (path.length === 2 && first === 'waivers' && isIndex(second)) return 'waiver';
  // A hop map is either an item of a proxyJump list or the whole proxyJump value.
  if (first === 'ssh' && second === 'proxyJump' && (path.length === 2 || (path.length === 3 && isIndex(third)))) return 'hop';
  if (first === 'nodes' && isIndex(second)) {
    if (path.length === 2) return 'node';
    if (path.length === 3 && (third === 'ssh' || third === 'parameters')) return third;
    if (third === 'ssh' && fourth === 'proxyJump' && (path.length === 4 || (path.length === 5 && isIndex(fifth)))) return 'hop';
  }
  return 'other';
}

/** The guide for the key at `path` (its last step), when it is a known key of a known map. */
export function guideFor(path: YamlPath): FieldGuide | undefined {
  if (path.length === 2 && path[0] === 'nodes' && typeof path[1] === 'number') return NODE_ENTRY;
  if (path.length === 2 && path[0] === 'waivers' && typeof path[1] === 'number') return WAIVER_ENTRY;
  const key = path[path.length - 1];
  const kind = mapKindAt(path.slice(0, -1));
  if (typeof key !== 'string' || kind === 'parameters' || kind === 'other') return undefined;
  return GUIDES[kind][key];
}

/**
 * A path in words, for messages: `ssh › port`, `node "cp-1" › roles`. List
 * indexes other than a node's are left out: the location already pins the
 * item down, and "roles › [1]" reads worse than "roles".
 */
export function describePath(path: YamlPath, nodeNames: readonly (string | undefined)[], waiverControls: readonly (string | undefined)[] = []): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (step === 'nodes' && typeof path[i + 1] === 'number') {
      const index = path[i + 1] as number;
      const name = nodeNames[index];
      parts.push(name ? `node "${name}"` : `nodes[${index}]`);
      i++;
    } else if (step === 'waivers' && typeof path[i + 1] === 'number') {
      const index = path[i + 1] as number;
      const control = waiverControls[index];
      parts.push(control ? `the waiver for ${control}` : `waivers[${index}]`);
      i++;
    } else if (typeof step !== 'number') {
      parts.push(String(step));
    }
  }
  return parts.length ? parts.join(' › ') : 'the top level';
}
