/**
 * The rancher-config kind on facts gathered from the lab's drifted RKE2
 * nodes: the failing flag and kubelet controls become *-arg edits of
 * config.yaml and its drop-in, one change per file with the restart's
 * gates; never a change of a generated manifest; and the node as the
 * changes leave it plans nothing more.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Role } from '../../../../src/model/roles.js';
import { withFlag } from '../../../../src/plan/kinds/rancher-config-plan.js';
import { changeOverview, targetEntries } from '../../../../src/render/plan-overview.js';
import { rancherConfigHandler } from '../../../../src/plan/kinds/rancher-config.js';
import type { Benchmark, ParameterValue } from '../../../../src/playbook/types.js';
import { rke2Facts } from '../../evaluate/rancher/rke2-facts.js';
import { changesOf, planControls } from '../support/plan-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('rke2-cis-1.8'));
});

const CONFIG = '/etc/rancher/rke2/config.yaml';
const DROP_IN = `${CONFIG}.d/50-debug.yaml`;
const ONLY = ['1.2.6', '1.2.7', '1.2.8', '1.2.16', '1.3.2', '1.4.1', '1.4.2', '4.2.1', '4.2.4', '4.2.10'];

function plan(facts: NodeFacts, roles: Role[], only = ONLY) {
  const planned = planControls(benchmark, only, { name: facts.node, roles, facts, parameters });
  return { findings: planned.findings, changes: planned.changes };
}

/** The facts as RKE2 leaves the node after a restart from the changed files: their text, and each component running with its predicted command line. */
function after(facts: NodeFacts, changes: ReturnType<typeof plan>['changes']): NodeFacts {
  const rancher = changesOf(changes, 'rancher-config');
  const paths = { ...facts.paths };
  for (const c of rancher) {
    const entry = paths[c.target]!;
    if (!entry.exists) throw new Error('fixture file missing');
    paths[c.target] = { ...entry, sha256: c.after.sha256, content: { kind: 'text', text: c.after.content, verbatim: true } };
  }
  const gates = rancher[0]?.after.gates ?? [];
  const processes = facts.processes.map((p) => {
    const gate = gates.find((g) => g.component === p.component);
    return gate?.argv ? { ...p, argv: gate.argv } : p;
  });
  const components = Object.fromEntries(Object.entries(facts.components).map(([k, p]) => [k, processes.find((x) => x.pid === p!.pid)!]));
  return { ...facts, paths, processes, components };
}

describe('the rancher-config kind', () => {
  it('edits the *-arg list where it wins: config.yaml for the API server, scheduler and kubelet, the drop-in that appends for the controller-manager', () => {
    const { findings, changes } = plan(rke2Facts('cp-1'), ['control-plane', 'etcd']);
    expect(changes.every((c) => c.kind === 'rancher-config')).toBe(true);
    const rancher = changesOf(changes, 'rancher-config');
    expect(rancher.map((c) => [c.target, c.controlIds, c.service])).toEqual([
      [CONFIG, ['1.2.6', '1.2.7', '1.2.8', '1.2.16', '1.4.1', '1.4.2', '4.2.1', '4.2.4', '4.2.10'], 'rke2-server'],
      [DROP_IN, ['1.3.2'], 'rke2-server'],
    ]);
    for (const f of findings) expect([f.controlId, f.status, f.fixable, f.notFixableReason]).toEqual([f.controlId, 'fail', true, undefined]);
    const config = rancher[0]!;
    expect(config.diff).toContain('-  - "authorization-mode=AlwaysAllow"');
    expect(config.diff).toContain('+  - "authorization-mode=Node,RBAC"');
    expect(config.after.content).toContain('# Left over from a debugging session (OPS-1234): remove once done.');
    expect(config.after.sha256).toBe(createHash('sha256').update(config.after.content).digest('hex'));
    expect(config.precondition).toMatchObject({ exists: true, sha256: config.before.sha256, mode: '600', uid: 0, gid: 0 });
    expect(rancher[1]!.after.content).toBe(
      '# Controller-manager debugging, appended to whatever config.yaml sets.\nkube-controller-manager-arg+:\n  - profiling=false\n',
    );
    // One restart for both files: the same gates, every component of the server, the edited ones with their new flags.
    expect(rancher[0]!.after.gates).toEqual(rancher[1]!.after.gates);
    const gate = (name: string) => config.after.gates.find((g) => g.component === name)!;
    expect(config.after.gates.map((g) => g.component)).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet']);
    expect(gate('kube-apiserver').argv).toContain('--authorization-mode=Node,RBAC');
    expect(gate('kube-controller-manager').argv).toContain('--profiling=false');
    expect(gate('kubelet').argv).toEqual(expect.arrayContaining(['--anonymous-auth=false', '--read-only-port=0', '--rotate-certificates=true']));
    expect(gate('etcd').argv).toEqual(['etcd', '--config-file=/var/lib/rancher/rke2/server/db/etcd/config']);
  });

  it('plans nothing more for the node its changes and the restart leave', () => {
    const facts = rke2Facts('cp-1');
    const { changes } = plan(facts, ['control-plane', 'etcd']);
    expect(plan(after(facts, changes), ['control-plane', 'etcd']).changes).toEqual([]);
  });

  it("shows one restart of the distribution's service per node in the plan overview, not kubelet or manifest restarts", () => {
    const { changes } = plan(rke2Facts('cp-1'), ['control-plane', 'etcd']);
    expect(changeOverview(changes)).toMatchObject({
      targets: 2,
      files: 0,
      manifestRestarts: [],
      kubeletRestarts: [],
      serviceRestarts: ['rke2-server.service on cp-1'],
    });
    expect(targetEntries(changes).map((e) => e.restart)).toEqual(['rke2-server', 'rke2-server']);
  });

  it('on an agent, kubelet-arg in config.yaml, restarted through rke2-agent', () => {
    const rancher = changesOf(plan(rke2Facts('worker-1'), ['worker'], ['4.2.1', '4.2.4']).changes, 'rancher-config');
    expect(rancher.map((c) => [c.target, c.service, c.edits])).toEqual([
      [CONFIG, 'rke2-agent', ['kubelet-arg: set anonymous-auth=false', 'kubelet-arg: set read-only-port=0']],
    ]);
    expect(rancher[0]!.after.gates.map((g) => g.component)).toEqual(['kubelet']);
  });

  it('states its invariants: only a Rancher config file, only its services', () => {
    const [change] = changesOf(plan(rke2Facts('worker-1'), ['worker'], ['4.2.1']).changes, 'rancher-config');
    const scope = { pathsKnown: true } as Parameters<typeof rancherConfigHandler.invariants>[1];
    expect(rancherConfigHandler.invariants(change!, scope)).toEqual([]);
    expect(rancherConfigHandler.invariants({ ...change!, target: '/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml' }, scope)).toEqual([
      'target: /var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml is not a config.yaml of RKE2 or k3s, nor one of its config.yaml.d drop-ins',
    ]);
    expect(rancherConfigHandler.invariants({ ...change!, service: 'sshd' }, scope)).toEqual(['service: sshd is not a service of rke2']);
  });

  it('predicts the command line as RKE2 builds it: one --flag=value in sorted place, or none', () => {
    const argv = ['kube-scheduler', '--authentication-kubeconfig=/a', '--bind-address=0.0.0.0', '--profiling=true', '--secure-port=10259'];
    expect(withFlag(argv, 'profiling', 'false')).toEqual([
      'kube-scheduler',
      '--authentication-kubeconfig=/a',
      '--bind-address=0.0.0.0',
      '--profiling=false',
      '--secure-port=10259',
    ]);
    expect(withFlag(argv, 'leader-elect', 'true')).toEqual([
      'kube-scheduler',
      '--authentication-kubeconfig=/a',
      '--bind-address=0.0.0.0',
      '--leader-elect=true',
      '--profiling=true',
      '--secure-port=10259',
    ]);
    expect(withFlag(argv, 'bind-address', undefined)).toEqual(['kube-scheduler', '--authentication-kubeconfig=/a', '--profiling=true', '--secure-port=10259']);
  });
});
