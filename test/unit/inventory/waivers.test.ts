import { parse, problemsOf, yaml } from './inventory-fixtures.js';

const NODES = [
  'nodes:',
  '  - name: cp-1',
  '    host: 192.0.2.10',
  '    roles: [control-plane]',
  '  - name: worker-1',
  '    host: 192.0.2.21',
  '    roles: [worker]',
];

/** An inventory with NODES (lines 1–7) and then `waivers:` at line 8, its first entry from line 9. */
const withWaivers = (...lines: string[]) => yaml(...NODES, 'waivers:', ...lines);

/** The single problem a text has; fails when there are more or none. */
function onlyProblem(text: string) {
  const problems = problemsOf(text);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('inventory waivers', () => {
  it('reads waivers in file order, with their nodes when given', () => {
    const inventory = parse(
      withWaivers(
        '  - control: 4.1.9',
        '    nodes: [worker-1]',
        '    reason: the monitoring agent reads it',
        '    owner: platform@example.com',
        '    expires: 2026-06-30',
        '  - { control: "5.2.*", reason: rollout, owner: sec, expires: "2026-03-31" }',
      ),
    );
    expect(inventory.waivers).toEqual([
      { control: '4.1.9', nodes: ['worker-1'], reason: 'the monitoring agent reads it', owner: 'platform@example.com', expires: '2026-06-30' },
      { control: '5.2.*', nodes: undefined, reason: 'rollout', owner: 'sec', expires: '2026-03-31' },
    ]);
  });

  it('has no waivers when the inventory names none', () => {
    expect(parse(yaml(...NODES)).waivers).toEqual([]);
  });

  it('rejects a waiver without an owner at the waiver, naming its control and what to add', () => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    reason: the monitoring agent reads it', '    expires: 2026-06-30'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 9, column: 5 });
    expect(problem.message).toBe('the waiver for 4.1.9 is missing `owner`');
    expect(problem.fix).toBe('Add `owner: platform-team@example.com` (who decided and answers for it).');
  });

  it('rejects a waiver without a reason, and one without an expiry date', () => {
    expect(onlyProblem(withWaivers('  - control: 4.1.9', '    owner: ops', '    expires: 2026-06-30')).message).toBe(
      'the waiver for 4.1.9 is missing `reason`',
    );
    const noExpiry = onlyProblem(withWaivers('  - control: 4.1.9', '    reason: r', '    owner: ops'));
    expect(noExpiry.message).toBe('the waiver for 4.1.9 is missing `expires`');
    expect(noExpiry.fix).toContain('expires: 2026-06-30');
  });

  it('rejects a blank reason or owner at its line', () => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    reason: "  "', '    owner: ops', '    expires: 2026-06-30'));
    expect(problem.location?.line).toBe(10);
    expect(problem.message).toBe("the waiver for 4.1.9 › reason: the waiver's reason is blank");
  });

  it.each([
    ['2026-02-30', 'a day that does not exist'],
    ['2026-6-30', 'no leading zeros'],
    ['30.06.2026', 'another order'],
    ['next year', 'words'],
  ])('rejects the expiry date %s (%s) at its line', (date) => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    reason: r', '    owner: ops', `    expires: ${date}`));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 12, column: 14 });
    expect(problem.message).toBe(`the waiver for 4.1.9 › expires: "${date}" is not a date`);
    expect(problem.fix).toBe('Write the last day the waiver holds as YYYY-MM-DD, e.g. `expires: 2026-06-30`.');
  });

  it('rejects an expiry written as a number', () => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    reason: r', '    owner: ops', '    expires: 20260630'));
    expect(problem.message).toBe('the waiver for 4.1.9 › expires is 20260630, not a date YYYY-MM-DD, the last day the waiver holds');
  });

  it('rejects a node the inventory does not list, suggesting the closest name', () => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    nodes: [cp-1, worker1]', '    reason: r', '    owner: ops', '    expires: 2026-06-30'));
    expect(problem.location).toEqual({ file: 'inventory.yaml', line: 10, column: 19 });
    expect(problem.message).toBe('the waiver for 4.1.9 names node "worker1", which is not in the inventory\'s `nodes:`');
    expect(problem.fix).toBe('Did you mean `worker-1`? Name nodes from `nodes:` (cp-1, worker-1), or leave `nodes:` out to waive the control everywhere.');
  });

  it('rejects an empty node list rather than waiving nothing (or everything)', () => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    nodes: []', '    reason: r', '    owner: ops', '    expires: 2026-06-30'));
    expect(problem.location?.line).toBe(10);
    expect(problem.message).toBe('the waiver for 4.1.9 › nodes is an empty list');
  });

  it('rejects a control that is neither an id nor a glob', () => {
    const problem = onlyProblem(withWaivers('  - control: kubelet config', '    reason: r', '    owner: ops', '    expires: 2026-06-30'));
    expect(problem.location?.line).toBe(9);
    expect(problem.message).toBe('the waiver for kubelet config › control: "kubelet config" is not a control id or glob');
  });

  it('rejects an unknown key in a waiver, suggesting the right one', () => {
    const problem = onlyProblem(withWaivers('  - control: 4.1.9', '    reason: r', '    owner: ops', '    expiry: 2026-06-30', '    expires: 2026-06-30'));
    expect(problem.location?.line).toBe(12);
    expect(problem.message).toBe('unknown key `expiry` in the waiver for 4.1.9');
    expect(problem.fix).toBe('Did you mean `expires`? Write `expires: 2026-06-30`.');
  });

  it('reports every problem of every waiver in one run, in line order', () => {
    const problems = problemsOf(
      withWaivers(
        '  - control: 4.1.9',
        '    reason: r',
        '    expires: 2026-06-30',
        '  - control: 1.1.1',
        '    nodes: [cp-9]',
        '    owner: ops',
        '    expires: 2026-13-01',
      ),
    );
    expect(problems.map((p) => [p.location?.line, p.message])).toEqual([
      [9, 'the waiver for 4.1.9 is missing `owner`'],
      [12, 'the waiver for 1.1.1 is missing `reason`'],
      [13, 'the waiver for 1.1.1 names node "cp-9", which is not in the inventory\'s `nodes:`'],
      [15, 'the waiver for 1.1.1 › expires: "2026-13-01" is not a date'],
    ]);
  });
});
