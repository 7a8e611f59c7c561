import { UserError } from '../../../src/model/errors.js';
import { filterNodesByRole, selectNodes } from '../../../src/inventory/select-nodes.js';
import { parse, yaml } from './inventory-fixtures.js';

const inventory = parse(
  yaml(
    'nodes:',
    '  - { name: cp-1, host: h1, roles: [control-plane, etcd] }',
    '  - { name: cp-2, host: h2, roles: [master] }',
    '  - { name: etcd-1, host: h3, roles: [etcd] }',
    '  - { name: worker-1, host: h4, roles: [kube_node] }',
  ),
);
const names = (nodes: readonly { name: string }[]) => nodes.map((n) => n.name);

describe('selectNodes', () => {
  it('selects every node when no names are given', () => {
    expect(names(selectNodes(inventory))).toEqual(['cp-1', 'cp-2', 'etcd-1', 'worker-1']);
    expect(names(selectNodes(inventory, []))).toEqual(['cp-1', 'cp-2', 'etcd-1', 'worker-1']);
  });

  it('keeps inventory order and drops repeated names', () => {
    expect(names(selectNodes(inventory, ['worker-1', 'cp-1', 'worker-1']))).toEqual(['cp-1', 'worker-1']);
  });

  it('rejects unknown names, suggesting the closest node', () => {
    let error: unknown;
    try {
      selectNodes(inventory, ['cp-1', 'worker1', 'nothing-like-it']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems).toEqual([
      {
        location: undefined,
        message: 'no node named "worker1" in the inventory',
        fix: 'Did you mean "worker-1"? The nodes are: cp-1, cp-2, etcd-1, worker-1.',
      },
      { location: undefined, message: 'no node named "nothing-like-it" in the inventory', fix: 'The nodes are: cp-1, cp-2, etcd-1, worker-1.' },
    ]);
  });
});

describe('filterNodesByRole', () => {
  it('keeps the nodes that have any of the roles, aliases already normalized', () => {
    expect(names(filterNodesByRole(inventory.nodes, ['control-plane']))).toEqual(['cp-1', 'cp-2']);
    expect(names(filterNodesByRole(inventory.nodes, ['etcd', 'worker']))).toEqual(['cp-1', 'etcd-1', 'worker-1']);
  });
});
