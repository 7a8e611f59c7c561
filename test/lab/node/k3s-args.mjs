// What a k3s server (or agent) runs its embedded components with: k3s's
// defaults (pkg/daemons/control and pkg/daemons/agent, v1.33) merged with
// the *-arg lists of /etc/rancher/k3s/config.yaml and config.yaml.d/*.yaml,
// exactly as k3s's config.GetArgs merges them (pkg/daemons/config/types.go):
// an extra `name=value` replaces the default, `name+=value` appends a
// second occurrence after it, `name-=value` puts one before it; arguments
// come out sorted by name, `--name=value` each. Pure, no I/O.
import YAML from 'yaml';

export const K3S_VERSION = 'v1.33.4+k3s1';
export const DATA_DIR = '/var/lib/rancher/k3s';
export const CONFIG_FILE = '/etc/rancher/k3s/config.yaml';
const TLS = `${DATA_DIR}/server/tls`;
const CRED = `${DATA_DIR}/server/cred`;
const AGENT = `${DATA_DIR}/agent`;

/** The config key of each component's extra arguments. */
export const ARG_KEYS = {
  'kube-apiserver': 'kube-apiserver-arg',
  'kube-controller-manager': 'kube-controller-manager-arg',
  'kube-scheduler': 'kube-scheduler-arg',
  kubelet: 'kubelet-arg',
  'kube-proxy': 'kube-proxy-arg',
};

export const SERVER_COMPONENTS = ['kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy'];
export const AGENT_COMPONENTS = ['kubelet', 'kube-proxy'];

const TLS_CIPHERS = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
].join(',');

/** k3s's default arguments of a component on this node (a map: name -> value). */
export function defaultArgs(component, node, config) {
  switch (component) {
    case 'kube-apiserver': {
      const args = {
        'advertise-address': node.ip,
        'advertise-port': '6443',
        'allow-privileged': 'true',
        'anonymous-auth': 'false',
        'api-audiences': 'https://kubernetes.default.svc.cluster.local,k3s',
        'authorization-mode': 'Node,RBAC',
        'bind-address': '127.0.0.1',
        'cert-dir': `${TLS}/temporary-certs`,
        'client-ca-file': `${TLS}/client-ca.crt`,
        'egress-selector-config-file': `${DATA_DIR}/server/etc/egress-selector-config.yaml`,
        'enable-admission-plugins': 'NodeRestriction',
        'enable-aggregator-routing': 'true',
        'enable-bootstrap-token-auth': 'true',
        'etcd-servers': 'unix://kine.sock',
        'kubelet-certificate-authority': `${TLS}/server-ca.crt`,
        'kubelet-client-certificate': `${TLS}/client-kube-apiserver.crt`,
        'kubelet-client-key': `${TLS}/client-kube-apiserver.key`,
        profiling: 'false',
        'proxy-client-cert-file': `${TLS}/client-auth-proxy.crt`,
        'proxy-client-key-file': `${TLS}/client-auth-proxy.key`,
        'requestheader-allowed-names': 'system:auth-proxy',
        'requestheader-client-ca-file': `${TLS}/request-header-ca.crt`,
        'requestheader-extra-headers-prefix': 'X-Remote-Extra-',
        'requestheader-group-headers': 'X-Remote-Group',
        'requestheader-username-headers': 'X-Remote-User',
        'secure-port': '6444',
        'service-account-issuer': 'https://kubernetes.default.svc.cluster.local',
        'service-account-key-file': `${TLS}/service.key`,
        'service-account-signing-key-file': `${TLS}/service.current.key`,
        'service-cluster-ip-range': '10.43.0.0/16',
        'service-node-port-range': '30000-32767',
        'storage-backend': 'etcd3',
        'tls-cert-file': `${TLS}/serving-kube-apiserver.crt`,
        'tls-cipher-suites': TLS_CIPHERS,
        'tls-private-key-file': `${TLS}/serving-kube-apiserver.key`,
      };
      if (config['secrets-encryption'] === true) {
        args['encryption-provider-config'] = `${CRED}/encryption-config.json`;
        args['encryption-provider-config-automatic-reload'] = 'true';
      }
      return args;
    }
    case 'kube-controller-manager':
      return {
        'allocate-node-cidrs': 'true',
        'authentication-kubeconfig': `${CRED}/controller.kubeconfig`,
        'authorization-kubeconfig': `${CRED}/controller.kubeconfig`,
        'bind-address': '127.0.0.1',
        'cluster-cidr': '10.42.0.0/16',
        'cluster-signing-kube-apiserver-client-cert-file': `${TLS}/client-ca.nochain.crt`,
        'cluster-signing-kube-apiserver-client-key-file': `${TLS}/client-ca.key`,
        'configure-cloud-routes': 'false',
        controllers: '*,tokencleaner,-service,-route,-cloud-node-lifecycle',
        kubeconfig: `${CRED}/controller.kubeconfig`,
        profiling: 'false',
        'root-ca-file': `${TLS}/server-ca.crt`,
        'secure-port': '10257',
        'service-account-private-key-file': `${TLS}/service.current.key`,
        'service-cluster-ip-range': '10.43.0.0/16',
        'use-service-account-credentials': 'true',
      };
    case 'kube-scheduler':
      return {
        'authentication-kubeconfig': `${CRED}/scheduler.kubeconfig`,
        'authorization-kubeconfig': `${CRED}/scheduler.kubeconfig`,
        'bind-address': '127.0.0.1',
        kubeconfig: `${CRED}/scheduler.kubeconfig`,
        profiling: 'false',
        'secure-port': '10259',
      };
    case 'kubelet': {
      const args = {
        address: '0.0.0.0',
        'anonymous-auth': 'false',
        'authentication-token-webhook': 'true',
        'authorization-mode': 'Webhook',
        'cgroup-driver': 'systemd',
        'client-ca-file': `${AGENT}/client-ca.crt`,
        'cloud-provider': 'external',
        'cluster-dns': '10.43.0.10',
        'cluster-domain': 'cluster.local',
        'container-runtime-endpoint': 'unix:///run/k3s/containerd/containerd.sock',
        'eviction-hard': 'imagefs.available<5%,nodefs.available<5%',
        'eviction-minimum-reclaim': 'imagefs.available=10%,nodefs.available=10%',
        'fail-swap-on': 'false',
        'healthz-bind-address': '127.0.0.1',
        'hostname-override': node.name,
        kubeconfig: `${AGENT}/kubelet.kubeconfig`,
        'node-ip': node.ip,
        'pod-infra-container-image': 'rancher/mirrored-pause:3.6',
        'pod-manifest-path': `${AGENT}/pod-manifests`,
        'read-only-port': '0',
        'resolv-conf': '/etc/resolv.conf',
        'serialize-image-pulls': 'false',
        'tls-cert-file': `${AGENT}/serving-kubelet.crt`,
        'tls-private-key-file': `${AGENT}/serving-kubelet.key`,
      };
      if (config['protect-kernel-defaults'] === true) args['protect-kernel-defaults'] = 'true';
      return args;
    }
    case 'kube-proxy':
      return {
        'cluster-cidr': '10.42.0.0/16',
        'conntrack-max-per-core': '0',
        'conntrack-tcp-timeout-close-wait': '0s',
        'conntrack-tcp-timeout-established': '0s',
        'healthz-bind-address': '127.0.0.1',
        'hostname-override': node.name,
        kubeconfig: `${AGENT}/kubeproxy.kubeconfig`,
        'proxy-mode': 'iptables',
      };
    default:
      throw new Error(`k3s has no component ${component}`);
  }
}

/** k3s's config.GetArgs: defaults overridden, appended to or prepended to by extra `name[+-]=value` arguments; sorted by name. */
export function getArgs(initial, extra) {
  const initialArgs = { ...initial };
  const multi = new Map();
  for (const unsplit of extra) {
    const raw = unsplit.startsWith('--') ? unsplit.slice(2) : unsplit;
    const eq = raw.indexOf('=');
    const arg = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? 'true' : raw.slice(eq + 1);
    const cleaned = arg.replace(/[-+]+$/, '');
    const hasInitial = Object.prototype.hasOwnProperty.call(initialArgs, cleaned);
    const existing = multi.get(cleaned);
    let values = [];
    if (arg.endsWith('+')) {
      if (hasInitial) values.push(initialArgs[cleaned]);
      if (existing) values.push(...existing);
      values.push(value);
    } else if (arg.endsWith('-')) {
      values.push(value);
      if (hasInitial) values.push(initialArgs[cleaned]);
      if (existing) values.push(...existing);
    } else {
      if (existing) values.push(...existing);
      values = [...values, value];
    }
    delete initialArgs[cleaned];
    multi.set(cleaned, values);
  }
  for (const [arg, value] of Object.entries(initialArgs)) multi.set(arg, [value]);
  return [...multi.keys()].sort().flatMap((arg) => multi.get(arg).map((v) => `--${arg}=${v}`));
}

function asList(value) {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/**
 * Merges config.yaml and the config.yaml.d files, in that order, as k3s
 * does: a later file's key replaces an earlier one's; a key written `key+`
 * appends its list to the earlier value. `files` are [{path, text}].
 * Throws with k3s's message on a file that is not a YAML mapping.
 */
export function mergeConfig(files) {
  const merged = {};
  for (const { path, text } of files) {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`failed to parse ${path}: ${doc.errors[0].message.split('\n')[0]}`);
    const data = doc.toJS();
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) throw new Error(`failed to parse ${path}: not a map of flags`);
    for (const [key, value] of Object.entries(data)) {
      if (key.endsWith('+')) {
        const base = key.slice(0, -1);
        merged[base] = [...asList(merged[base]), ...asList(value)];
      } else {
        merged[key] = value;
      }
    }
  }
  return merged;
}

/** Every component's arguments (`--name=value`, sorted) on a server or agent, from the merged config. */
export function componentArgs(components, node, config) {
  const out = {};
  for (const c of components) out[c] = getArgs(defaultArgs(c, node, config), asList(config[ARG_KEYS[c]]));
  return out;
}

/** logrus's text formatter: msg="…" with " and \ escaped. */
export function logrusLine(time, level, msg) {
  return `time="${time}" level=${level} msg="${msg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
