import { detectDistribution, distributionFromVersion, distributionOfNode, type NodeEvidence } from '../../../src/playbook/detect-distribution.js';

function node(name: string, options: { files?: string[]; kubelet?: string; kubeletArgv?: string[] } = {}): NodeEvidence {
  return {
    node: name,
    paths: Object.fromEntries((options.files ?? []).map((p) => [p, { exists: true }])),
    processes: options.kubeletArgv ? [{ component: 'kubelet', argv: options.kubeletArgv }] : [],
    kubeletVersion: options.kubelet ? { version: options.kubelet } : null,
  };
}

describe('distributionFromVersion (the gitVersion of /version, as kube-bench reads the platform)', () => {
  it.each([
    ['v1.29.4+k3s1', 'k3s'],
    ['v1.28.9+rke2r1', 'rke2'],
    ['v1.29.3-eks-adc7111', 'eks'],
    ['v1.30.5-gke.1014001', 'gke'],
  ])('reads %s as %s', (version, distribution) => {
    expect(distributionFromVersion(version)).toBe(distribution);
  });

  it.each(['v1.33.2', 'v1.29.2', '1.31', 'v1.30.1-rc.0'])('reads the plain version %s (kubeadm, or AKS) as no distribution', (version) => {
    expect(distributionFromVersion(version)).toBeUndefined();
  });
});

describe('distributionOfNode (without API access: what the node shows)', () => {
  it.each([
    ['k3s', { files: ['/var/lib/rancher/k3s/agent/kubelet.kubeconfig'] }, /has \/var\/lib\/rancher\/k3s\/agent\/kubelet\.kubeconfig/],
    ['rke2', { files: ['/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml'] }, /rke2\/agent\/pod-manifests/],
    [
      'rke2',
      { kubeletArgv: ['kubelet', '--config-dir=/var/lib/rancher/rke2/agent/etc/kubelet.conf.d'] },
      /kubelet runs with --config-dir=\/var\/lib\/rancher\/rke2/,
    ],
    ['eks', { files: ['/etc/kubernetes/kubelet/kubelet-config.json'] }, /kubelet-config\.json/],
    ['eks', { kubelet: 'v1.29.3-eks-adc7111' }, /kubelet v1\.29\.3-eks-adc7111/],
    [
      'eks',
      {
        // An AL2023 node after nodeadm: config.json and the kubeconfig are no EKS-only names; ECR's credential provider is.
        files: ['/etc/kubernetes/kubelet/config.json', '/var/lib/kubelet/kubeconfig'],
        kubeletArgv: [
          '/usr/bin/kubelet',
          '--config',
          '/etc/kubernetes/kubelet/config.json',
          '--kubeconfig',
          '/var/lib/kubelet/kubeconfig',
          '--image-credential-provider-config=/etc/eks/image-credential-provider/config.json',
        ],
      },
      /kubelet runs with --image-credential-provider-config=\/etc\/eks\//,
    ],
    ['gke', { files: ['/home/kubernetes/kubelet-config.yaml'] }, /\/home\/kubernetes\/kubelet-config\.yaml/],
    ['gke', { kubelet: 'v1.30.5-gke.1014001' }, /kubelet v1\.30\.5-gke/],
    ['aks', { files: ['/etc/kubernetes/azure.json'] }, /azure\.json/],
    ['aks', { files: ['/etc/default/kubeletconfig.json'] }, /kubeletconfig\.json/],
    ['k3s', { kubelet: 'v1.29.4+k3s1' }, /kubelet v1\.29\.4\+k3s1/],
  ] as const)('recognises %s from %j', (distribution, options, evidence) => {
    const found = distributionOfNode(node('n1', options as { files?: string[] }));
    expect(found?.distribution).toBe(distribution);
    expect(found?.evidence).toMatch(evidence);
  });

  it("sees nothing on a kubeadm node (its files and flags are everyone's)", () => {
    const kubeadm = node('cp-1', {
      kubelet: 'v1.33.2',
      files: ['/var/lib/kubelet/config.yaml', '/etc/kubernetes/kubelet.conf', '/etc/default/kubelet', '/etc/kubernetes/pki/ca.crt'],
      kubeletArgv: ['/usr/bin/kubelet', '--config=/var/lib/kubelet/config.yaml', '--kubeconfig=/etc/kubernetes/kubelet.conf'],
    });
    expect(distributionOfNode(kubeadm)).toBeUndefined();
  });

  it('does not count a path the facts saw as absent', () => {
    expect(distributionOfNode({ ...node('n'), paths: { '/etc/kubernetes/azure.json': { exists: false } } })).toBeUndefined();
  });
});

describe('detectDistribution', () => {
  it('believes the API server first', () => {
    expect(detectDistribution('v1.29.4+k3s1', [node('n', { files: ['/etc/kubernetes/azure.json'] })])).toEqual({
      distribution: 'k3s',
      evidence: "the API server's /version v1.29.4+k3s1",
    });
  });

  it('recognises AKS (a plain /version) from its nodes', () => {
    expect(detectDistribution('v1.29.2', [node('aks-1', { files: ['/etc/kubernetes/azure.json'] }), node('aks-2')])).toEqual({
      distribution: 'aks',
      evidence: 'node aks-1 has /etc/kubernetes/azure.json',
    });
  });

  it('is kubeadm when neither the version nor any node names a distribution', () => {
    expect(detectDistribution('v1.33.1', [node('cp-1'), node('w-1')])).toEqual({
      distribution: 'kubeadm',
      evidence: expect.stringMatching(/no node shows another distribution/) as unknown as string,
    });
    expect(detectDistribution(undefined, [])).toEqual({ distribution: 'kubeadm', evidence: 'no node shows another distribution' });
  });

  it('names both when nodes disagree, instead of guessing', () => {
    const result = detectDistribution(undefined, [
      node('a', { files: ['/etc/kubernetes/kubelet/kubelet-config.json'] }),
      node('b', { files: ['/home/kubernetes/kubelet-config.yaml'] }),
    ]);
    expect(result).toEqual({
      conflict: 'eks (node a has /etc/kubernetes/kubelet/kubelet-config.json) and gke (node b has /home/kubernetes/kubelet-config.yaml)',
    });
  });

  it('counts the nodes that agree', () => {
    const rke2 = (n: string) => node(n, { files: ['/var/lib/rancher/rke2/agent/kubelet.kubeconfig'] });
    expect(detectDistribution(undefined, [rke2('s1'), rke2('a1'), rke2('a2')])).toEqual({
      distribution: 'rke2',
      evidence: 'node s1 has /var/lib/rancher/rke2/agent/kubelet.kubeconfig (and 2 more node(s))',
    });
  });
});
