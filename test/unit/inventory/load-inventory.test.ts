import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../src/playbook/parameter-value.js';
import { loadInventory, parseInventory } from '../../../src/inventory/load-inventory.js';
import { parse, TEST_ENV, tempDir, writeIn, yaml } from './inventory-fixtures.js';

const MINIMAL = yaml('nodes:', '  - name: cp-1', '    host: 192.0.2.10', '    roles: [control-plane]');

describe('parseInventory', () => {
  it('fills every SSH setting the inventory leaves out with the documented default', () => {
    const inventory = parse(MINIMAL);
    expect(inventory.nodes).toEqual([
      {
        name: 'cp-1',
        host: '192.0.2.10',
        roles: ['control-plane'],
        parameters: {},
        ssh: {
          host: '192.0.2.10',
          port: 22,
          user: 'tester',
          identityFile: undefined,
          knownHostsFile: '/home/tester/.ssh/known_hosts',
          become: 'none',
          proxyJump: [],
          connectTimeoutMs: 10000,
        },
      },
    ]);
    expect(inventory.benchmark).toBe('auto');
    expect(inventory.cluster).toEqual({ name: undefined, kubeconfig: undefined, context: undefined });
    expect(inventory.parameters).toEqual({});
  });

  it('takes the default user from USER, then LOGNAME, when no user name is given', () => {
    expect(parseInventory(MINIMAL, 'i.yaml', { env: { USER: 'alice', LOGNAME: 'bob' }, homeDir: '/h' }).nodes[0]?.ssh.user).toBe('alice');
    expect(parseInventory(MINIMAL, 'i.yaml', { env: { LOGNAME: 'bob' }, homeDir: '/h' }).nodes[0]?.ssh.user).toBe('bob');
  });

  it('merges a node’s ssh settings over the top-level defaults key by key', () => {
    const inventory = parse(
      yaml(
        'ssh:',
        '  user: ops',
        '  port: 2200',
        '  identityFile: /keys/default',
        '  become: sudo',
        '  proxyJump: bastion.example.com',
        '  connectTimeout: 2.5',
        'nodes:',
        '  - name: cp-1',
        '    host: 192.0.2.10',
        '    roles: [control-plane]',
        '  - name: w-1',
        '    host: 192.0.2.21',
        '    roles: [worker]',
        '    ssh: { port: 22, identityFile: /keys/worker, proxyJump: none }',
      ),
    );
    const [cp, worker] = inventory.nodes;
    expect(cp?.ssh).toMatchObject({ user: 'ops', port: 2200, identityFile: '/keys/default', become: 'sudo', connectTimeoutMs: 2500 });
    expect(cp?.ssh.proxyJump).toEqual([{ host: 'bastion.example.com', port: 22, user: 'ops' }]);
    expect(worker?.ssh).toMatchObject({ user: 'ops', port: 22, identityFile: '/keys/worker', become: 'sudo', connectTimeoutMs: 2500, proxyJump: [] });
  });

  it('expands ~ to the home directory and resolves relative paths against the inventory’s directory', () => {
    const inventory = parse(
      yaml(
        'cluster: { kubeconfig: ~/.kube/config }',
        'ssh: { identityFile: keys/id_ed25519, knownHostsFile: "~" }',
        'nodes:',
        '  - { name: cp-1, host: h1, roles: [etcd], ssh: { identityFile: ~/.ssh/id_rsa, knownHostsFile: /etc/ssh/ssh_known_hosts } }',
        '  - { name: cp-2, host: h2, roles: [etcd] }',
      ),
      '/srv/clusters/prod/inventory.yaml',
    );
    expect(inventory.cluster.kubeconfig).toBe('/home/tester/.kube/config');
    expect(inventory.nodes[0]?.ssh).toMatchObject({ identityFile: '/home/tester/.ssh/id_rsa', knownHostsFile: '/etc/ssh/ssh_known_hosts' });
    expect(inventory.nodes[1]?.ssh).toMatchObject({ identityFile: '/srv/clusters/prod/keys/id_ed25519', knownHostsFile: '/home/tester' });
  });

  it('normalizes role aliases and removes the duplicates they create', () => {
    const inventory = parse(
      yaml(
        'nodes:',
        '  - { name: a, host: h1, roles: [master, controlplane, kube_control_plane, control-plane, etcd, etcd] }',
        '  - { name: b, host: h2, roles: [node, kube_node, worker] }',
      ),
    );
    expect(inventory.nodes.map((n) => n.roles)).toEqual([['control-plane', 'etcd'], ['worker']]);
  });

  it('merges a node’s parameters over the top-level parameters', () => {
    const inventory = parse(
      yaml(
        'parameters:',
        '  auditLogMaxAge: 30',
        '  ciphers: [A, B]',
        '  podSecurity: { default: restricted }',
        'nodes:',
        '  - { name: a, host: h1, roles: [worker], parameters: { auditLogMaxAge: 7 } }',
        '  - { name: b, host: h2, roles: [worker] }',
      ),
    );
    expect(inventory.parameters).toEqual({ auditLogMaxAge: 30, ciphers: ['A', 'B'], podSecurity: { default: 'restricted' } });
    expect(inventory.nodes[0]?.parameters).toEqual({ auditLogMaxAge: 7, ciphers: ['A', 'B'], podSecurity: { default: 'restricted' } });
    expect(inventory.nodes[1]?.parameters).toEqual(inventory.parameters);
  });

  it('reads cluster and benchmark settings', () => {
    const inventory = parse(yaml('cluster: { name: prod, kubeconfig: /k/config, context: admin }', 'benchmark: cis-1.11', MINIMAL));
    expect(inventory.cluster).toEqual({ name: 'prod', kubeconfig: '/k/config', context: 'admin' });
    expect(inventory.benchmark).toBe('cis-1.11');
  });

  it('lets nodes share settings through YAML anchors and merge keys', () => {
    const inventory = parse(
      yaml(
        'nodes:',
        '  - name: w-1',
        '    host: h1',
        '    roles: [worker]',
        '    ssh: &lab { port: 2201, user: lab }',
        '  - name: w-2',
        '    host: h2',
        '    roles: [worker]',
        '    ssh:',
        '      <<: *lab',
        '      port: 2202',
      ),
    );
    expect(inventory.nodes.map((n) => [n.ssh.user, n.ssh.port])).toEqual([
      ['lab', 2201],
      ['lab', 2202],
    ]);
  });

  it('records the sha256 of the exact bytes and the absolute path of the file', () => {
    const inventory = parseInventory(MINIMAL, 'relative/inventory.yaml', TEST_ENV);
    expect(inventory.digest).toBe(createHash('sha256').update(MINIMAL).digest('hex'));
    expect(inventory.file).toBe(resolve('relative/inventory.yaml'));
  });
});

describe('loadInventory', () => {
  it('reads the file and returns the same inventory parseInventory would', async () => {
    const dir = await tempDir();
    await writeIn(dir, 'known_hosts', '');
    const file = await writeIn(dir, 'inventory.yaml', `ssh: { knownHostsFile: known_hosts }\n${MINIMAL}`);
    const inventory = await loadInventory(file, TEST_ENV);
    expect(inventory).toEqual(parseInventory(await readFile(file), file, TEST_ENV));
    expect(inventory.nodes[0]?.ssh.knownHostsFile).toBe(join(dir, 'known_hosts'));
  });

  it('loads the shipped inventory.example.yaml when file checks are off', async () => {
    const inventory = await loadInventory('inventory.example.yaml', { ...TEST_ENV, checkFiles: false });
    expect(inventory.cluster).toEqual({ name: 'prod-eu1', kubeconfig: '/home/tester/.kube/config', context: 'prod-eu1-admin' });
    expect(inventory.nodes.map((n) => [n.name, n.roles])).toEqual([
      ['cp-1', ['control-plane', 'etcd']],
      ['cp-2', ['control-plane', 'etcd']],
      ['worker-1', ['worker']],
      ['worker-2', ['worker']],
    ]);
    const [cp1, , worker1, worker2] = inventory.nodes;
    expect(cp1?.ssh.proxyJump).toEqual([{ host: 'bastion.example.com', port: 22, user: 'ops' }]);
    expect(worker1?.ssh).toMatchObject({ port: 2222, user: 'admin', proxyJump: [], identityFile: '/home/tester/.ssh/worker_ed25519' });
    expect(worker1?.parameters['podPidsLimit']).toBe(8192);
    expect(worker1?.parameters['auditLogMaxAge']).toBe(30); // inherited from the top level
    expect(worker2?.ssh.proxyJump).toEqual([
      { host: 'bastion.example.com', port: 22, user: 'ops' },
      { host: 'inner-bastion.example.com', port: 2222, user: 'ops' },
    ]);
  });

  it('uses only parameters both benchmarks know, with values of the right type, in inventory.example.yaml', async () => {
    const inventory = await loadInventory('inventory.example.yaml', { ...TEST_ENV, checkFiles: false });
    for (const id of ['cis-1.12', 'cis-1.11'] as const) {
      const benchmark = await loadBenchmark(id);
      expect([id, resolveParameters(benchmark, inventory.parameters).problems]).toEqual([id, []]);
      for (const node of inventory.nodes) expect([id, node.name, resolveParameters(benchmark, node.parameters).problems]).toEqual([id, node.name, []]);
    }
  });

  it('documents every key the schema accepts in inventory.example.yaml', async () => {
    const { KNOWN_KEYS } = await import('../../../src/inventory/field-guide.js');
    const example = await readFile('inventory.example.yaml', 'utf8');
    for (const key of [...KNOWN_KEYS.top, ...KNOWN_KEYS.cluster, ...KNOWN_KEYS.ssh, ...KNOWN_KEYS.node, ...KNOWN_KEYS.waiver]) {
      expect(example).toMatch(new RegExp(`^\\s*(- )?(#\\s*)?${key}:`, 'm'));
    }
  });

  it('says so when the inventory file does not exist', async () => {
    await expect(loadInventory('/nonexistent/inventory.yaml', TEST_ENV)).rejects.toThrow('Inventory /nonexistent/inventory.yaml does not exist.');
  });
});
