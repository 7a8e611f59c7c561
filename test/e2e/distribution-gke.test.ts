import { GKE_DEFAULT_KUBELET, GKE_KUBECONFIG, GKE_KUBELET_CONFIG, GKE_UNIT } from '../lab/distributions/gke.js';
import { nodeExec } from '../lab/lab.js';
import { distributionLab } from './support/distribution-lab.js';
import { judgeGkeNode } from './support/kube-bench-managed.js';

// Issue 13 §4 on a GKE-style lab (test/lab/distributions/gke.ts): Google's
// control plane (cp-1, not in the inventories) and a worker as a GKE COS
// node leaves it (YAML /home/kubernetes/kubelet-config.yaml, flags in
// /etc/default/kubelet), drifted: the kubelet kubeconfig (kube-bench's
// $proxykubeconfig on GKE) and the kubelet config are 0666 ops:ops.
// --benchmark auto picks gke-1.9.0; one apply takes kube-bench's gke 3.1
// verdict (support/kube-bench-managed.ts) from red to green without touching
// any content; re-plan empty, second apply idle, rollback byte-identical.
// gke-1.9.0 has no kubelet-setting checks, so no kubelet restart is planned
// (and there is no restart to fail: the injected-failure case is EKS's).
const NODE = 'worker-1';
const FILES = [GKE_KUBELET_CONFIG, GKE_KUBECONFIG, GKE_UNIT, GKE_DEFAULT_KUBELET];
const { lab, cli } = distributionLab('gke', { nodes: 2 });
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

describe('a GKE-style cluster (lab distribution gke, drifted)', () => {
  it('picks gke-1.9.0 with --benchmark auto, from the API server /version and, without the API, from the node', async () => {
    const withApi = JSON.parse((await cli('plan', '-i', lab.apiInventoryFile, '--only', '3.1.1', '--json')).stdout) as PlanJson;
    expect(withApi.benchmark).toEqual({
      id: 'gke-1.9.0',
      chosenBy: "auto: gke detected from the API server's /version v1.33.4-gke.1000; its benchmark is gke-1.9.0",
    });
    const nodeOnly = JSON.parse((await cli('plan', '-i', lab.inventoryFile, '--only', '3.1.1', '--json')).stdout) as PlanJson;
    expect(nodeOnly.benchmark).toEqual({
      id: 'gke-1.9.0',
      chosenBy: "auto: gke detected from node worker-1's kubelet runs with /home/kubernetes/bin/kubelet; its benchmark is gke-1.9.0",
    });
  });

  it('goes from red to green with one apply, changing modes and owners only', async () => {
    expect(await judgeGkeNode(lab, NODE)).toEqual({ '3.1.1': 'FAIL', '3.1.2': 'FAIL', '3.1.3': 'FAIL', '3.1.4': 'FAIL' });
    const planned = JSON.parse((await cli('plan', '-i', lab.inventoryFile, '--targets', 'node', '--json')).stdout) as PlanJson;
    expect(planned.changes.map((c) => [c.kind, c.target]).sort()).toEqual(
      [
        ['file-mode', GKE_KUBECONFIG],
        ['file-mode', GKE_KUBELET_CONFIG],
        ['file-owner', GKE_KUBECONFIG],
        ['file-owner', GKE_KUBELET_CONFIG],
      ].sort(),
    );
    const result = await cli('apply', '-i', lab.inventoryFile, '--targets', 'node', '--yes');
    expect(result.code).toBe(0);
    expect(await judgeGkeNode(lab, NODE)).toEqual({ '3.1.1': 'PASS', '3.1.2': 'PASS', '3.1.3': 'PASS', '3.1.4': 'PASS' });
    const now = await snapshot();
    for (const path of FILES) expect(now.get(path)!.split('\n')[1]).toBe(drifted.get(path)!.split('\n')[1]); // content untouched
    expect(now.get(GKE_KUBELET_CONFIG)!.split('\n')[0]).toBe('644 root:root');
    expect(now.get(GKE_KUBECONFIG)!.split('\n')[0]).toBe('644 root:root');
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
