/**
 * The rancher-config kind on facts gathered from the lab's `variant` k3s
 * nodes (test/lab/distributions/k3s.ts): config.yaml holds the join token
 * inline (gathered redacted, so never editable) and every drift is in
 * config.yaml.d drop-ins. The token must stop only an edit that has to be
 * made in the file that holds it.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Role } from '../../../../src/model/roles.js';
import type { Benchmark, ParameterValue } from '../../../../src/playbook/types.js';
import { k3sVariantFacts } from '../../evaluate/rancher/k3s-facts.js';
import { changesOf, planControls } from '../support/plan-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('k3s-cis-1.9'));
});

const CONFIG = '/etc/rancher/k3s/config.yaml';
const D = `${CONFIG}.d`;
const SERVER: Role[] = ['control-plane', 'etcd'];

function plan(facts: NodeFacts, roles: Role[], only: string[]) {
  return planControls(benchmark, only, { name: facts.node, roles, facts, parameters });
}

/** The facts without one drop-in, as if it had never been written. */
function withoutDropIn(facts: NodeFacts, path: string): NodeFacts {
  const listing = facts.listings[D]!;
  if (!listing.exists) throw new Error('no drop-in listing');
  const { [path]: _gone, ...paths } = facts.paths;
  return { ...facts, paths, listings: { ...facts.listings, [D]: { ...listing, entries: listing.entries.filter((e) => e !== path) } } };
}

describe('the rancher-config kind with a token in config.yaml', () => {
  it('gathers config.yaml redacted, and edits the drop-ins that win, never config.yaml', () => {
    const facts = k3sVariantFacts('cp-1');
    const config = facts.paths[CONFIG];
    expect(config?.exists && config.content).toMatchObject({ kind: 'text', verbatim: false, text: expect.stringContaining('token: <redacted by cis-fix>') });
    const { findings, changes } = plan(facts, SERVER, ['1.2.6', '1.2.15', '1.3.2', '1.4.1', '1.4.2', '4.2.4', '4.2.6']);
    for (const f of findings) expect([f.controlId, f.status, f.fixable, f.notFixableReason]).toEqual([f.controlId, 'fail', true, undefined]);
    const rancher = changesOf(changes, 'rancher-config');
    expect(rancher.map((c) => c.target).sort()).toEqual([`${D}/10-kubelet.yaml`, `${D}/20-apiserver.yaml`, `${D}/30-debug.yaml`, `${D}/9-scheduler.yaml`]);
    // The dead kube-apiserver-arg list of config.yaml (replaced by 20-apiserver.yaml) is left as it is.
    expect(rancher.find((c) => c.target === `${D}/20-apiserver.yaml`)!.after.content).toMatch(/^ {2}- "?authorization-mode=Node,RBAC"?$/m);
    // The scheduler's lone string and the later key+ that appends to it.
    expect(rancher.find((c) => c.target === `${D}/30-debug.yaml`)!.after.content).toContain(
      'kube-scheduler-arg: ["profiling=false", "bind-address=127.0.0.1"]\n',
    );
    expect(rancher.find((c) => c.target === `${D}/9-scheduler.yaml`)!.after.content).toBe('kube-scheduler-arg+: []\n');
  });

  it('on an agent, edits the drop-in whose key+ is the only kubelet-arg', () => {
    const { findings, changes } = plan(k3sVariantFacts('worker-1'), ['worker'], ['4.2.4', '4.2.10']);
    expect(findings.map((f) => [f.controlId, f.fixable])).toEqual([
      ['4.2.4', true],
      ['4.2.10', true],
    ]);
    expect(changesOf(changes, 'rancher-config').map((c) => [c.target, c.service])).toEqual([[`${D}/50-kubelet.yaml`, 'k3s-agent']]);
  });

  it('adds a key that no file sets to a drop-in of its own, as config.yaml holds the token', () => {
    const facts = withoutDropIn(k3sVariantFacts('cp-1'), `${D}/10-kubelet.yaml`);
    const { findings, changes } = plan(facts, SERVER, ['4.2.4', '1.4.1']);
    expect(findings.map((f) => [f.controlId, f.fixable])).toEqual([
      ['1.4.1', true],
      ['4.2.4', true],
    ]);
    const created = changesOf(changes, 'rancher-config').find((c) => c.target === `${D}/90-cis-fix.yaml`)!;
    expect([created.action, created.precondition.exists, created.after.content]).toEqual(['create', false, 'kubelet-arg:\n  - "read-only-port=0"\n']);
    expect(changes.map((c) => c.target).filter((t) => t === CONFIG)).toEqual([]);
  });

  it('refuses, saying what to do, only an edit that must be written into the file holding the token', () => {
    const base = withoutDropIn(k3sVariantFacts('cp-1'), `${D}/10-kubelet.yaml`);
    const config = base.paths[CONFIG]!;
    if (!config.exists || config.content.kind !== 'text') throw new Error('no config.yaml');
    const text = `${config.content.text}kubelet-arg:\n  - read-only-port=10255\n`;
    const facts: NodeFacts = { ...base, paths: { ...base.paths, [CONFIG]: { ...config, content: { kind: 'text', text, verbatim: false } } } };
    const { findings, changes } = plan(facts, SERVER, ['4.2.4', '1.4.1']);
    const kubelet = findings.find((f) => f.controlId === '4.2.4')!;
    expect([kubelet.fixable, kubelet.notFixableReason]).toEqual([
      false,
      expect.stringMatching(/config\.yaml holds a token .* token-file, or kubelet-arg to a config\.yaml\.d drop-in/),
    ]);
    expect(findings.find((f) => f.controlId === '1.4.1')!.fixable).toBe(true);
    expect(changes.map((c) => c.target).filter((t) => t === CONFIG || t.endsWith('cis-fix.yaml'))).toEqual([]);
  });
});
