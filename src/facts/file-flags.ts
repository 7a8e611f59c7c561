/**
 * Command-line flags of the control-plane components, etcd, the kubelet and
 * kube-proxy whose values name files or directories on the node. The
 * gathering script follows every absolute value of these flags on every
 * matched process (both `--flag=value` and `--flag value`): that is how
 * facts describe the files the node really uses, not only kube-bench's
 * guesses.
 *
 * Paths are host paths. Static pods see them through hostPath volumes at the
 * same path (kubeadm's convention); a containerised kube-proxy's --config
 * lives inside its pod and is usually absent on the host.
 */

import type { ListingClass } from './listing-specs.js';

/** What the script does with a flag's value. */
export type FileFlagRole =
  /** stat, hash and (by the content policy) read it. */
  | { readonly kind: 'config' }
  /** stat and hash only: certificates, keys, CA bundles, token files. */
  | { readonly kind: 'file' }
  /** stat and list its entries down to `depth` levels. */
  | { readonly kind: 'dir'; readonly listing: ListingClass; readonly depth: number };

const CONFIG: FileFlagRole = { kind: 'config' };
const FILE: FileFlagRole = { kind: 'file' };

/**
 * Invariant: keys are full flag names with the leading `--`; a flag name
 * appears once. `--cloud-config` and `--token-auth-file` are `file`, not
 * `config`: they hold credentials.
 */
export const FILE_FLAGS: Readonly<Record<string, FileFlagRole>> = {
  // Configuration: content is gathered.
  '--config': CONFIG, // kubelet, kube-proxy, kube-scheduler
  '--kubeconfig': CONFIG,
  '--bootstrap-kubeconfig': CONFIG,
  '--authentication-kubeconfig': CONFIG,
  '--authorization-kubeconfig': CONFIG,
  '--audit-policy-file': CONFIG,
  '--audit-webhook-config-file': CONFIG,
  '--encryption-provider-config': CONFIG,
  '--admission-control-config-file': CONFIG,
  '--authentication-config': CONFIG,
  '--authorization-config': CONFIG,
  '--authentication-token-webhook-config-file': CONFIG,
  '--authorization-webhook-config-file': CONFIG,
  '--egress-selector-config-file': CONFIG,
  '--tracing-config-file': CONFIG,
  '--config-file': CONFIG, // etcd
  // Files that are only stat'ed.
  '--client-ca-file': FILE,
  '--requestheader-client-ca-file': FILE,
  '--tls-cert-file': FILE,
  '--tls-private-key-file': FILE,
  '--kubelet-certificate-authority': FILE,
  '--kubelet-client-certificate': FILE,
  '--kubelet-client-key': FILE,
  '--etcd-cafile': FILE,
  '--etcd-certfile': FILE,
  '--etcd-keyfile': FILE,
  '--service-account-key-file': FILE,
  '--service-account-signing-key-file': FILE,
  '--service-account-private-key-file': FILE,
  '--root-ca-file': FILE,
  '--cluster-signing-cert-file': FILE,
  '--cluster-signing-key-file': FILE,
  '--proxy-client-cert-file': FILE,
  '--proxy-client-key-file': FILE,
  '--token-auth-file': FILE,
  '--cloud-config': FILE,
  '--cert-file': FILE, // etcd
  '--key-file': FILE,
  '--trusted-ca-file': FILE,
  '--peer-cert-file': FILE,
  '--peer-key-file': FILE,
  '--peer-trusted-ca-file': FILE,
  // Directories that are listed.
  '--data-dir': { kind: 'dir', listing: 'data', depth: 2 }, // etcd: 1.1.11, 1.1.12
  '--wal-dir': { kind: 'dir', listing: 'data', depth: 1 },
  '--cni-conf-dir': { kind: 'dir', listing: 'plain', depth: 3 }, // kubelet < 1.24: 1.1.9, 1.1.10
  '--config-dir': { kind: 'dir', listing: 'conf-d', depth: 1 }, // kubelet drop-in configs (override --config)
  '--cert-dir': { kind: 'dir', listing: 'plain', depth: 1 }, // kubelet
  '--pod-manifest-path': { kind: 'dir', listing: 'manifests', depth: 1 }, // kubelet, deprecated staticPodPath
};

/**
 * KubeletConfiguration fields (at any depth) that name files; the script
 * reads them from the kubelet's config file with a line scanner, the parser
 * later reads them properly. `authentication.x509.clientCAFile` is what
 * 4.1.7/4.1.8 need when --client-ca-file is not on the command line.
 */
export const KUBELET_CONFIG_FILE_FIELDS: Readonly<Record<string, FileFlagRole>> = {
  clientCAFile: FILE,
  tlsCertFile: FILE,
  tlsPrivateKeyFile: FILE,
  staticPodPath: { kind: 'dir', listing: 'manifests', depth: 1 },
};
