import { chooseBenchmark } from '../../../src/services/plan.js';
import type { NodeFacts } from '../../../src/facts/types.js';

const kubelet = (version: string) => ({ kubeletVersion: { version } }) as unknown as NodeFacts;

describe('chooseBenchmark (--benchmark auto, as kube-bench maps versions)', () => {
  it('prefers the API server\'s /version and says so', async () => {
    expect(await chooseBenchmark('auto', [kubelet('v1.30.2')], 'v1.33.4')).toEqual({ id: 'cis-1.12', chosenBy: expect.stringMatching(/API server's \/version v1\.33\.4 maps to cis-1\.12/) as unknown as string });
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
});
