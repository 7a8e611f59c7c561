import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  checkDiscoveredInventory,
  checkSshFlags,
  discoverNodes,
  forbiddenForDiscover,
  kubeconfigErrorForDiscover,
  pathForInventory,
  renderInventory,
  type DiscoverSsh,
  type InventoryHeader,
} from '../../../src/inventory/discover.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { ClusterForbiddenError, KubeconfigError } from '../../../src/model/cluster-errors.js';
import { UserError } from '../../../src/model/errors.js';
import type { KubeObject } from '../../../src/transport/cluster-client.js';

/** A Node as kubeadm's kubelet registers it (v1.33). */
function kubeadmNode(
  name: string,
  ip: string | undefined,
  options: { controlPlane?: 'control-plane' | 'master'; external?: string; extraAddresses?: { type: string; address: string }[] } = {},
): KubeObject {
  const addresses = [
    ...(ip ? [{ type: 'InternalIP', address: ip }] : []),
    ...(options.external ? [{ type: 'ExternalIP', address: options.external }] : []),
    { type: 'Hostname', address: name },
    ...(options.extraAddresses ?? []),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '1234',
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        ...(options.controlPlane
          ? { [`node-role.kubernetes.io/${options.controlPlane}`]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }
          : {}),
      },
      annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock' },
    },
    spec: { podCIDR: '10.244.0.0/24', ...(options.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}) },
    status: {
      addresses,
      nodeInfo: { kubeletVersion: 'v1.33.4', osImage: 'Debian GNU/Linux 12 (bookworm)' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

const SSH: DiscoverSsh = {
  user: 'ops',
  port: 22,
  identityFile: '~/.ssh/id_ed25519',
  knownHostsFile: '~/.ssh/known_hosts',
  become: 'sudo',
  proxyJump: undefined,
};
const HEADER: InventoryHeader = {
  clusterName: 'kubernetes-admin@kubernetes',
  kubeconfig: '~/.kube/config',
  context: 'kubernetes-admin@kubernetes',
  server: 'https://192.0.2.10:6443',
  writtenAt: new Date('2026-11-27T02:30:00.123Z'),
  file: 'inventory.yaml',
};

const CLUSTER = [
  kubeadmNode('worker-2', '192.0.2.22'),
  kubeadmNode('cp-1', '192.0.2.10', { controlPlane: 'control-plane' }),
  kubeadmNode('worker-1', '192.0.2.21'),
  kubeadmNode('cp-2', '192.0.2.11', { controlPlane: 'master' }),
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cis-fix-discover-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the text with real files for the paths it names, and loads it as cis-fix would. */
async function writeAndLoad(text: string) {
  await writeFile(join(dir, 'id_ed25519'), '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
  await writeFile(join(dir, 'known_hosts'), '');
  await writeFile(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
  const file = join(dir, 'inventory.yaml');
  await writeFile(file, text);
  return loadInventory(file, { env: { HOME: dir }, homeDir: dir, userName: 'someone-else' });
}

const HOME_SSH: DiscoverSsh = { ...SSH, identityFile: '~/id_ed25519', knownHostsFile: '~/known_hosts' };
const HOME_HEADER: InventoryHeader = { ...HEADER, kubeconfig: '~/kubeconfig' };

describe('discoverNodes', () => {
  it("takes each Node's InternalIP, roles from the labels, control planes first then by name", () => {
    const discovery = discoverNodes(CLUSTER);
    expect(discovery.nodes).toEqual([
      { name: 'cp-1', host: '192.0.2.10', roles: ['control-plane', 'etcd'], addressType: 'InternalIP' },
      { name: 'cp-2', host: '192.0.2.11', roles: ['control-plane', 'etcd'], addressType: 'InternalIP' },
      { name: 'worker-1', host: '192.0.2.21', roles: ['worker'], addressType: 'InternalIP' },
      { name: 'worker-2', host: '192.0.2.22', roles: ['worker'], addressType: 'InternalIP' },
    ]);
    expect(discovery.skipped).toEqual([]);
    expect(discovery.notes).toEqual([expect.stringContaining('[control-plane, etcd]')]);
  });

  it('sorts by name, not by the order the API lists them, and without locale rules', () => {
    const names = discoverNodes([
      kubeadmNode('b', '192.0.2.2'),
      kubeadmNode('a-10', '192.0.2.3'),
      kubeadmNode('A', '192.0.2.4'),
      kubeadmNode('z', '192.0.2.5', { controlPlane: 'control-plane' }),
    ]).nodes.map((n) => n.name);
    expect(names).toEqual(['z', 'A', 'a-10', 'b']);
  });

  it('falls back to the ExternalIP only without an InternalIP, and says so', () => {
    const discovery = discoverNodes([
      kubeadmNode('edge-1', undefined, { external: '203.0.113.7' }),
      kubeadmNode('both', '192.0.2.30', { external: '203.0.113.8' }),
    ]);
    expect(discovery.nodes.map((n) => [n.name, n.host, n.addressType])).toEqual([
      ['both', '192.0.2.30', 'InternalIP'],
      ['edge-1', '203.0.113.7', 'ExternalIP'],
    ]);
    expect(discovery.notes).toContain('edge-1: no InternalIP; using its ExternalIP 203.0.113.7');
    expect(discovery.notes.some((n) => n.startsWith('both:'))).toBe(false);
  });

  it('takes the first InternalIP of a dual-stack node, IPv6 included', () => {
    const node = kubeadmNode('v6', '2001:db8::10', { extraAddresses: [{ type: 'InternalIP', address: '192.0.2.60' }] });
    expect(discoverNodes([node]).nodes[0]!.host).toBe('2001:db8::10');
  });

  it('skips a Node without an address, and one whose address another Node has, with the reason', () => {
    const noAddress = kubeadmNode('lost', undefined);
    const bare = { ...kubeadmNode('bare', undefined), status: {} };
    const discovery = discoverNodes([...CLUSTER, noAddress, bare, kubeadmNode('worker-3', '192.0.2.21')]);
    expect(discovery.nodes.map((n) => n.name)).toEqual(['cp-1', 'cp-2', 'worker-1', 'worker-2']);
    expect(discovery.skipped).toEqual([
      { name: 'bare', reason: expect.stringMatching(/^no InternalIP or ExternalIP address; add it by hand/) },
      { name: 'lost', reason: expect.stringMatching(/^no InternalIP or ExternalIP address \(only Hostname lost\)/) },
      { name: 'worker-3', reason: expect.stringContaining("192.0.2.21 is also node worker-1's") },
    ]);
    expect(discovery.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^lost skipped: no InternalIP/)]));
  });

  it('says so when no Node has a control-plane label', () => {
    expect(discoverNodes([kubeadmNode('w', '192.0.2.2')]).notes).toEqual([expect.stringContaining('no Node has a control-plane label')]);
  });
});

describe('renderInventory', () => {
  it('writes an inventory that loadInventory accepts, with the nodes, roles and SSH settings', async () => {
    const text = renderInventory(discoverNodes(CLUSTER), HOME_HEADER, HOME_SSH);
    const inventory = await writeAndLoad(text);
    expect(inventory.cluster).toEqual({ name: 'kubernetes-admin@kubernetes', kubeconfig: join(dir, 'kubeconfig'), context: 'kubernetes-admin@kubernetes' });
    expect(inventory.benchmark).toBe('auto');
    expect(inventory.nodes.map((n) => [n.name, n.host, n.roles])).toEqual([
      ['cp-1', '192.0.2.10', ['control-plane', 'etcd']],
      ['cp-2', '192.0.2.11', ['control-plane', 'etcd']],
      ['worker-1', '192.0.2.21', ['worker']],
      ['worker-2', '192.0.2.22', ['worker']],
    ]);
    for (const node of inventory.nodes) {
      expect(node.ssh).toMatchObject({
        user: 'ops',
        port: 22,
        identityFile: join(dir, 'id_ed25519'),
        knownHostsFile: join(dir, 'known_hosts'),
        become: 'sudo',
        proxyJump: [],
      });
    }
  });

  it('has a header saying when and from which context, and explains the etcd assumption', () => {
    const text = renderInventory(discoverNodes(CLUSTER), HEADER, SSH);
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# cis-fix inventory, written by `cis-fix inventory discover` at 2026-11-27T02:30:00Z',
      '# from kubeconfig context "kubernetes-admin@kubernetes" (API server https://192.0.2.10:6443).',
    ]);
    expect(text).toContain('#   cis-fix inventory check -i inventory.yaml');
    expect(text).toMatch(/# \[control-plane, etcd\] because kubeadm runs etcd on every control-plane node/);
    expect(text).toContain('  - name: cp-1\n    host: 192.0.2.10\n    roles: [control-plane, etcd]\n');
  });

  it('marks an ExternalIP host, lists skipped nodes as comments, and writes the proxyJump and become', async () => {
    const discovery = discoverNodes([
      kubeadmNode('cp-1', '192.0.2.10', { controlPlane: 'control-plane' }),
      kubeadmNode('edge-1', undefined, { external: '203.0.113.7' }),
      kubeadmNode('lost', undefined),
    ]);
    const text = renderInventory(discovery, HOME_HEADER, {
      ...HOME_SSH,
      become: 'none',
      port: 2222,
      proxyJump: 'jump@bastion.example.com:2200,inner.example.com',
    });
    expect(text).toContain('    host: 203.0.113.7   # ExternalIP: the Node has no InternalIP\n');
    expect(text).toMatch(/\n# Not listed: .*\n# {3}lost: no InternalIP or ExternalIP address/);
    expect(Object.keys((parseYaml(text) as { nodes: unknown[] }).nodes)).toHaveLength(2);
    const inventory = await writeAndLoad(text);
    expect(inventory.nodes.map((n) => n.name)).toEqual(['cp-1', 'edge-1']);
    expect(inventory.nodes[0]!.ssh).toMatchObject({
      port: 2222,
      become: 'none',
      proxyJump: [
        { host: 'bastion.example.com', port: 2200, user: 'jump' },
        { host: 'inner.example.com', port: 22, user: 'ops' },
      ],
    });
  });

  it('quotes what YAML would misread: an IPv6 host, a context with special characters, paths with spaces', () => {
    const discovery = discoverNodes([kubeadmNode('v6', '2001:db8::10'), kubeadmNode('v6b', '::1')]);
    const header = { ...HEADER, clusterName: 'yes', context: 'admin@prod: eu #1', kubeconfig: '/home/a b/kube config' };
    const text = renderInventory(discovery, header, { ...SSH, identityFile: undefined, user: 'null' });
    checkDiscoveredInventory(text, '/inv/inventory.yaml');
    const data = parseYaml(text) as { cluster: Record<string, unknown>; ssh: Record<string, unknown>; nodes: { host: unknown }[] };
    expect(data.cluster).toEqual({ name: 'yes', kubeconfig: '/home/a b/kube config', context: 'admin@prod: eu #1' });
    expect(data.ssh['user']).toBe('null');
    expect(data.ssh).not.toHaveProperty('identityFile');
    expect(text).toContain('# no identityFile: the ssh-agent at $SSH_AUTH_SOCK is used');
    expect(data.nodes.map((n) => n.host)).toEqual(['2001:db8::10', '::1']);
  });

  it('keeps the header comment on one line whatever the context is called', () => {
    const text = renderInventory(discoverNodes(CLUSTER), { ...HEADER, context: 'evil\nnodes: []' }, SSH);
    checkDiscoveredInventory(text, '/inv/inventory.yaml');
    expect(text.split('\n')[1]).toBe('# from kubeconfig context "evil\\nnodes: []" (API server https://192.0.2.10:6443).');
  });
});

describe('checkSshFlags', () => {
  it('accepts good settings', () => {
    expect(() => checkSshFlags(SSH)).not.toThrow();
  });

  it('names the flag of a bad value', () => {
    const problems = (() => {
      try {
        checkSshFlags({ ...SSH, user: 'ops@host', proxyJump: 'a b' });
      } catch (error) {
        if (error instanceof UserError) return error.problems.map((p) => p.message);
      }
      return [];
    })();
    expect(problems).toEqual([expect.stringMatching(/^--ssh-user: `user` "ops@host" contains "@"/), expect.stringMatching(/^--proxy-jump: /)]);
  });
});

describe('pathForInventory', () => {
  it('keeps ~/ and absolute paths, and anchors relative ones at the working directory', () => {
    expect(pathForInventory('~/.ssh/id', '/work')).toBe('~/.ssh/id');
    expect(pathForInventory('/etc/k.conf', '/work')).toBe('/etc/k.conf');
    expect(pathForInventory('keys/id', '/work/dir')).toBe('/work/dir/keys/id');
  });
});

describe('kubeconfigErrorForDiscover', () => {
  it('speaks of the flags instead of the inventory keys', () => {
    const error = kubeconfigErrorForDiscover(
      new KubeconfigError('no context found: /k has no current-context and the inventory names none', [
        'Set cluster.context in the inventory to one of: a, b.',
      ]),
    );
    expect(error.message).toBe('no context found: /k has no current-context and no --context was given');
    expect(error.hints).toEqual(['Pass --context with one of: a, b.']);
  });
});

describe('forbiddenForDiscover', () => {
  it('names nodes as the cluster-scoped resource they are', () => {
    const detail = 'nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope';
    const error = forbiddenForDiscover(new ClusterForbiddenError('list', 'nodes (all namespaces)', detail));
    expect(error.message).toBe(`forbidden: cannot list nodes: ${detail}`);
    expect(error.hints).toEqual(['Use a kubeconfig context whose identity may list nodes (check with: kubectl auth can-i list nodes).']);
  });
});
