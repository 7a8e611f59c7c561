/**
 * The distribution playbooks (rke2-cis-1.8, k3s-cis-1.9, eks-1.8.0,
 * gke-1.9.0, aks-1.8) say exactly what kube-bench's check definitions say:
 * every check's id, title, assessment, type, scored flag and tests (keys,
 * compare ops and values).
 *
 * The reference is the committed fact table fixtures/kube-bench-<id>.json
 * (facts extracted from kube-bench's YAML, not the YAML), so this test needs
 * nothing outside the repository. When kube-bench's cfg directory is on the
 * machine ($CIS_FIX_KUBE_BENCH_CFG, default
 * /work/shared/reference/kube-bench/cfg: the dev machines and CI), the facts
 * are also extracted afresh and must equal the fixture, so it cannot drift.
 * To rewrite the fixtures from that directory after a kube-bench update:
 *   CIS_FIX_WRITE_KUBE_BENCH_FACTS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js \
 *     test/unit/playbook/distribution-playbooks.test.ts --selectProjects unit
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import type { Benchmark, BenchmarkId } from '../../../src/playbook/types.js';
import { asPlaybookStates, extractCheckFacts, KUBE_BENCH_FILES, playbookCheckFacts, type CheckFacts } from './kube-bench-facts.js';

const DISTRIBUTION_BENCHMARKS = ['rke2-cis-1.8', 'k3s-cis-1.9', 'eks-1.8.0', 'gke-1.9.0', 'aks-1.8'] as const satisfies readonly BenchmarkId[];
const MANAGED = new Set<string>(['eks-1.8.0', 'gke-1.9.0', 'aks-1.8']);
const KUBE_BENCH_CFG = process.env.CIS_FIX_KUBE_BENCH_CFG ?? '/work/shared/reference/kube-bench/cfg';
const haveKubeBench = existsSync(join(KUBE_BENCH_CFG, 'config.yaml'));
const fixture = (id: string) => new URL(`./fixtures/kube-bench-${id}.json`, import.meta.url);

function extractFromKubeBench(id: string): CheckFacts[] {
  return KUBE_BENCH_FILES.flatMap((file) => {
    const path = join(KUBE_BENCH_CFG, id, `${file}.yaml`);
    return existsSync(path) ? extractCheckFacts(readFileSync(path, 'utf8')) : [];
  });
}

/** One check per line: a reviewable diff when kube-bench changes. */
function formatFacts(facts: readonly CheckFacts[]): string {
  return `[\n${facts.map((f) => `  ${JSON.stringify(f)}`).join(',\n')}\n]\n`;
}

function readFixture(id: string): CheckFacts[] {
  return JSON.parse(readFileSync(fixture(id), 'utf8')) as CheckFacts[];
}

if (haveKubeBench && process.env.CIS_FIX_WRITE_KUBE_BENCH_FACTS === '1') {
  for (const id of DISTRIBUTION_BENCHMARKS) writeFileSync(fixture(id), formatFacts(extractFromKubeBench(id)));
}

const benchmarks = new Map<string, Benchmark>();
beforeAll(async () => {
  for (const id of DISTRIBUTION_BENCHMARKS) benchmarks.set(id, await loadBenchmark(id));
});

describe.each(DISTRIBUTION_BENCHMARKS)('the %s playbook', (id) => {
  const get = () => benchmarks.get(id)!;

  it("has exactly the checks of kube-bench's fact table, with their ids, titles, assessments, types, scored flags and tests", () => {
    const expected = readFixture(id).map(asPlaybookStates);
    const actual = get().controls.map(playbookCheckFacts);
    expect(actual.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
    const byId = new Map(expected.map((c) => [c.id, c]));
    for (const control of actual) expect(control).toEqual(byId.get(control.id));
  });

  it("reports the provider's control plane and managed services as provider-managed, and nothing else", () => {
    for (const c of get().controls) {
      const providers = MANAGED.has(id) && ['master', 'controlplane', 'managedservices'].includes(c.kubeBench.target);
      expect({ id: c.id, fix: c.fix }).toEqual({ id: c.id, fix: providers ? 'provider-managed' : expect.not.stringMatching(/^provider-managed$/) });
      if (c.fix === 'provider-managed') {
        expect(c.scope).toBe('cluster');
        expect(c.providerManaged.guidance.trim()).not.toBe(''); // the benchmark's text, however short ("No remediation")
      }
    }
  });

  it('fixes only node files with file-mode and file-owner steps (and component flags where the distribution has a source cis-fix edits), and gives every other control its reason', () => {
    // rke2-cis-1.8: flags and kubelet settings go to /etc/rancher/rke2/config.yaml (the rancher-config kind, issue 13 §3).
    // k3s-cis-1.9: its flags, kubelet settings and kube-proxy's flags go to /etc/rancher/k3s/config.yaml the same way.
    // eks-1.8.0: a managed node's kubelet settings are fixed in its kubelet config, in its own syntax (JSON).
    // aks-1.8: kube-bench reads them from the command line only, so the flags are rewritten where they stand.
    const kinds =
      id === 'rke2-cis-1.8'
        ? ['file-mode', 'file-owner', 'static-pod-flag', 'kubelet-setting']
        : id === 'k3s-cis-1.9'
          ? ['file-mode', 'file-owner', 'static-pod-flag', 'kubelet-setting', 'kube-proxy-setting']
          : id === 'eks-1.8.0' || id === 'aks-1.8'
            ? ['file-mode', 'file-owner', 'kubelet-setting']
            : ['file-mode', 'file-owner'];
    for (const c of get().controls) {
      if (c.fix === 'ensure') {
        expect({ id: c.id, scope: c.scope, type: c.kubeBench.type }).toEqual({ id: c.id, scope: 'node', type: 'automated' });
        for (const step of c.ensure) expect(kinds).toContain(step.kind);
      }
      if (c.fix === 'manual') expect(c.manual.reason).toMatch(/\w{3,}/);
    }
  });
});

(haveKubeBench ? it : it.skip)(
  haveKubeBench
    ? `the fact tables are what kube-bench's YAML in ${KUBE_BENCH_CFG} says today`
    : `the fact tables are what kube-bench's YAML says today (skipped: ${KUBE_BENCH_CFG} is absent; set CIS_FIX_KUBE_BENCH_CFG)`,
  () => {
    for (const id of DISTRIBUTION_BENCHMARKS) expect(formatFacts(extractFromKubeBench(id))).toBe(readFileSync(fixture(id), 'utf8'));
  },
);

it('covers every control of the five benchmarks (counts as kube-bench has them)', () => {
  const counts = Object.fromEntries(DISTRIBUTION_BENCHMARKS.map((id) => [id, readFixture(id).length]));
  expect(counts).toEqual({ 'rke2-cis-1.8': 130, 'k3s-cis-1.9': 130, 'eks-1.8.0': 50, 'gke-1.9.0': 57, 'aks-1.8': 51 });
});
