import { parse } from 'yaml';
import { nodeExec, type LabState } from '../../lab/lab.js';

/**
 * An independent judge of kube-bench's worker-node checks of the managed
 * services' benchmarks - eks-1.8.0 and aks-1.8 (3.1.x, 3.2.x), gke-1.9.0 (3.1.x) -
 * written from kube-bench's cfg/<benchmark>/node.yaml and config.yaml, its
 * cfg/config.yaml candidate lists and check.go/test.go semantics
 * (KUBE-BENCH-SEMANTICS.md), sharing no code with src/. It runs kube-bench's
 * audits on the node: `stat` of the kubeconfig variable / $kubeletconf (the
 * first existing candidate, else the benchmark's default), `ps -fC kubelet`,
 * and `cat $kubeletconf`. Every check is scored: a failing test is FAIL.
 */
const KUBELET_CONFS = [
  '/etc/kubernetes/kubelet-config.yaml',
  '/etc/kubernetes/kubelet/kubelet-config.json',
  '/var/lib/rancher/rke2/agent/etc/kubelet.conf.d',
  '/var/lib/kubelet/config.yaml',
  '/etc/kubernetes/azure.json',
  '/var/lib/kubelet/config.yml',
  '/etc/kubernetes/kubelet/config.json',
  '/etc/kubernetes/kubelet/config',
  '/home/kubernetes/kubelet-config.yaml',
  '/home/kubernetes/kubelet-config.yml',
  '/etc/default/kubeletconfig.json',
  '/etc/default/kubelet',
  '/var/lib/kubelet/kubeconfig',
  '/var/snap/kubelet/current/args',
  '/var/snap/microk8s/current/args/kubelet',
  '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
  '/etc/systemd/system/kubelet.service',
  '/lib/systemd/system/kubelet.service',
  '/etc/systemd/system/snap.kubelet.daemon.service',
  '/etc/systemd/system/snap.microk8s.daemon-kubelet.service',
  '/etc/kubernetes/kubelet.yaml',
];
/** $kubeletkubeconfig (eks 3.1.1, 3.1.2). */
const KUBELET_KUBECONFIGS = [
  '/etc/kubernetes/kubelet.conf',
  '/etc/kubernetes/kubelet-kubeconfig.conf',
  '/var/lib/kubelet/kubeconfig',
  '/etc/kubernetes/kubelet-kubeconfig',
  '/etc/kubernetes/kubelet/kubeconfig',
  '/etc/kubernetes/ssl/kubecfg-kube-node.yaml',
  '/var/snap/microk8s/current/credentials/kubelet.config',
  '/etc/kubernetes/kubeconfig-kubelet',
  '/var/lib/rancher/rke2/agent/kubelet.kubeconfig',
  '/var/lib/rancher/k3s/agent/kubelet.kubeconfig',
];

/** $proxykubeconfig (gke 3.1.1, 3.1.2; gke-1.9.0's config.yaml makes /var/lib/kubelet/kubeconfig its default). */
const PROXY_KUBECONFIGS = [
  '/etc/kubernetes/kubelet-kubeconfig',
  '/etc/kubernetes/kubelet-kubeconfig.conf',
  '/etc/kubernetes/kubelet/config',
  '/etc/kubernetes/ssl/kubecfg-kube-proxy.yaml',
  '/var/lib/kubelet/kubeconfig',
  '/var/snap/microk8s/current/credentials/proxy.config',
  '/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig',
  '/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig',
];

type Op = 'eq' | 'noteq' | 'nothave' | 'gte' | 'bitmask';
interface Item {
  readonly flag: string;
  readonly path?: readonly string[];
  /** kube-bench's default is true. */
  readonly set?: boolean;
  readonly compare?: { readonly op: Op; readonly value: string };
}
interface Check {
  readonly audit: 'stat-kubeconfig-mode' | 'stat-kubeconfig-owner' | 'stat-conf-mode' | 'stat-conf-owner' | 'kubelet';
  readonly binOp?: 'or';
  readonly items: readonly Item[];
}

const KUBELET = (flag: string, path: string, rest: Omit<Item, 'flag' | 'path'> = {}): Item => ({ flag, path: path.split('.'), ...rest });

export const EKS_NODE_CHECKS: Readonly<Record<string, Check>> = {
  '3.1.1': { audit: 'stat-kubeconfig-mode', items: [{ flag: 'permissions', compare: { op: 'bitmask', value: '644' } }] },
  '3.1.2': { audit: 'stat-kubeconfig-owner', items: [{ flag: 'root:root' }] },
  '3.1.3': { audit: 'stat-conf-mode', items: [{ flag: 'permissions', compare: { op: 'bitmask', value: '644' } }] },
  '3.1.4': { audit: 'stat-conf-owner', items: [{ flag: 'root:root' }] },
  '3.2.1': { audit: 'kubelet', items: [KUBELET('--anonymous-auth', 'authentication.anonymous.enabled', { compare: { op: 'eq', value: 'false' } })] },
  '3.2.2': { audit: 'kubelet', items: [KUBELET('--authorization-mode', 'authorization.mode', { compare: { op: 'nothave', value: 'AlwaysAllow' } })] },
  '3.2.3': { audit: 'kubelet', items: [KUBELET('--client-ca-file', 'authentication.x509.clientCAFile')] },
  '3.2.4': { audit: 'kubelet', items: [KUBELET('--read-only-port', 'readOnlyPort', { compare: { op: 'eq', value: '0' } })] },
  '3.2.5': {
    audit: 'kubelet',
    binOp: 'or',
    items: [
      KUBELET('--streaming-connection-idle-timeout', 'streamingConnectionIdleTimeout', { compare: { op: 'noteq', value: '0' } }),
      KUBELET('--streaming-connection-idle-timeout', 'streamingConnectionIdleTimeout', { set: false }),
    ],
  },
  '3.2.6': {
    audit: 'kubelet',
    binOp: 'or',
    items: [
      KUBELET('--make-iptables-util-chains', 'makeIPTablesUtilChains', { compare: { op: 'eq', value: 'true' } }),
      KUBELET('--make-iptables-util-chains', 'makeIPTablesUtilChains', { set: false }),
    ],
  },
  '3.2.7': {
    audit: 'kubelet',
    binOp: 'or',
    items: [KUBELET('--event-qps', 'eventRecordQPS', { compare: { op: 'gte', value: '0' } }), KUBELET('--event-qps', 'eventRecordQPS', { set: false })],
  },
  '3.2.8': {
    audit: 'kubelet',
    binOp: 'or',
    items: [
      KUBELET('--rotate-certificates', 'rotateCertificates', { compare: { op: 'eq', value: 'true' } }),
      KUBELET('--rotate-certificates', 'rotateCertificates', { set: false }),
    ],
  },
  '3.2.9': {
    audit: 'kubelet',
    items: [KUBELET('RotateKubeletServerCertificate', 'featureGates.RotateKubeletServerCertificate', { compare: { op: 'eq', value: 'true' } })],
  },
};

const FILE_CHECKS: Readonly<Record<string, Check>> = {
  '3.1.1': { audit: 'stat-kubeconfig-mode', items: [{ flag: 'permissions', compare: { op: 'bitmask', value: '644' } }] },
  '3.1.2': { audit: 'stat-kubeconfig-owner', items: [{ flag: 'root:root' }] },
  '3.1.3': { audit: 'stat-conf-mode', items: [{ flag: 'permissions', compare: { op: 'bitmask', value: '644' } }] },
  '3.1.4': { audit: 'stat-conf-owner', items: [{ flag: 'root:root' }] },
};

interface Benchmark {
  readonly checks: Readonly<Record<string, Check>>;
  readonly kubeconfigs: readonly string[];
  readonly kubeconfigDefault: string;
  readonly confDefault: string;
}

const EKS: Benchmark = {
  checks: EKS_NODE_CHECKS,
  kubeconfigs: KUBELET_KUBECONFIGS,
  kubeconfigDefault: '/etc/kubernetes/kubelet.conf',
  confDefault: '/var/lib/kubelet/config.yaml',
};
const GKE: Benchmark = {
  checks: FILE_CHECKS,
  kubeconfigs: PROXY_KUBECONFIGS,
  kubeconfigDefault: '/var/lib/kubelet/kubeconfig',
  confDefault: '/etc/kubernetes/kubelet-config.yaml',
};

/**
 * aks-1.8 3.2.x, from cfg/aks-1.8/node.yaml: the same audit (`ps -fC kubelet`,
 * `cat $kubeletconf`), but $kubeletconf is azure.json, so only the command
 * line can pass them. Its quirks kept: 3.2.2 looks for --anonymous-auth (with
 * authorization.mode's path), 3.2.4 and 3.2.7 want the flag set and equal to
 * 0, 3.2.8 has no `set: false` escape on its first item but an `or` second.
 */
export const AKS_NODE_CHECKS: Readonly<Record<string, Check>> = {
  ...FILE_CHECKS,
  '3.2.1': { audit: 'kubelet', items: [KUBELET('--anonymous-auth', 'authentication.anonymous.enabled', { compare: { op: 'eq', value: 'false' } })] },
  '3.2.2': { audit: 'kubelet', items: [KUBELET('--anonymous-auth', 'authorization.mode', { compare: { op: 'nothave', value: 'AlwaysAllow' } })] },
  '3.2.3': { audit: 'kubelet', items: [KUBELET('--client-ca-file', 'authentication.x509.clientCAFile', { set: true })] },
  '3.2.4': { audit: 'kubelet', items: [KUBELET('--read-only-port', 'readOnlyPort', { set: true, compare: { op: 'eq', value: '0' } })] },
  '3.2.5': {
    audit: 'kubelet',
    binOp: 'or',
    items: [
      KUBELET('--streaming-connection-idle-timeout', 'streamingConnectionIdleTimeout', { set: true, compare: { op: 'noteq', value: '0' } }),
      KUBELET('--streaming-connection-idle-timeout', 'streamingConnectionIdleTimeout', { set: false }),
    ],
  },
  '3.2.6': {
    audit: 'kubelet',
    binOp: 'or',
    items: [
      KUBELET('--make-iptables-util-chains', 'makeIPTablesUtilChains', { set: true, compare: { op: 'eq', value: 'true' } }),
      KUBELET('--make-iptables-util-chains', 'makeIPTablesUtilChains', { set: false }),
    ],
  },
  '3.2.7': { audit: 'kubelet', items: [KUBELET('--event-qps', 'eventRecordQPS', { set: true, compare: { op: 'eq', value: '0' } })] },
  '3.2.8': {
    audit: 'kubelet',
    binOp: 'or',
    items: [
      KUBELET('--rotate-certificates', 'rotateCertificates', { set: true, compare: { op: 'eq', value: 'true' } }),
      KUBELET('--rotate-certificates', 'rotateCertificates', { set: false }),
    ],
  },
  '3.2.9': {
    audit: 'kubelet',
    items: [KUBELET('RotateKubeletServerCertificate', 'featureGates.RotateKubeletServerCertificate', { set: true, compare: { op: 'eq', value: 'true' } })],
  },
};

/** aks-1.8: $kubeletconf is meant to be azure.json there (its 3.1.3/3.1.4 titles say so). */
const AKS: Benchmark = {
  checks: AKS_NODE_CHECKS,
  kubeconfigs: KUBELET_KUBECONFIGS,
  kubeconfigDefault: '/etc/kubernetes/kubelet.conf',
  confDefault: '/var/lib/kubelet/config.yaml',
};

export const judgeEksNode = (lab: LabState, node: string) => judgeNode(lab, node, EKS);
export const judgeAksNode = (lab: LabState, node: string) => judgeNode(lab, node, AKS);
export const judgeGkeNode = (lab: LabState, node: string) => judgeNode(lab, node, GKE);

const firstExisting = (candidates: readonly string[], fallback: string) =>
  `F=${fallback}; for c in ${candidates.join(' ')}; do if test -e "$c"; then F="$c"; break; fi; done`;

async function judgeNode(lab: LabState, node: string, benchmark: Benchmark): Promise<Record<string, 'PASS' | 'FAIL'>> {
  const sh = async (script: string) => (await nodeExec(lab, node, ['/bin/sh', '-c', script])).stdout;
  const conf = firstExisting(KUBELET_CONFS, benchmark.confDefault);
  const kubeconfig = firstExisting(benchmark.kubeconfigs, benchmark.kubeconfigDefault);
  const outputs: Record<Check['audit'], string> = {
    'stat-kubeconfig-mode': await sh(`${kubeconfig}; if test -e $F; then stat -c permissions=%a $F; fi`),
    'stat-kubeconfig-owner': await sh(`${kubeconfig}; if test -e $F; then stat -c %U:%G $F; fi`),
    'stat-conf-mode': await sh(`${conf}; if test -e $F; then stat -c permissions=%a $F; fi`),
    'stat-conf-owner': await sh(`${conf}; if test -e $F; then stat -c %U:%G $F; fi`),
    kubelet: await sh('/bin/ps -fC kubelet'),
  };
  const configText = await sh(`${conf}; cat $F 2>/dev/null`);
  const config = parseConfig(configText);
  const verdicts: Record<string, 'PASS' | 'FAIL'> = {};
  for (const [id, check] of Object.entries(benchmark.checks)) {
    const results = check.items.map((item) => itemPasses(item, outputs[check.audit], check.audit === 'kubelet' ? config : undefined));
    verdicts[id] = (check.binOp === 'or' ? results.some(Boolean) : results.every(Boolean)) ? 'PASS' : 'FAIL';
  }
  return verdicts;
}

function parseConfig(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return parse(text) as unknown;
  }
}

function itemPasses(item: Item, output: string, config: unknown): boolean {
  let found = false;
  let value = '';
  if (output.includes(item.flag)) {
    found = true;
    const match = new RegExp(`(${item.flag})(=|: *)*([^\\s]*) *`).exec(output);
    value = match?.[3] === '' || match?.[3] === undefined ? 'true' : match[3];
  } else if (config !== undefined && item.path) {
    let cursor: unknown = config;
    for (const key of item.path) cursor = cursor && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[key] : undefined;
    value = cursor === undefined || cursor === null ? '' : String(cursor);
    found = value !== '';
  }
  if (item.set === false) return !found;
  if (!found) return false;
  if (!item.compare) return true;
  const want = item.compare.value;
  const bool = (v: string) => (['true', 'false'].includes(v.toLowerCase()) ? v.toLowerCase() : v);
  switch (item.compare.op) {
    case 'eq':
      return bool(value) === want;
    case 'noteq':
      return bool(value) !== want;
    case 'nothave':
      return !value.includes(want);
    case 'gte':
      return /^-?\d+$/.test(value.trim()) && Number(value.trim()) >= Number(want);
    case 'bitmask': {
      if (!/^[0-7]+$/.test(value)) return false;
      const actual = parseInt(value, 8);
      return (parseInt(want, 8) & actual) === actual;
    }
  }
}
