/**
 * Where kube-bench looks for each file, as data (from kube-bench's
 * cfg/config.yaml at a73ce378, cis-1.12; see KUBE-BENCH-SEMANTICS.md), plus
 * the few places modern packages put things that kube-bench does not know.
 *
 * kube-bench resolves each `$variable` to the FIRST candidate that exists
 * (os.Stat, so a symlink counts when its target exists), else to the
 * default. cis-fix keeps both views: `kubeBench` is kube-bench's list byte for
 * byte (what the scanner will check after apply), `cisFix` is that list with
 * the additions spliced in (what the node really uses).
 */

/**
 * One kube-bench path variable. Invariants: `cisFix` contains every entry of
 * `kubeBench` in the same relative order; `default` may be absent from both
 * lists (kube-bench substitutes it even when it does not exist).
 */
export interface CandidateList {
  /** kube-bench's variable name, for messages ("$kubeletsvc"). */
  readonly variable: string;
  readonly kubeBench: readonly string[];
  readonly cisFix: readonly string[];
  readonly default: string | undefined;
}

interface Addition {
  readonly path: string;
  /** Insert right after this kube-bench candidate (it must be in the list). */
  readonly after: string;
}

function candidates(variable: string, kubeBench: readonly string[], defaultPath: string | undefined, additions: readonly Addition[] = []): CandidateList {
  const cisFix = [...kubeBench];
  for (const addition of additions) {
    const at = cisFix.indexOf(addition.after);
    if (at < 0) throw new Error(`${variable}: addition anchor ${addition.after} is not a candidate`);
    cisFix.splice(at + 1, 0, addition.path);
  }
  return { variable, kubeBench, cisFix, default: defaultPath };
}

export const APISERVER_CONF = candidates(
  '$apiserverconf',
  [
    '/etc/kubernetes/manifests/kube-apiserver.yaml',
    '/etc/kubernetes/manifests/kube-apiserver.yml',
    '/etc/kubernetes/manifests/kube-apiserver.manifest',
    '/var/snap/kube-apiserver/current/args',
    '/var/snap/microk8s/current/args/kube-apiserver',
    '/etc/origin/master/master-config.yaml',
    '/etc/kubernetes/manifests/talos-kube-apiserver.yaml',
    '/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml',
  ],
  '/etc/kubernetes/manifests/kube-apiserver.yaml',
);

export const SCHEDULER_CONF = candidates(
  '$schedulerconf',
  [
    '/etc/kubernetes/manifests/kube-scheduler.yaml',
    '/etc/kubernetes/manifests/kube-scheduler.yml',
    '/etc/kubernetes/manifests/kube-scheduler.manifest',
    '/var/snap/kube-scheduler/current/args',
    '/var/snap/microk8s/current/args/kube-scheduler',
    '/etc/origin/master/scheduler.json',
    '/etc/kubernetes/manifests/talos-kube-scheduler.yaml',
    '/var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml',
  ],
  '/etc/kubernetes/manifests/kube-scheduler.yaml',
);

export const SCHEDULER_KUBECONFIG = candidates(
  '$schedulerkubeconfig',
  [
    '/etc/kubernetes/scheduler.conf',
    '/var/lib/kube-scheduler/kubeconfig',
    '/var/lib/kube-scheduler/config.yaml',
    '/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig',
    '/system/secrets/kubernetes/kube-scheduler/kubeconfig',
  ],
  '/etc/kubernetes/scheduler.conf',
  // k3s-cis-1.9's own candidate (kube-bench's k3s config): stat'ed so that benchmark can resolve it.
  [{ path: '/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig', after: '/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig' }],
);

export const CONTROLLER_MANAGER_CONF = candidates(
  '$controllermanagerconf',
  [
    '/etc/kubernetes/manifests/kube-controller-manager.yaml',
    '/etc/kubernetes/manifests/kube-controller-manager.yml',
    '/etc/kubernetes/manifests/kube-controller-manager.manifest',
    '/var/snap/kube-controller-manager/current/args',
    '/var/snap/microk8s/current/args/kube-controller-manager',
    '/etc/kubernetes/manifests/talos-kube-controller-manager.yaml',
    '/var/lib/rancher/rke2/agent/pod-manifests/kube-controller-manager.yaml',
  ],
  '/etc/kubernetes/manifests/kube-controller-manager.yaml',
);

export const CONTROLLER_MANAGER_KUBECONFIG = candidates(
  '$controllermanagerkubeconfig',
  [
    '/etc/kubernetes/controller-manager.conf',
    '/var/lib/kube-controller-manager/kubeconfig',
    '/var/lib/rancher/rke2/server/cred/controller.kubeconfig',
    '/system/secrets/kubernetes/kube-controller-manager/kubeconfig',
  ],
  '/etc/kubernetes/controller-manager.conf',
  [{ path: '/var/lib/rancher/k3s/server/cred/controller.kubeconfig', after: '/var/lib/rancher/rke2/server/cred/controller.kubeconfig' }],
);

/** The master target's list (1.1.7/1.1.8 are master checks). */
export const ETCD_CONF = candidates(
  '$etcdconf',
  [
    '/etc/kubernetes/manifests/etcd.yaml',
    '/etc/kubernetes/manifests/etcd.yml',
    '/etc/kubernetes/manifests/etcd.manifest',
    '/etc/etcd/etcd.conf',
    '/var/snap/etcd/common/etcd.conf.yml',
    '/var/snap/etcd/common/etcd.conf.yaml',
    '/var/snap/microk8s/current/args/etcd',
    '/usr/lib/systemd/system/etcd.service',
    '/var/lib/rancher/rke2/server/db/etcd/config',
    '/var/lib/rancher/k3s/server/db/etcd/config',
  ],
  '/etc/kubernetes/manifests/etcd.yaml',
);

/** The etcd target's list: same files, rke2 first. Stat'ed so both targets resolve. */
export const ETCD_CONF_ETCD_TARGET = candidates(
  '$etcdconf',
  [
    '/var/lib/rancher/rke2/server/db/etcd/config',
    '/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml',
    '/etc/kubernetes/manifests/etcd.yaml',
    '/etc/kubernetes/manifests/etcd.yml',
    '/etc/kubernetes/manifests/etcd.manifest',
    '/etc/etcd/etcd.conf',
    '/var/snap/etcd/common/etcd.conf.yml',
    '/var/snap/etcd/common/etcd.conf.yaml',
    '/var/snap/microk8s/current/args/etcd',
    '/usr/lib/systemd/system/etcd.service',
    '/var/lib/rancher/k3s/server/db/etcd/config',
  ],
  '/etc/kubernetes/manifests/etcd.yaml',
);

/**
 * Only a fallback: 1.1.11/1.1.12 first take the running etcd's --data-dir
 * (kubeadm: /var/lib/etcd, which is not a candidate).
 */
export const ETCD_DATA_DIR = candidates(
  '$etcddatadir',
  ['/var/lib/etcd/default.etcd', '/var/lib/etcd/data.etcd', '/var/lib/rancher/k3s/server/db/etcd'],
  '/var/lib/etcd/default.etcd',
);

export const KUBELET_CONF = candidates(
  '$kubeletconf',
  [
    '/etc/kubernetes/kubelet-config.yaml',
    '/etc/kubernetes/kubelet/kubelet-config.json',
    '/var/lib/rancher/rke2/agent/etc/kubelet.conf.d',
    '/var/lib/kubelet/config.yaml',
    '/etc/kubernetes/azure.json',
    '/var/lib/kubelet/config.yml',
    // kube-bench lists this one twice; kept, the first occurrence decides.
    '/etc/kubernetes/kubelet/kubelet-config.json',
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
  ],
  '/var/lib/kubelet/config.yaml',
);

/**
 * pkgs.k8s.io packages install the kubeadm drop-in under /usr/lib, which
 * kube-bench does not list: on those nodes kube-bench falls through to the
 * bare unit file (see KUBE-BENCH-SEMANTICS.md, "$kubeletsvc").
 */
export const KUBELET_SVC = candidates(
  '$kubeletsvc',
  [
    '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    '/etc/systemd/system/kubelet.service',
    '/lib/systemd/system/kubelet.service',
    '/etc/systemd/system/snap.kubelet.daemon.service',
    '/etc/systemd/system/snap.microk8s.daemon-kubelet.service',
    '/etc/systemd/system/atomic-openshift-node.service',
    '/etc/systemd/system/origin-node.service',
  ],
  '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
  [
    {
      path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
      after: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    },
  ],
);

export const KUBELET_KUBECONFIG = candidates(
  '$kubeletkubeconfig',
  [
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
  ],
  '/etc/kubernetes/kubelet.conf',
);

export const KUBELET_CA_FILE = candidates(
  '$kubeletcafile',
  [
    '/var/lib/rancher/rke2/agent/client-ca.crt',
    '/var/lib/rancher/rke2/server/tls/server-ca.crt',
    '/etc/kubernetes/pki/ca.crt',
    '/etc/kubernetes/certs/ca.crt',
    '/etc/kubernetes/cert/ca.pem',
    '/var/snap/microk8s/current/certs/ca.crt',
    '/var/lib/rancher/rke2/agent/server.crt',
    '/var/lib/rancher/k3s/agent/client-ca.crt',
  ],
  '/etc/kubernetes/pki/ca.crt',
);

export const PROXY_CONF = candidates(
  '$proxyconf',
  [
    '/etc/kubernetes/proxy',
    '/etc/kubernetes/addons/kube-proxy-daemonset.yaml',
    '/etc/kubernetes/addons/kube-proxy-daemonset.yml',
    '/var/snap/kube-proxy/current/args',
    '/var/snap/microk8s/current/args/kube-proxy',
  ],
  '/etc/kubernetes/addons/kube-proxy-daemonset.yaml',
);

export const PROXY_KUBECONFIG = candidates(
  '$proxykubeconfig',
  [
    '/etc/kubernetes/kubelet-kubeconfig',
    '/etc/kubernetes/kubelet-kubeconfig.conf',
    '/etc/kubernetes/kubelet/config',
    '/etc/kubernetes/ssl/kubecfg-kube-proxy.yaml',
    '/var/lib/kubelet/kubeconfig',
    '/var/snap/microk8s/current/credentials/proxy.config',
    '/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig',
    '/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig',
  ],
  '/etc/kubernetes/proxy.conf',
);

/** Candidate lists whose files are configuration (their content is gathered). */
export const CONFIG_CANDIDATE_LISTS: readonly CandidateList[] = [
  APISERVER_CONF,
  SCHEDULER_CONF,
  SCHEDULER_KUBECONFIG,
  CONTROLLER_MANAGER_CONF,
  CONTROLLER_MANAGER_KUBECONFIG,
  ETCD_CONF,
  ETCD_CONF_ETCD_TARGET,
  KUBELET_CONF,
  KUBELET_SVC,
  KUBELET_KUBECONFIG,
  PROXY_CONF,
  PROXY_KUBECONFIG,
];

/** Candidate lists whose files are only stat'ed (certificates, data directories). */
export const STAT_ONLY_CANDIDATE_LISTS: readonly CandidateList[] = [KUBELET_CA_FILE, ETCD_DATA_DIR];

/** Paths cis-1.12 hard-codes instead of using a variable. */
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const SUPER_ADMIN_CONF = '/etc/kubernetes/super-admin.conf';
export const PKI_DIR = '/etc/kubernetes/pki';
/** Where a kubeadm kubelet keeps its client and self-signed serving certificates. */
export const KUBELET_PKI_DIR = '/var/lib/kubelet/pki';
export const CNI_NETWORKS_DIR = '/var/lib/cni/networks';
/** Not read by kube-bench (it only follows the removed kubelet --cni-conf-dir), listed for the operator. */
export const CNI_CONF_DIR = '/etc/cni/net.d';
/** The kubelet's default staticPodPath under kubeadm. */
export const MANIFESTS_DIR = '/etc/kubernetes/manifests';

/**
 * Where systemd finds the kubelet unit, highest precedence first
 * (systemd.unit(5): /etc, then /run, then the vendor directories). On
 * usr-merged systems /lib is /usr/lib: the same file shows up under both,
 * which the facts detect by device and inode.
 */
export const KUBELET_UNIT_FILES: readonly string[] = [
  '/etc/systemd/system/kubelet.service',
  '/run/systemd/system/kubelet.service',
  '/usr/lib/systemd/system/kubelet.service',
  '/lib/systemd/system/kubelet.service',
];

/** Drop-in directories for the kubelet unit, in the same precedence order. */
export const KUBELET_DROP_IN_DIRS: readonly string[] = [
  '/etc/systemd/system/kubelet.service.d',
  '/run/systemd/system/kubelet.service.d',
  '/usr/lib/systemd/system/kubelet.service.d',
  '/lib/systemd/system/kubelet.service.d',
];

/**
 * Environment files that carry kubelet flags even when no drop-in names them
 * (kubeadm writes the first; Debian packages read the second, RPMs the third).
 */
export const KUBELET_ENV_FILES: readonly string[] = ['/var/lib/kubelet/kubeadm-flags.env', '/etc/default/kubelet', '/etc/sysconfig/kubelet'];

export const OS_RELEASE_FILES: readonly string[] = ['/etc/os-release', '/usr/lib/os-release'];

/**
 * etcd run as a systemd service (kubeadm's external etcd; Debian's and
 * RHEL's etcd packages, kubespray's `etcd_deployment_type: host`): its unit
 * in the same search path as the kubelet's, its drop-in directories, and the
 * environment files those setups use even when no unit line names them
 * (Debian `/etc/default/etcd` through `-/etc/default/%p`, RHEL
 * `/etc/etcd/etcd.conf`, kubespray `/etc/etcd.env`).
 */
export const ETCD_UNIT_FILES: readonly string[] = KUBELET_UNIT_FILES.map((p) => p.replace(/kubelet\.service$/, 'etcd.service'));
export const ETCD_DROP_IN_DIRS: readonly string[] = KUBELET_DROP_IN_DIRS.map((p) => p.replace(/kubelet\.service\.d$/, 'etcd.service.d'));
export const ETCD_ENV_FILES: readonly string[] = ['/etc/default/etcd', '/etc/etcd/etcd.conf', '/etc/etcd.env', '/etc/sysconfig/etcd'];
