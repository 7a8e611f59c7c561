/**
 * The rancher-config kind on facts gathered from the lab's drifted k3s
 * nodes: the failing kubelet controls of the kubelet k3s runs inside its
 * own process become kubelet-arg edits of /etc/rancher/k3s/config.yaml;
 * the plan is refused where kube-bench's journal audit would still fail on
 * the line k3s will log; and the node as the changes leave it plans nothing
 * more.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Role } from '../../../../src/model/roles.js';
import { predictedJournals, predictedLine } from '../../../../src/plan/kinds/predicted-journal.js';
import type { Benchmark, Control, ParameterValue } from '../../../../src/playbook/types.js';
import { k3sFacts } from '../../evaluate/rancher/k3s-facts.js';
import { changesOf, planControls } from '../support/plan-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('k3s-cis-1.9'));
});

const CONFIG = '/etc/rancher/k3s/config.yaml';
const KUBELET = ['4.2.4', '4.2.6', '4.2.10'];
const SERVER: Role[] = ['control-plane', 'etcd'];

function plan(facts: NodeFacts, roles: Role[], only = KUBELET, on: Benchmark = benchmark) {
  return planControls(on, only, { name: facts.node, roles, facts, parameters });
}

/** The facts as k3s leaves the node after a restart from the changed config: its text, and the journal lines it logs. */
function after(facts: NodeFacts, changes: ReturnType<typeof plan>['changes']): NodeFacts {
  const rancher = changesOf(changes, 'rancher-config');
  const paths = { ...facts.paths };
  for (const c of rancher) {
    const entry = paths[c.target]!;
    if (!entry.exists) throw new Error('fixture file missing');
    paths[c.target] = { ...entry, sha256: c.after.sha256, content: { kind: 'text', text: c.after.content, verbatim: true } };
  }
  const argv = new Map<string, readonly string[]>((rancher[0]?.after.gates ?? []).flatMap((g) => (g.argv ? [[g.component, g.argv] as const] : [])));
  const components = Object.fromEntries(Object.entries(facts.components).map(([k, p]) => [k, argv.has(k) ? { ...p!, argv: [...argv.get(k)!] } : p]));
  return { ...facts, paths, components, journals: predictedJournals(facts.journals, argv) };
}

/** The benchmark with one control's kube-bench check changed. */
function withCheck(id: string, change: (c: Control) => Control): Benchmark {
  return { ...benchmark, controls: benchmark.controls.map((c) => (c.id === id ? change(c) : c)) };
}

describe("the rancher-config kind on k3s's embedded kubelet", () => {
  it('sets the kubelet flags through kubelet-arg in config.yaml, restarted through k3s on a server and k3s-agent on an agent', () => {
    const server = plan(k3sFacts('cp-1'), SERVER);
    const rancher = changesOf(server.changes, 'rancher-config');
    expect(rancher.map((c) => [c.target, c.controlIds, c.service, c.edits])).toEqual([
      [
        CONFIG,
        KUBELET,
        'k3s',
        ['kubelet-arg: set read-only-port=0', 'kubelet-arg: set make-iptables-util-chains=true', 'kubelet-arg: set rotate-certificates=true'],
      ],
    ]);
    expect(server.changes.filter((c) => c.kind !== 'rancher-config')).toEqual([]);
    expect(server.findings.map((f) => [f.controlId, f.status, f.fixable])).toEqual(KUBELET.map((id) => [id, 'fail', true]));
    // The operator's comments and untouched entries stay; the kubelet's gate carries its predicted command line.
    expect(rancher[0]!.after.content).toContain('# Debugging session, 2026-11: left in place.');
    expect(rancher[0]!.after.content).toContain('- "anonymous-auth=true" # probes without credentials');
    expect(rancher[0]!.after.content).toContain('kubelet-arg:\n  - "read-only-port=0"\n  - "make-iptables-util-chains=true"\n  - "rotate-certificates=true"\n');
    const kubelet = rancher[0]!.after.gates.find((g) => g.component === 'kubelet')!;
    expect(kubelet.argv).toEqual(expect.arrayContaining(['--read-only-port=0', '--make-iptables-util-chains=true', '--rotate-certificates=true']));
    expect(kubelet.argv).not.toContain('--read-only-port=10255');

    const agent = changesOf(plan(k3sFacts('worker-1'), ['worker']).changes, 'rancher-config');
    expect(agent.map((c) => [c.target, c.controlIds, c.service, c.edits])).toEqual([
      [CONFIG, ['4.2.4', '4.2.10'], 'k3s-agent', ['kubelet-arg: set read-only-port=0', 'kubelet-arg: set rotate-certificates=true']],
    ]);
  });

  it("fixes 4.2.1-4.2.3 where kube-bench reads them, the kube-apiserver's flags (sic), with 1.2.1 and 1.2.6; on an agent they do not apply", () => {
    const only = ['1.2.1', '1.2.6', '4.2.1', '4.2.2', '4.2.3'];
    const server = plan(k3sFacts('cp-1'), SERVER, only);
    expect(server.findings.map((f) => [f.controlId, f.status, f.kubeBench, f.fixable])).toEqual([
      ['1.2.1', 'fail', 'FAIL', true],
      ['1.2.6', 'fail', 'FAIL', true],
      ['4.2.1', 'fail', 'FAIL', true],
      ['4.2.2', 'fail', 'FAIL', true],
      ['4.2.3', 'pass', 'PASS', false],
    ]);
    expect(changesOf(server.changes, 'rancher-config').map((c) => [c.controlIds, c.edits])).toEqual([
      [
        ['1.2.1', '1.2.6', '4.2.1', '4.2.2'],
        ['kube-apiserver-arg: set anonymous-auth=false', 'kube-apiserver-arg: set authorization-mode=Node,RBAC'],
      ],
    ]);
    const agent = plan(k3sFacts('worker-1'), ['worker'], only);
    expect(agent.findings).toEqual([]);
    expect(agent.changes).toEqual([]);
  });

  it('plans nothing more for the node its changes and the restart leave', () => {
    for (const [node, roles] of [
      ['cp-1', SERVER],
      ['worker-1', ['worker']],
    ] as const) {
      const facts = k3sFacts(node);
      const { changes } = plan(facts, [...roles]);
      const replanned = plan(after(facts, changes), [...roles]);
      expect(replanned.changes).toEqual([]);
      expect(replanned.findings.map((f) => [f.controlId, f.status, f.kubeBench])).toEqual(KUBELET.map((id) => [id, 'pass', 'PASS']));
    }
  });

  it("refuses a step that kube-bench's journal audit would still fail on the line k3s logs after the restart", () => {
    // kube-bench greps the kubelet's line for a literal it will not contain: the step's value (0) does not make it pass.
    const strict = withCheck('4.2.4', (c) => {
      const audit = c.kubeBench.audit;
      if (audit?.source !== 'journal') throw new Error('4.2.4 is a journal audit');
      return { ...c, kubeBench: { ...c.kubeBench, audit: { ...audit, grep: '--read-only-port=1' } } };
    });
    const { findings, changes } = plan(k3sFacts('worker-1'), ['worker'], ['4.2.4', '4.2.10'], strict);
    expect(findings.find((f) => f.controlId === '4.2.4')).toMatchObject({
      status: 'fail',
      fixable: false,
      notFixableReason: 'kube-bench would still fail after the edit',
    });
    // The other control is still planned, alone.
    expect(changesOf(changes, 'rancher-config').map((c) => [c.controlIds, c.edits])).toEqual([[['4.2.10'], ['kubelet-arg: set rotate-certificates=true']]]);
  });

  it('predicts the journal line k3s logs: the same prefix, the new arguments, logrus quoting kept', () => {
    const line = 'Dec 04 18:00:00 worker-1 k3s[7]: time="2026-12-04T18:00:00Z" level=info msg="Running kubelet --address=0.0.0.0 --read-only-port=10255"';
    expect(predictedLine(line, 'kubelet', ['--address=0.0.0.0', '--read-only-port=0'])).toBe(
      'Dec 04 18:00:00 worker-1 k3s[7]: time="2026-12-04T18:00:00Z" level=info msg="Running kubelet --address=0.0.0.0 --read-only-port=0"',
    );
    expect(predictedLine(line, 'kube-proxy', ['--x'])).toBeUndefined();
    // Every unit set that logged the component gets the new line; one that did not keeps none.
    const journals = predictedJournals(
      [
        { units: ['k3s'], lines: {} },
        { units: ['k3s', 'k3s-agent'], lines: { kubelet: { text: line, truncated: false } } },
      ],
      new Map([['kubelet', ['kubelet', '--read-only-port=0']]]),
    );
    expect(journals).toEqual([
      { units: ['k3s'], lines: {} },
      {
        units: ['k3s', 'k3s-agent'],
        lines: { kubelet: { text: line.replace('--address=0.0.0.0 --read-only-port=10255', '--read-only-port=0'), truncated: false } },
      },
    ]);
  });
});
