/**
 * k3s-cis-1.9 4.3.1 (kube-proxy's metrics bound to localhost): a
 * `kube-proxy-setting` step judged on the node where kube-bench reads it
 * (k3s's journal), routed to kube-proxy-arg of /etc/rancher/k3s/config.yaml
 * by component-source.ts, planned by the rancher-config kind only when
 * kube-bench passes the "Running kube-proxy" line k3s will log; on a kubeadm
 * node the same step is not fixable, with a reason. The agent's facts are the
 * lab's drifted k3s agent as recorded (fixtures), its kube-proxy drift
 * included: the config.yaml entry and the line k3s logged for it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { componentSource, stepComponent } from '../../../../src/evaluate/component-source.js';
import { controlFamily } from '../../../../src/evaluate/control-family.js';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Role } from '../../../../src/model/roles.js';
import { predictedJournals } from '../../../../src/plan/kinds/predicted-journal.js';
import { withFlag } from '../../../../src/plan/kinds/rancher-config-plan.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../../src/playbook/parameter-value.js';
import type { Benchmark, Control, ParameterValue } from '../../../../src/playbook/types.js';
import { k3sFacts } from '../../evaluate/rancher/k3s-facts.js';
import { changesOf, planControls } from '../support/plan-node.js';

let k3s: Benchmark;
let cis: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  k3s = await loadBenchmark('k3s-cis-1.9');
  cis = await loadBenchmark('cis-1.12');
  parameters = resolveParameters(k3s, {}).values;
});

const CONFIG = '/etc/rancher/k3s/config.yaml';
const WORKER: Role[] = ['worker'];
const DRIFT = 'kube-proxy-arg:\n  - "metrics-bind-address=0.0.0.0:10249" # cluster-wide Prometheus scrape\n';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The facts with kube-proxy running with `argv` (its logged line and its component entry) and config.yaml holding `text`. */
function withProxy(facts: NodeFacts, argv: readonly string[], text?: string): NodeFacts {
  const paths = { ...facts.paths };
  const entry = paths[CONFIG];
  if (text !== undefined && entry?.exists)
    paths[CONFIG] = { ...entry, size: text.length, sha256: sha256(text), content: { kind: 'text', text, verbatim: true } };
  const proxy = facts.components['kube-proxy']!;
  return {
    ...facts,
    paths,
    components: { ...facts.components, 'kube-proxy': { ...proxy, argv: [...argv] } },
    journals: predictedJournals(facts.journals, new Map([['kube-proxy', argv]])),
  };
}

function configText(facts: NodeFacts): string {
  const entry = facts.paths[CONFIG];
  if (!entry?.exists || entry.content.kind !== 'text') throw new Error('fixture config.yaml missing');
  return entry.content.text;
}

/** The lab's drifted agent as recorded: kube-proxy-arg binds metrics to every address, and k3s logged kube-proxy so. */
function driftedAgent(): NodeFacts {
  const facts = k3sFacts('worker-1');
  if (!configText(facts).endsWith(DRIFT)) throw new Error('the recorded agent lacks the lab kube-proxy drift: re-record the k3s fixtures');
  return facts;
}

/** The agent without that drift: k3s's default, no metrics-bind-address at all. */
function stockAgent(): NodeFacts {
  const facts = driftedAgent();
  const argv = facts.components['kube-proxy']!.argv.filter((word) => !word.startsWith('--metrics-bind-address'));
  return withProxy(facts, argv, configText(facts).slice(0, -DRIFT.length));
}

function plan(facts: NodeFacts, roles: Role[], on: Benchmark = k3s) {
  return planControls(on, ['4.3.1'], { name: facts.node, roles, facts, parameters });
}

function control(on: Benchmark, id: string): Control {
  return on.controls.find((c) => c.id === id)!;
}

describe("k3s's kube-proxy through kube-proxy-arg", () => {
  it('routes a kube-proxy-setting step to kube-proxy-arg on a k3s node, restarted through the service that runs kube-proxy', () => {
    const step = control(k3s, '4.3.1');
    if (step.fix !== 'ensure') throw new Error('4.3.1 is automated');
    expect(step.ensure.map((s) => stepComponent(s)?.component)).toEqual(['kube-proxy']);
    expect(componentSource('kube-proxy', driftedAgent(), WORKER, {})).toMatchObject({
      kind: 'rancher-config',
      component: 'kube-proxy',
      key: 'kube-proxy-arg',
      service: 'k3s-agent',
      problem: undefined,
    });
    expect(componentSource('kube-proxy', k3sFacts('cp-1'), ['control-plane', 'etcd'], {})).toMatchObject({ key: 'kube-proxy-arg', service: 'k3s' });
    // Judged on the node when kube-bench reads k3s's journal; from the kube-proxy ConfigMap (once per cluster) on kubeadm.
    expect(controlFamily(step)).toBe('kube-proxy');
    expect(controlFamily(control(cis, '4.3.1'))).toBe('cluster');
  });

  it('fails 4.3.1 where kube-bench does, and plans one kube-proxy-arg edit that keeps the rest of config.yaml', () => {
    const { findings, changes } = plan(driftedAgent(), WORKER);
    expect(findings.map((f) => [f.controlId, f.status, f.kubeBench, f.fixable])).toEqual([['4.3.1', 'fail', 'FAIL', true]]);
    const rancher = changesOf(changes, 'rancher-config');
    expect(rancher.map((c) => [c.target, c.controlIds, c.service, c.edits])).toEqual([
      [CONFIG, ['4.3.1'], 'k3s-agent', ['kube-proxy-arg: set metrics-bind-address=127.0.0.1:10249']],
    ]);
    const text = rancher[0]!.after.content;
    expect(text).toContain('kube-proxy-arg:\n  - "metrics-bind-address=127.0.0.1:10249"');
    expect(text).not.toContain('0.0.0.0:10249');
    expect(text).toContain('  - "read-only-port=10255" # legacy metrics scraper\n');
    expect(changes.filter((c) => c.kind !== 'rancher-config')).toEqual([]);
  });

  it('plans nothing more once k3s logs kube-proxy with the edited kube-proxy-arg', () => {
    const facts = driftedAgent();
    const rancher = changesOf(plan(facts, WORKER).changes, 'rancher-config');
    const argv = withFlag(facts.components['kube-proxy']!.argv, 'metrics-bind-address', '127.0.0.1:10249');
    const replanned = plan(withProxy(facts, argv, rancher[0]!.after.content), WORKER);
    expect(replanned.changes).toEqual([]);
    expect(replanned.findings.map((f) => [f.controlId, f.status, f.kubeBench])).toEqual([['4.3.1', 'pass', 'PASS']]);
    // k3s's stock agent (no flag: its default 127.0.0.1:10249) passes as it is.
    expect(plan(stockAgent(), WORKER).findings.map((f) => [f.status, f.kubeBench])).toEqual([['pass', 'PASS']]);
  });

  it('refuses the edit when kube-bench would still fail the "Running kube-proxy" line k3s will log', () => {
    // kube-bench made to demand a literal the predicted line will not hold: the prediction, not the config text, decides.
    const strict: Benchmark = {
      ...k3s,
      controls: k3s.controls.map((c) => {
        const audit = c.kubeBench.audit;
        if (c.id !== '4.3.1' || audit?.source !== 'journal') return c;
        return { ...c, kubeBench: { ...c.kubeBench, audit: { ...audit, grep: '--metrics-bind-address=127.0.0.2' } } };
      }),
    };
    const { findings, changes } = plan(driftedAgent(), WORKER, strict);
    expect(findings).toMatchObject([{ controlId: '4.3.1', status: 'fail', fixable: false, notFixableReason: 'kube-bench would still fail after the edit' }]);
    expect(changes).toEqual([]);
  });

  it('reports the step not fixable, with what to do, on a kubeadm node whose kube-proxy binds metrics to every address', () => {
    const facts = parseFacts('cp-1', readFileSync(new URL('../../facts/fixtures/kubeadm-control-plane.out', import.meta.url)));
    const proxy = {
      pid: 4242,
      comm: 'kube-proxy',
      component: 'kube-proxy' as const,
      argv: ['/usr/local/bin/kube-proxy', '--metrics-bind-address=0.0.0.0:10249'],
      environment: {},
    };
    const kubeadm: NodeFacts = { ...facts, components: { ...facts.components, 'kube-proxy': proxy } };
    const { findings, changes } = plan(kubeadm, ['control-plane']);
    expect(changes).toEqual([]);
    expect(findings).toMatchObject([{ controlId: '4.3.1', status: 'fail', fixable: false, actual: 'kube-proxy --metrics-bind-address=0.0.0.0:10249' }]);
    expect(findings[0]?.notFixableReason).toMatch(/DaemonSet and the kube-proxy ConfigMap/);
  });
});
