import { UserError } from '../../../src/model/errors.js';
import { parseInventory } from '../../../src/inventory/load-inventory.js';
import { problemsOf, TEST_ENV, yaml } from './inventory-fixtures.js';

/** The single problem a text has; fails when there are more or none. */
function onlyProblem(text: string) {
  const problems = problemsOf(text);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

const NODE = ['  - name: cp-1', '    host: 192.0.2.10', '    roles: [control-plane]'];

describe('inventory problems', () => {
  it('reports an unknown key at its line and suggests the closest known key', () => {
    const problem = onlyProblem(yaml('ssh:', '  user: ops', '  identityfile: ~/.ssh/id_ed25519', 'nodes:', ...NODE));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 3, column: 3 });
    expect(problem.message).toBe('unknown key `identityfile` in ssh');
    expect(problem.fix).toBe('Did you mean `identityFile`? Write `identityFile: ~/.ssh/id_ed25519`.');
  });

  it('suggests the usual name for a key spelt the Ansible way', () => {
    const problem = onlyProblem(yaml('nodes:', '  - name: cp-1', '    ansible_host: 192.0.2.10', '    host: 192.0.2.10', '    roles: [etcd]'));
    expect(problem.location?.line).toBe(3);
    expect(problem.fix).toContain('Did you mean `host`?');
  });

  it('says where a known key belongs when it is in the wrong map', () => {
    const problem = onlyProblem(yaml('nodes:', '  - name: cp-1', '    host: 192.0.2.10', '    user: admin', '    roles: [etcd]'));
    expect(problem.location?.line).toBe(4);
    expect(problem.message).toBe('unknown key `user` in node "cp-1"');
    expect(problem.fix).toBe("`user` is an SSH setting: put it under this node's `ssh:`, e.g. `ssh: { user: admin }`.");
  });

  it('lists the allowed keys when an unknown key resembles none', () => {
    const problem = onlyProblem(yaml('cluster:', '  colour: blue', 'nodes:', ...NODE));
    expect(problem.location?.line).toBe(2);
    expect(problem.fix).toBe('Remove it; the keys allowed in cluster are: name, kubeconfig, context.');
  });

  it('reports a node without host at the node, naming the node', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '  - name: cp-2', '    roles: [control-plane]'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 5, column: 5 });
    expect(problem.message).toBe('node "cp-2" is missing `host`');
    expect(problem.fix).toBe("Add `host: 192.0.2.10` (the node's host name or IP address).");
  });

  it('reports a node without name at the node, by its position', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '  - host: 192.0.2.11', '    roles: [worker]'));
    expect(problem.location?.line).toBe(5);
    expect(problem.message).toBe('nodes[1] is missing `name`');
    expect(problem.fix).toContain('name: cp-1');
  });

  it('reports a duplicate node name at the second one and gives the line of the first', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '  - name: cp-1', '    host: 192.0.2.11', '    roles: [worker]'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 5, column: 11 });
    expect(problem.message).toBe('node name "cp-1" is used twice (first at line 2)');
  });

  it('treats node names that differ only in case as duplicates', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '  - name: CP-1', '    host: 192.0.2.11', '    roles: [worker]'));
    expect(problem.message).toBe('node name "CP-1" differs only in case from "cp-1" (line 2)');
  });

  it.each([
    ['0', 'ssh › port is 0, not a port number from 1 to 65535', 'Write e.g. `port: 22`.'],
    ['70000', 'ssh › port is 70000, not a port number from 1 to 65535', 'Write e.g. `port: 22`.'],
    ['abc', 'ssh › port is "abc", not a port number from 1 to 65535', 'Write e.g. `port: 22`.'],
    ['"2222"', 'ssh › port is "2222", not a port number from 1 to 65535', 'Write the number without quotes: `port: 2222`.'],
    ['22.5', 'ssh › port is 22.5, not a port number from 1 to 65535', 'Write e.g. `port: 22`.'],
  ])('rejects the port %s at its line', (port, message, fix) => {
    const problem = onlyProblem(yaml('ssh:', `  port: ${port}`, 'nodes:', ...NODE));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 2, column: 9 });
    expect(problem.message).toBe(message);
    expect(problem.fix).toBe(fix);
  });

  it('names the node whose own port is wrong', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '    ssh:', '      port: 70000'));
    expect(problem.location?.line).toBe(6);
    expect(problem.message).toBe('node "cp-1" › ssh › port is 70000, not a port number from 1 to 65535');
  });

  it('rejects an unknown role, listing the valid roles and aliases', () => {
    const problem = onlyProblem(yaml('nodes:', '  - name: cp-1', '    host: 192.0.2.10', '    roles:', '      - etcd', '      - mastr'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 6, column: 9 });
    expect(problem.message).toBe('node "cp-1" › roles: unknown role "mastr"');
    expect(problem.fix).toBe(
      'Did you mean `master`? Valid roles: control-plane, etcd, worker (aliases: controlplane → control-plane, master → control-plane, kube_control_plane → control-plane, node → worker, kube_node → worker).',
    );
  });

  it('asks for a list when roles is a single word, and for at least one role', () => {
    const single = onlyProblem(yaml('nodes:', '  - name: w', '    host: h', '    roles: worker'));
    expect(single.location?.line).toBe(4);
    expect(single.fix).toBe('Write a list: `roles: [worker]`.');
    const empty = onlyProblem(yaml('nodes:', '  - name: w', '    host: h', '    roles: []'));
    expect(empty.message).toBe('node "w" › roles is an empty list');
  });

  it('reports a YAML syntax error at its line', () => {
    const problem = onlyProblem(yaml('nodes:', '  - name: cp-1', '    host: [192.0.2.10', '    roles: [etcd]'));
    expect(problem.location?.file).toBe('inventory.yaml');
    expect(problem.location?.line).toBe(4);
    expect(problem.message).toMatch(/^YAML syntax error: /);
  });

  it('reports a key written twice as a YAML error at the second one', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '    host: 192.0.2.99'));
    expect(problem.location?.line).toBe(5);
    expect(problem.message).toBe('YAML syntax error: Map keys must be unique');
    expect(problem.fix).toContain('Remove one of the two keys');
  });

  it('reports tabs used for indentation', () => {
    const problem = onlyProblem('nodes:\n\t- name: a\n');
    expect(problem.location?.line).toBe(2);
    expect(problem.fix).toBe('Indent with spaces; YAML does not allow tabs for indentation.');
  });

  it('rejects a file with more than one YAML document at the second', () => {
    const problem = onlyProblem(yaml('nodes: []', '---', 'nodes: []'));
    expect(problem.location?.line).toBe(2);
    expect(problem.fix).toContain('Keep one document');
  });

  it('rejects bytes that are not UTF-8', () => {
    let error: unknown;
    try {
      parseInventory(Buffer.from([0x6e, 0x3a, 0x20, 0xff, 0x0a]), 'inventory.yaml', TEST_ENV);
    } catch (e) {
      error = e;
    }
    expect((error as UserError).problems[0]?.message).toBe('the inventory is not UTF-8 text');
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing yet\n'],
  ])('rejects %s as empty', (_, text) => {
    const problem = onlyProblem(text);
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 1, column: 1 });
    expect(problem.message).toBe('the inventory is empty');
  });

  it('rejects a top level that is a list, not a map', () => {
    const problem = onlyProblem(yaml('# a comment', '- name: cp-1', '  host: 192.0.2.10'));
    expect(problem.location?.line).toBe(2);
    expect(problem.message).toBe('the inventory is a list, not a map of keys');
    expect(problem.fix).toContain('nodes go in a list under `nodes:`');
  });

  it('rejects an inventory without nodes, and one with an empty node list', () => {
    const missing = onlyProblem(yaml('cluster:', '  name: prod'));
    expect(missing.location?.line).toBe(1);
    expect(missing.message).toBe('the inventory has no `nodes:` list');
    const empty = onlyProblem(yaml('cluster:', '  name: prod', 'nodes: []'));
    expect(empty.location).toEqual({ file: 'inventory.yaml', line: 3, column: 8 });
    expect(empty.message).toBe('the inventory lists no nodes');
    const blank = onlyProblem(yaml('cluster:', '  name: prod', 'nodes:'));
    expect(blank.location?.line).toBe(3);
    expect(blank.message).toBe('nodes is empty, not a list of nodes');
  });

  it.each([
    ['true', 'ssh › become is true, not `none` or `sudo`'],
    ['su', 'ssh › become is "su", not `none` or `sudo`'],
  ])('rejects become: %s', (become, message) => {
    const problem = onlyProblem(yaml('ssh:', `  become: ${become}`, 'nodes:', ...NODE));
    expect(problem.location?.line).toBe(2);
    expect(problem.message).toBe(message);
    expect(problem.fix).toBe('Write e.g. `become: sudo`.');
  });

  it('rejects an unknown benchmark, listing the valid ones', () => {
    const problem = onlyProblem(yaml('benchmark: cis-1.9', 'nodes:', ...NODE));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 1, column: 12 });
    expect(problem.message).toBe('benchmark is "cis-1.9", not `auto`, `cis-1.12` or `cis-1.11`');
  });

  it('rejects two nodes that connect to the same host and port, naming the first', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '  - name: cp-2', '    host: 192.0.2.10', '    roles: [worker]'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 6, column: 11 });
    expect(problem.message).toBe('node "cp-2" connects to 192.0.2.10:22, as does node "cp-1" (line 3)');
    expect(problem.fix).toContain('give each its own `ssh: { port: … }`');
  });

  it('accepts one address on different ports, or behind different bastions', () => {
    const text = yaml(
      'nodes:',
      '  - { name: a, host: 10.0.0.5, roles: [worker] }',
      '  - { name: b, host: 10.0.0.5, roles: [worker], ssh: { port: 2222 } }',
      '  - { name: c, host: 10.0.0.5, roles: [worker], ssh: { proxyJump: bastion-a } }',
      '  - { name: d, host: 10.0.0.5, roles: [worker], ssh: { proxyJump: bastion-b } }',
    );
    expect(parseInventory(text, 'i.yaml', TEST_ENV).nodes).toHaveLength(4);
  });

  it('does not call a node a duplicate because its invalid port was ignored', () => {
    const problem = onlyProblem(yaml('nodes:', ...NODE, '  - { name: cp-2, host: 192.0.2.10, roles: [etcd], ssh: { port: 70000 } }'));
    expect(problem.message).toBe('node "cp-2" › ssh › port is 70000, not a port number from 1 to 65535');
  });

  it.each([
    [
      'ops@192.0.2.10',
      'node "cp-1" › host: `host` "ops@192.0.2.10" contains a user name',
      'Write `host: 192.0.2.10` and put the user in the ssh settings: `ssh: { user: ops }`.',
    ],
    [
      '192.0.2.10:2222',
      'node "cp-1" › host: `host` "192.0.2.10:2222" contains a port',
      'Write `host: 192.0.2.10` and put the port in the ssh settings: `ssh: { port: 2222 }`.',
    ],
  ])('explains how to split %s into host and ssh settings', (host, message, fix) => {
    const problem = onlyProblem(yaml('nodes:', '  - name: cp-1', `    host: ${host}`, '    roles: [etcd]'));
    expect(problem.location?.line).toBe(3);
    expect(problem.message).toBe(message);
    expect(problem.fix).toBe(fix);
  });

  it('reports a malformed proxyJump at its line', () => {
    const problem = onlyProblem(yaml('ssh:', '  proxyJump: ops@bastion:99999', 'nodes:', ...NODE));
    expect(problem.location?.line).toBe(2);
    expect(problem.message).toBe('ssh › proxyJump: proxyJump hop "ops@bastion:99999" has port "99999", not a number from 1 to 65535');
  });

  it('reports an unknown key in a proxyJump hop map', () => {
    const problem = onlyProblem(yaml('ssh:', '  proxyJump:', '    - host: bastion', '      prot: 22', 'nodes:', ...NODE));
    expect(problem.location?.line).toBe(4);
    expect(problem.fix).toContain('Did you mean `port`?');
  });

  it('asks to quote a node name YAML reads as a number', () => {
    const problem = onlyProblem(yaml('nodes:', '  - name: 1', '    host: h', '    roles: [worker]'));
    expect(problem.location?.line).toBe(2);
    expect(problem.fix).toBe('Quote it: `name: "1"`.');
  });

  it('says a top-level key that belongs under cluster: goes there', () => {
    const problem = onlyProblem(yaml('kubeconfig: ~/.kube/config', 'nodes:', ...NODE));
    expect(problem.message).toBe('unknown key `kubeconfig` at the top level');
    expect(problem.fix).toBe('`kubeconfig` belongs under `cluster:`, e.g. `cluster: { kubeconfig: ~/.kube/config }`.');
  });

  it('shows what a node entry looks like when one is not a map', () => {
    const problem = onlyProblem(yaml('nodes:', '  - cp-1'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 2, column: 5 });
    expect(problem.message).toBe('nodes[0] is "cp-1", not a map with name, host and roles');
  });

  it('points at the anchor when a bad value is shared through a YAML alias', () => {
    const problems = problemsOf(
      yaml('nodes:', '  - { name: a, host: h1, roles: [worker], ssh: &s { port: 0 } }', '  - { name: b, host: h2, roles: [worker], ssh: *s }'),
    );
    expect(problems.map((p) => [p.location?.line, p.location?.column, p.message])).toEqual([
      [2, 59, 'node "a" › ssh › port is 0, not a port number from 1 to 65535'],
      [2, 59, 'node "b" › ssh › port is 0, not a port number from 1 to 65535'],
    ]);
  });

  it('refuses YAML aliases that expand exponentially', () => {
    const bomb = yaml(
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    );
    expect(onlyProblem(bomb).message).toMatch(/^the inventory cannot be expanded/);
  });

  it('reports every problem at once, in file order', () => {
    const problems = problemsOf(
      yaml(
        'benchmark: latest',
        'ssh:',
        '  port: 0',
        'nodes:',
        '  - name: cp-1',
        '    roles: [boss]',
        '  - name: cp-1',
        '    host: h',
        '    roles: [worker]',
        '    colour: red',
      ),
    );
    expect(problems.map((p) => p.location?.line)).toEqual([1, 3, 5, 6, 7, 10]);
  });

  it('throws one UserError whose message lists each problem with file:line:column', () => {
    let error: unknown;
    try {
      parseInventory(yaml('ssh:', '  port: 0', 'nodes:', '  - name: a'), 'inv.yaml', TEST_ENV);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toContain('Inventory inv.yaml has 3 problems:');
    expect(message).toContain('inv.yaml:2:9: ssh › port is 0, not a port number from 1 to 65535');
    expect(message).toContain('inv.yaml:4:5: node "a" is missing `host`');
    expect((error as UserError).exitCode).toBe(1);
  });
});
