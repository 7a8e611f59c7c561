import { chooseBenchmark } from '../../../src/services/plan.js';
import type { NodeFacts } from '../../../src/facts/types.js';

const kubelet = (version: string) => ({ node: `node-${version}`, paths: {}, processes: [], kubeletVersion: { version } }) as unknown as NodeFacts;

describe('chooseBenchmark (--benchmark auto, as kube-bench maps versions)', () => {
  it("prefers the API server's /version and says so", async () => {
    expect(await chooseBenchmark('auto', [kubelet('v1.30.2')], 'v1.33.4')).toEqual({
      id: 'cis-1.12',
      chosenBy: expect.stringMatching(/API server's \/version v1\.33\.4 maps to cis-1\.12/) as unknown as string,
    });
    expect((await chooseBenchmark('auto', [], 'v1.31.0')).id).toBe('cis-1.11');
    expect((await chooseBenchmark('auto', [], 'v1.29.9')).id).toBe('cis-1.11');
    expect((await chooseBenchmark('auto', [], 'v1.32.0')).id).toBe('cis-1.12');
  });

  it('without API access uses the oldest kubelet', async () => {
    const choice = await chooseBenchmark('auto', [kubelet('v1.32.1'), kubelet('v1.30.5')]);
    expect(choice.id).toBe('cis-1.11');
    expect(choice.chosenBy).toMatch(/kubelet v1\.30\.5 \(oldest of/);
  });

  it('refuses versions older than any benchmark, naming the supported range', async () => {
    await expect(chooseBenchmark('auto', [], 'v1.28.3')).rejects.toThrow(/v1\.28\.3.*cis-1\.1[12]: Kubernetes 1\.\d+/);
    await expect(chooseBenchmark('auto', [kubelet('v1.27.0')])).rejects.toThrow(/1\.27\.0 is older than any benchmark/);
  });

  it('keeps an explicit choice', async () => {
    expect((await chooseBenchmark('cis-1.11', [], 'v1.33.0')).id).toBe('cis-1.11');
  });

  it("keeps the version mapping for kubeadm clusters, whatever the distribution benchmarks' ranges say", async () => {
    expect((await chooseBenchmark('auto', [kubelet('v1.30.2')], 'v1.30.2')).id).toBe('cis-1.11');
    expect((await chooseBenchmark('auto', [kubelet('v1.28.1')], 'v1.33.0')).id).toBe('cis-1.12');
  });

  it.each([
    ['v1.29.4+k3s1', 'k3s-cis-1.9'],
    ['v1.27.13+k3s1', 'k3s-cis-1.9'],
    ['v1.28.9+rke2r1', 'rke2-cis-1.8'],
    ['v1.29.3-eks-adc7111', 'eks-1.8.0'],
    ['v1.30.5-gke.1014001', 'gke-1.9.0'],
  ])("picks the distribution's benchmark from the API server's /version %s", async (version, id) => {
    const choice = await chooseBenchmark('auto', [], version);
    expect(choice).toEqual({ id, chosenBy: expect.stringContaining(`detected from the API server's /version ${version}`) as unknown as string });
  });

  it('without API access picks the distribution from the nodes (AKS: its Azure config)', async () => {
    const aks = { ...kubelet('v1.29.2'), node: 'aks-1', paths: { '/etc/kubernetes/azure.json': { exists: true } } } as unknown as NodeFacts;
    expect(await chooseBenchmark('auto', [aks, kubelet('v1.29.2')])).toEqual({
      id: 'aks-1.8',
      chosenBy: 'auto: aks detected from node aks-1 has /etc/kubernetes/azure.json; its benchmark is aks-1.8',
    });
    expect((await chooseBenchmark('auto', [aks], 'v1.29.2')).id).toBe('aks-1.8');
  });

  it('refuses nodes that show two distributions', async () => {
    const eks = { ...kubelet('v1.29.3-eks-adc7111'), node: 'a' } as unknown as NodeFacts;
    const gke = { ...kubelet('v1.30.5-gke.1014001'), node: 'b' } as unknown as NodeFacts;
    await expect(chooseBenchmark('auto', [eks, gke])).rejects.toThrow(/different distributions: eks .* and gke/);
  });
});
