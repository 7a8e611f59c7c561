import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

// Issue 13 §1–§2 end to end on the stock kubeadm lab: --benchmark auto keeps
// kubeadm's version mapping; an EKS-style worker (its kubelet config where
// the EKS node image keeps it) makes auto pick eks-1.8.0, saying from what;
// the provider's controls are reported provider-managed, once, never fail;
// and the EKS file control is planned and applied with real files.
const INSTANCE = 'e2e-distros';
const EKS_KUBELET_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
let lab: LabState;
let stateDir: string;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });

interface PlanJson {
  benchmark: { id: string; chosenBy: string };
  changes: { node: string; target: string; kind: string; controlIds: string[]; diff: string }[];
  findings: { node?: string; controlId: string; status: string; fixable: boolean }[];
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'stock', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('distribution benchmarks on the lab', () => {
  it('keeps picking the kubeadm benchmark by version for a kubeadm cluster', async () => {
    const result = await cli('plan', '-i', lab.apiInventoryFile, '--only', '1.1.1', '--json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanJson;
    expect(plan.benchmark.id).toMatch(/^cis-1\.1[12]$/);
    expect(plan.benchmark.chosenBy).toMatch(/API server's \/version v1\.\d+\.\d+ maps to cis-1\.1[12] as kube-bench maps it/);
  });

  it('reports the EKS control plane and AWS settings as provider-managed, once each, and never fail', async () => {
    const result = await cli('plan', '-i', lab.inventoryFile, '--benchmark', 'eks-1.8.0', '--json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanJson;
    const provider = plan.findings.filter((f) => f.status === 'provider-managed');
    expect(provider.map((f) => f.controlId).sort()).toEqual(
      ['2.1.1', '2.1.2', '5.1.1', '5.1.2', '5.1.3', '5.1.4', '5.2.1', '5.3.1', '5.4.1', '5.4.2', '5.4.3', '5.4.4', '5.4.5', '5.5.1'].sort(),
    );
    expect(provider.every((f) => f.node === undefined)).toBe(true);
    expect(plan.findings.filter((f) => /^(2|5)\./.test(f.controlId) && f.status === 'fail')).toEqual([]);
  });

  it('picks eks-1.8.0 from an EKS-style worker, and tightens its kubelet-config.json as kube-bench checks it', async () => {
    await nodeExec(lab, 'worker-1', [
      '/bin/sh',
      '-c',
      `mkdir -p /etc/kubernetes/kubelet && cp /var/lib/kubelet/config.yaml ${EKS_KUBELET_CONFIG} && chmod 666 ${EKS_KUBELET_CONFIG}`,
    ]);
    const planned = await cli('plan', '-i', lab.inventoryFile, '--only', '3.1.3', '--json');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as PlanJson;
    expect(plan.benchmark).toEqual({
      id: 'eks-1.8.0',
      chosenBy: `auto: eks detected from node worker-1 has ${EKS_KUBELET_CONFIG}; its benchmark is eks-1.8.0`,
    });
    expect(plan.findings.find((f) => f.node === 'worker-1' && f.controlId === '3.1.3')).toMatchObject({ status: 'fail', fixable: true });
    expect(plan.changes.map((c) => [c.node, c.target, c.diff])).toContainEqual(['worker-1', EKS_KUBELET_CONFIG, 'mode 0666 -> 0644']);

    expect((await cli('apply', '-i', lab.inventoryFile, '--only', '3.1.3', '--yes')).code).toBe(0);
    expect((await nodeExec(lab, 'worker-1', ['stat', '-c', '%a', EKS_KUBELET_CONFIG])).stdout.trim()).toBe('644');
    const again = JSON.parse((await cli('plan', '-i', lab.inventoryFile, '--only', '3.1.3', '--json')).stdout) as PlanJson;
    expect(again.changes).toEqual([]);
    expect(again.findings.find((f) => f.node === 'worker-1' && f.controlId === '3.1.3')).toMatchObject({ status: 'pass' });
  });
});
