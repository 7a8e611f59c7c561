import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Change } from '../../../src/model/change.js';
import type { Finding } from '../../../src/model/finding.js';
import { PLAN_FORMAT_VERSION, summarizePlan, type Plan } from '../../../src/plan/plan.js';
import { parsePlan, serializePlan } from '../../../src/plan/planfile.js';
import { renderPlanJunit } from '../../../src/render/plan-junit.js';
import { renderPlanMarkdown } from '../../../src/render/plan-markdown.js';
import { renderPlanSarif } from '../../../src/render/plan-sarif.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { createStyle } from '../../../src/render/style.js';

// Golden files for rendered plans (DESIGN.md §5.7). To accept a deliberate
// change of the output, delete the golden file and run the test once.
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));

function expectGolden(name: string, actual: string): void {
  const file = golden(name);
  if (!existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const modeChange: Change = {
  id: 'cp-1:file-mode:/etc/kubernetes/admin.conf', node: 'cp-1', controlIds: ['1.1.13'], kind: 'file-mode', target: '/etc/kubernetes/admin.conf', action: 'update',
  precondition: { exists: true, sha256: 'a'.repeat(64), mode: '644', uid: 0, gid: 0 }, restart: 'none', diff: 'mode 0644 -> 0600', before: { mode: '644' }, after: { mode: '600' },
};
const ownerChange: Change = {
  id: 'worker-1:file-owner:/var/lib/kubelet/config.yaml', node: 'worker-1', controlIds: ['4.1.10'], kind: 'file-owner', target: '/var/lib/kubelet/config.yaml', action: 'update',
  precondition: { exists: true, sha256: 'b'.repeat(64), mode: '600', uid: 1000, gid: 1000 }, restart: 'none', diff: 'owner ops:ops -> root:root',
  before: { user: 'ops', group: 'ops' }, after: { user: 'root', group: 'root', createAccount: false },
};
const findings: Finding[] = [
  { controlId: '1.1.13', node: 'cp-1', status: 'fail', title: 'Ensure that the default administrative credential file permissions are set to 600', expected: 'mode 600', actual: '/etc/kubernetes/admin.conf mode 0644', fixable: true, kubeBench: 'FAIL' },
  { controlId: '1.1.12', node: 'cp-1', status: 'fail', title: 'Ensure that the etcd data directory ownership is set to etcd:etcd', expected: '/var/lib/etcd owned by <parameter etcdDataDirOwner>', actual: '/var/lib/etcd owned by root:root', fixable: false, notFixableReason: 'the owner is yours to choose: set parameter etcdDataDirOwner under parameters: in the inventory', decisionParameter: 'etcdDataDirOwner', kubeBench: 'FAIL' },
  { controlId: '1.2.20', node: 'cp-1', status: 'manual', title: 'Ensure that the --request-timeout argument is set as appropriate', expected: 'a human review', actual: 'needs a human review', fixable: false, notFixableReason: 'depends on the cluster', kubeBench: 'WARN' },
  { controlId: '4.1.10', node: 'worker-1', status: 'fail', title: 'Ensure that the kubelet configuration file ownership is set to root:root', expected: 'root:root', actual: 'ops:ops', fixable: true, kubeBench: 'FAIL' },
  { controlId: '4.1.9', node: 'worker-2', status: 'pass', title: 'Ensure that the kubelet configuration file has permissions set to 600 or more restrictive', expected: 'mode 600', actual: '1 path(s) compliant', fixable: false, kubeBench: 'PASS' },
];
const plan: Plan = {
  formatVersion: PLAN_FORMAT_VERSION,
  tool: { name: 'cis-fix', version: '0.1.0' },
  createdAt: '2026-11-27T00:00:00.000Z',
  benchmark: { id: 'cis-1.12', chosenBy: 'auto: kubelet v1.33.4 maps to cis-1.12 as kube-bench maps it' },
  selection: { targets: [], only: [], skip: [], nodes: ['cp-1', 'worker-1', 'worker-2'] },
  inventory: { file: '/etc/cis-fix/inventory.yaml', digest: 'c'.repeat(64) },
  findings,
  changes: [modeChange, ownerChange],
  summary: summarizePlan(findings, [modeChange, ownerChange], 3),
};

describe('rendered plans', () => {
  it('renders the text plan per node with markers, control ids, decisions and the summary line', () => {
    expectGolden('plan.txt', renderPlanText(plan, createStyle(false)));
  });

  it('renders the text plan with colours only when asked', () => {
    const coloured = renderPlanText(plan, createStyle(true));
    expect(coloured).toContain('\u001b[33m~\u001b[39m');
    expect(renderPlanText(plan, createStyle(false))).not.toContain('\u001b[');
  });

  it('renders the markdown plan with a changes table and the undecided controls', () => {
    expectGolden('plan.md', renderPlanMarkdown(plan));
  });

  it('renders JUnit XML with a suite per node, failures for failing controls and skips for manual ones', () => {
    expectGolden('plan.junit.xml', renderPlanJunit(plan));
    const xml = renderPlanJunit(plan);
    expect(xml).toContain('<testsuite name="cp-1" tests="3" failures="2" errors="0" skipped="1">');
  });

  it('renders SARIF 2.1.0 with one result per failing control, warnings for what the plan fixes', () => {
    const sarif = JSON.parse(renderPlanSarif(plan)) as { version: string; runs: { results: { ruleId: string; level: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([['1.1.13', 'warning'], ['1.1.12', 'error'], ['4.1.10', 'warning']]);
  });

  it('round-trips through the plan file unchanged', () => {
    expect(parsePlan(serializePlan(plan), 'plan.json')).toEqual(plan);
  });

  it('refuses a plan file of another format version, naming both versions', () => {
    expect(() => parsePlan(JSON.stringify({ ...plan, formatVersion: 99 }), 'old.json')).toThrow(/format version 99; this cis-fix reads version 1/);
  });
});
