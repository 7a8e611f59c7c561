/**
 * RKE2's etcd through etcd-arg: on facts gathered from the lab's RKE2
 * server, with config.yaml given an etcd-arg list and etcd's generated
 * config file as RKE2 writes it from that list. The 2.x controls are judged
 * on the generated file by kube-bench's rules; the plan edits etcd-arg in
 * config.yaml, never the generated file, keeps etcd's command line in the
 * restart's gate, and refuses a step kube-bench would still fail on the
 * predicted file.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { NodeFacts } from '../../../../src/facts/types.js';
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
const ETCD_CONFIG = '/var/lib/rancher/rke2/server/db/etcd/config';
const SECTION_2 = ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7'];
const ROLES = ['control-plane', 'etcd'] as const;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The node with `files` replaced (text, hash), as gathered verbatim. */
function withFiles(facts: NodeFacts, files: Readonly<Record<string, string>>): NodeFacts {
  const paths = { ...facts.paths };
  for (const [path, text] of Object.entries(files)) {
    const entry = paths[path];
    if (!entry?.exists) throw new Error(`fixture without ${path}`);
    paths[path] = { ...entry, sha256: sha(text), content: { kind: 'text', text, verbatim: true } };
  }
  return { ...facts, paths };
}

function text(facts: NodeFacts, path: string): string {
  const entry = facts.paths[path];
  if (!entry?.exists || entry.content.kind !== 'text') throw new Error(`fixture without ${path}`);
  return entry.content.text;
}

/** The lab's server with etcd-arg client-cert-auth=false, auto-tls=true, and the etcd config RKE2 writes for them (top-level keys, go-yaml order). */
function drifted(): NodeFacts {
  const facts = rke2Facts('cp-1');
  const stock = text(facts, ETCD_CONFIG);
  const generated = stock
    .replace(/^(advertise-client-urls: .*\n)/m, '$1auto-tls: true\n')
    .replace(/^client-transport-security:\n/m, 'client-cert-auth: false\nclient-transport-security:\n');
  const config = `${text(facts, CONFIG)}# etcd debugging\netcd-arg:\n  - "client-cert-auth=false"\n  - "auto-tls=true"\n`;
  return withFiles(facts, { [CONFIG]: config, [ETCD_CONFIG]: generated });
}

const plan = (facts: NodeFacts, only = SECTION_2) => planControls(benchmark, only, { name: 'cp-1', roles: [...ROLES], facts, parameters });
const status = (findings: ReturnType<typeof plan>['findings']) =>
  Object.fromEntries(findings.map((f) => [f.controlId, f.status === 'fail' ? (f.fixable ? 'fixable' : 'refused') : f.status]));

describe("RKE2's etcd through etcd-arg", () => {
  it('judges the stock node on its generated config file: every automated 2.x control passes, as kube-bench says', () => {
    const { findings, changes } = plan(rke2Facts('cp-1'));
    expect(changes).toEqual([]);
    expect(status(findings)).toMatchObject({ '2.2': 'pass', '2.3': 'pass', '2.5': 'pass', '2.6': 'pass' });
    expect(findings.find((f) => f.controlId === '2.2')?.kubeBench).toBe('PASS');
  });

  it('fails 2.2, 2.3 and 2.5 where the top-level keys etcd-arg wrote come first, and says what kube-bench read', () => {
    const { findings } = plan(drifted());
    const f22 = findings.find((f) => f.controlId === '2.2')!;
    expect(f22.kubeBench).toBe('FAIL');
    expect(f22.actual).toMatch(new RegExp(`^client-cert-auth: false \\(first in ${ETCD_CONFIG}\\)`));
    expect(findings.find((f) => f.controlId === '2.6')?.status).toBe('pass');
  });

  it('edits etcd-arg in config.yaml in place, never the generated file, and restarts rke2-server with etcd gated on its unchanged command line', () => {
    const { findings, changes } = plan(drifted());
    expect(status(findings)).toMatchObject({ '2.2': 'fixable', '2.3': 'fixable', '2.5': 'fixable', '2.6': 'pass' });
    expect(changes.map((c) => c.target)).toEqual([CONFIG]);
    const [change] = changesOf(changes, 'rancher-config');
    expect(change!.controlIds).toEqual(['2.2', '2.3', '2.5']);
    expect(change!.service).toBe('rke2-server');
    expect(change!.after.content).toContain(
      '# etcd debugging\netcd-arg:\n  - "client-cert-auth=true"\n  - "auto-tls=false"\n  - "peer-client-cert-auth=true"\n',
    );
    expect(change!.after.gates.find((g) => g.component === 'etcd')?.argv).toEqual(['etcd', `--config-file=${ETCD_CONFIG}`]);
  });

  it('plans nothing more once RKE2 has regenerated the file from the edited etcd-arg', () => {
    const facts = drifted();
    const [change] = changesOf(plan(facts).changes, 'rancher-config');
    const regenerated = text(rke2Facts('cp-1'), ETCD_CONFIG)
      .replace(/^(advertise-client-urls: .*\n)/m, '$1auto-tls: false\n')
      .replace(/^client-transport-security:\n/m, 'client-cert-auth: true\nclient-transport-security:\n')
      .replace(/^peer-transport-security:\n/m, 'peer-client-cert-auth: true\npeer-transport-security:\n');
    const after = withFiles(facts, { [CONFIG]: change!.after.content, [ETCD_CONFIG]: regenerated });
    const again = plan(after);
    expect(again.changes).toEqual([]);
    expect(again.findings.filter((f) => f.status === 'fail')).toEqual([]);
  });

  it('refuses a step kube-bench would still fail on the predicted file: 2.5 alone reads the client-cert-auth 2.2 sets', () => {
    const { findings, changes } = plan(drifted(), ['2.5']);
    expect(changes).toEqual([]);
    expect(findings.map((f) => [f.controlId, f.fixable, f.notFixableReason])).toEqual([['2.5', false, 'kube-bench would still fail after the edit']]);
  });

  it('refuses when the generated file was not gathered verbatim: nothing to predict from', () => {
    const facts = drifted();
    const entry = facts.paths[ETCD_CONFIG]!;
    if (!entry.exists || entry.content.kind !== 'text') throw new Error('fixture');
    const redacted: NodeFacts = { ...facts, paths: { ...facts.paths, [ETCD_CONFIG]: { ...entry, content: { ...entry.content, verbatim: false } } } };
    const { findings, changes } = plan(redacted, ['2.2']);
    expect(changes).toEqual([]);
    expect(findings[0]?.notFixableReason).toMatch(/could not be read verbatim, so cis-fix cannot predict it/);
  });
});
