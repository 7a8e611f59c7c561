import { AKS_AZURE_JSON, AKS_DEFAULT_KUBELET, AKS_KUBECONFIG, AKS_KUBELET_CONFIG, AKS_UNIT } from '../lab/distributions/aks.js';
import { nodeExec } from '../lab/lab.js';
import { distributionLab } from './support/distribution-lab.js';
import { judgeAksNode } from './support/kube-bench-managed.js';

// Issue 13 §4 on an AKS-style lab (test/lab/distributions/aks.ts): Azure's
// control plane (cp-1, not in the inventories; AKS's /version is plain) and a
// worker as an AKS Ubuntu node leaves it (security flags in
// /etc/default/kubelet, --config /etc/default/kubeletconfig.json, the cloud
// config /etc/kubernetes/azure.json, which kube-bench's aks-1.8 takes as
// $kubeletconf), drifted: the kubelet kubeconfig and azure.json are 0666
// ops:ops. --benchmark auto picks aks-1.8 from the node, also when the API
// answers (plain /version); one apply takes kube-bench's aks 3.1 verdict
// (support/kube-bench-managed.ts) from red to green without touching any
// content; re-plan empty, second apply idle, rollback byte-identical. The
// kubelet settings (3.2.x) stay manual on AKS: kube-bench reads them from the
// command line or azure.json, never from the kubelet's --config.
const NODE = 'worker-1';
const FILES = [AKS_AZURE_JSON, AKS_KUBECONFIG, AKS_KUBELET_CONFIG, AKS_UNIT, AKS_DEFAULT_KUBELET];
const { lab, cli } = distributionLab('aks', { nodes: 2 });
let drifted: Map<string, string>;

const snapshot = async () => {
  const out = new Map<string, string>();
  for (const path of FILES) out.set(path, (await nodeExec(lab, NODE, ['/bin/sh', '-c', `stat -c '%a %U:%G' ${path} && sha256sum < ${path}`])).stdout);
  return out;
};
interface PlanJson {
  benchmark: { id: string; chosenBy: string };
  findings: { controlId: string; node?: string; status: string; fixable: boolean }[];
  changes: { kind: string; node: string; target: string; diff: string }[];
}

beforeAll(async () => {
  drifted = await snapshot();
}, 180_000);

describe('an AKS-style cluster (lab distribution aks, drifted)', () => {
  it('picks aks-1.8 with --benchmark auto from the node, with and without the API (whose /version is plain)', async () => {
    const expected = { id: 'aks-1.8', chosenBy: `auto: aks detected from node worker-1 has ${AKS_AZURE_JSON}; its benchmark is aks-1.8` };
    for (const inventory of [lab.apiInventoryFile, lab.inventoryFile]) {
      const planned = JSON.parse((await cli('plan', '-i', inventory, '--only', '3.1.1', '--json')).stdout) as PlanJson;
      expect(planned.benchmark).toEqual(expected);
    }
  });

  it('goes from red to green with one apply, changing modes and owners only', async () => {
    expect(await judgeAksNode(lab, NODE)).toEqual({ '3.1.1': 'FAIL', '3.1.2': 'FAIL', '3.1.3': 'FAIL', '3.1.4': 'FAIL' });
    const planned = JSON.parse((await cli('plan', '-i', lab.inventoryFile, '--targets', 'node', '--json')).stdout) as PlanJson;
    expect(planned.changes.map((c) => [c.kind, c.target]).sort()).toEqual(
      [
        ['file-mode', AKS_KUBECONFIG],
        ['file-mode', AKS_AZURE_JSON],
        ['file-owner', AKS_KUBECONFIG],
        ['file-owner', AKS_AZURE_JSON],
      ].sort(),
    );
    const result = await cli('apply', '-i', lab.inventoryFile, '--targets', 'node', '--yes');
    expect(result.code).toBe(0);
    expect(await judgeAksNode(lab, NODE)).toEqual({ '3.1.1': 'PASS', '3.1.2': 'PASS', '3.1.3': 'PASS', '3.1.4': 'PASS' });
    const now = await snapshot();
    for (const path of FILES) expect(now.get(path)!.split('\n')[1]).toBe(drifted.get(path)!.split('\n')[1]); // content untouched
    expect(now.get(AKS_AZURE_JSON)!.split('\n')[0]).toBe('644 root:root');
    expect(now.get(AKS_KUBECONFIG)!.split('\n')[0]).toBe('644 root:root');
  });

  it('is idempotent, and rolls back byte-identical (content, mode, owner)', async () => {
    expect((await cli('plan', '-i', lab.inventoryFile, '--targets', 'node', '--detailed-exitcode')).code).toBe(0);
    const second = await cli('apply', '-i', lab.inventoryFile, '--targets', 'node', '--yes');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/[Nn]othing to (do|change)/);
    expect((await cli('rollback', '--last', '--yes')).code).toBe(0);
    expect(await snapshot()).toEqual(drifted);
  });
});
