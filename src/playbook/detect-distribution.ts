import type { Distribution } from './types.js';

/**
 * Which Kubernetes distribution a cluster runs, for `--benchmark auto`
 * (issue 13): from the API server's /version, else from what the nodes
 * show. Pure: the caller passes what it gathered.
 *
 * kube-bench reads the platform from /version's gitVersion
 * (`v1.29.3-eks-adc7111`, `v1.30.5-gke.1014001`, `v1.29.4+k3s1`,
 * `v1.28.9+rke2r1`). AKS's gitVersion is plain (`v1.29.2`), so AKS is only
 * recognised on a node: the Azure cloud config /etc/kubernetes/azure.json or
 * the kubelet config /etc/default/kubeletconfig.json that AKS node images
 * carry (both are candidates of kube-bench's $kubeletconf). A plain version
 * and no distribution's files on any node is kubeadm (the generic CIS
 * benchmark), exactly as before.
 */
export interface DetectedDistribution {
  readonly distribution: Distribution;
  /** What showed it, for the plan's `benchmark.chosenBy`: "the API server's /version v1.29.4+k3s1". */
  readonly evidence: string;
}

/** The distribution a gitVersion names, or undefined for a plain (kubeadm or AKS) version. */
export function distributionFromVersion(gitVersion: string): Distribution | undefined {
  const v = gitVersion.trim();
  if (/\+k3s/.test(v)) return 'k3s';
  if (/\+rke2/.test(v)) return 'rke2';
  if (/-eks-/.test(v)) return 'eks';
  if (/-gke\./.test(v)) return 'gke';
  return undefined;
}

/**
 * What one node shows, structurally a subset of NodeFacts (src/facts/types.ts):
 * the paths the facts layer looked at, the component processes it found,
 * and the kubelet's own version.
 */
export interface NodeEvidence {
  readonly node: string;
  readonly paths: Readonly<Record<string, { readonly exists: boolean }>>;
  readonly processes: readonly { readonly component: string; readonly argv: readonly string[] }[];
  readonly kubeletVersion: { readonly version: string | null } | null;
}

/**
 * Files only a distribution puts there, in the order they are tried. Each is
 * one the facts layer already looks at (a kube-bench candidate path).
 */
const MARKER_FILES: readonly { readonly distribution: Distribution; readonly path: string }[] = [
  { distribution: 'k3s', path: '/var/lib/rancher/k3s/agent/kubelet.kubeconfig' },
  { distribution: 'k3s', path: '/var/lib/rancher/k3s/agent/client-ca.crt' },
  { distribution: 'k3s', path: '/var/lib/rancher/k3s/server/db/etcd/config' },
  { distribution: 'k3s', path: '/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig' },
  { distribution: 'rke2', path: '/var/lib/rancher/rke2/agent/kubelet.kubeconfig' },
  { distribution: 'rke2', path: '/var/lib/rancher/rke2/agent/etc/kubelet.conf.d' },
  { distribution: 'rke2', path: '/var/lib/rancher/rke2/agent/client-ca.crt' },
  { distribution: 'rke2', path: '/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml' },
  { distribution: 'rke2', path: '/var/lib/rancher/rke2/server/db/etcd/config' },
  { distribution: 'eks', path: '/etc/kubernetes/kubelet/kubelet-config.json' },
  { distribution: 'gke', path: '/home/kubernetes/kubelet-config.yaml' },
  { distribution: 'gke', path: '/home/kubernetes/kubelet-config.yml' },
  { distribution: 'aks', path: '/etc/kubernetes/azure.json' },
  { distribution: 'aks', path: '/etc/default/kubeletconfig.json' },
];

/** A kubelet flag value that is a distribution's file (RKE2's and k3s's kubelets run with their own paths). */
const MARKER_PREFIXES: readonly { readonly distribution: Distribution; readonly prefix: string }[] = [
  { distribution: 'k3s', prefix: '/var/lib/rancher/k3s/' },
  { distribution: 'rke2', prefix: '/var/lib/rancher/rke2/' },
  { distribution: 'eks', prefix: '/etc/kubernetes/kubelet/kubelet-config.json' },
  // Both EKS AMIs (AL2's bootstrap.sh, AL2023's nodeadm) run the kubelet with
  // ECR's credential provider from /etc/eks/; AL2023's config file,
  // /etc/kubernetes/kubelet/config.json, is no EKS-only name.
  { distribution: 'eks', prefix: '/etc/eks/' },
  { distribution: 'gke', prefix: '/home/kubernetes/' },
];

/** One node's distribution, or undefined when it shows none (kubeadm-like). */
export function distributionOfNode(node: NodeEvidence): DetectedDistribution | undefined {
  const version = node.kubeletVersion?.version;
  const byVersion = version ? distributionFromVersion(version) : undefined;
  if (byVersion) return { distribution: byVersion, evidence: `node ${node.node}'s kubelet ${version}` };
  for (const p of node.processes) {
    if (p.component !== 'kubelet') continue;
    for (const arg of p.argv) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
      const marker = MARKER_PREFIXES.find((m) => value.startsWith(m.prefix));
      if (marker) return { distribution: marker.distribution, evidence: `node ${node.node}'s kubelet runs with ${arg}` };
    }
  }
  const file = MARKER_FILES.find((m) => node.paths[m.path]?.exists === true);
  if (file) return { distribution: file.distribution, evidence: `node ${node.node} has ${file.path}` };
  return undefined;
}

/**
 * The cluster's distribution: the API server's /version when it names one,
 * else the nodes'. Nodes that disagree are a question for the user, never a
 * guess; a node that shows nothing does not outvote one that does.
 */
export function detectDistribution(apiServerVersion: string | undefined, nodes: readonly NodeEvidence[]): DetectedDistribution | { readonly conflict: string } {
  const fromApi = apiServerVersion === undefined ? undefined : distributionFromVersion(apiServerVersion);
  if (fromApi) return { distribution: fromApi, evidence: `the API server's /version ${apiServerVersion}` };
  const found = nodes.map(distributionOfNode).filter((d): d is DetectedDistribution => d !== undefined);
  const kinds = [...new Set(found.map((d) => d.distribution))];
  if (kinds.length > 1) {
    return { conflict: kinds.map((k) => `${k} (${found.find((d) => d.distribution === k)!.evidence})`).join(' and ') };
  }
  const first = found[0];
  if (!first)
    return {
      distribution: 'kubeadm',
      evidence:
        apiServerVersion === undefined
          ? 'no node shows another distribution'
          : `the API server's /version ${apiServerVersion} and no node shows another distribution`,
    };
  return { distribution: first.distribution, evidence: found.length > 1 ? `${first.evidence} (and ${found.length - 1} more node(s))` : first.evidence };
}
