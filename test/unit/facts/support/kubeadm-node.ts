/**
 * A kubeadm control-plane node (pkgs.k8s.io layout) as a FakeNode: the
 * files kubeadm writes, with its modes, and the processes it runs.
 */

import { FakeNode } from './fake-node.js';

export const RSA_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAsecretsecretsecretsecretsecretsecretsecretsecret',
  '-----END RSA PRIVATE KEY-----',
  '',
].join('\n');

export const CERT = ['-----BEGIN CERTIFICATE-----', 'MIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl', '-----END CERTIFICATE-----', ''].join(
  '\n',
);

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function kubeconfig(user: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(CERT)}`,
    '    server: https://192.0.2.10:6443',
    '  name: kubernetes',
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate-data: ${b64(CERT)}`,
    `    client-key-data: ${b64(RSA_KEY)}`,
    '',
  ].join('\n');
}

export const KUBELET_CONFIG = [
  'apiVersion: kubelet.config.k8s.io/v1beta1',
  'kind: KubeletConfiguration',
  'authentication:',
  '  anonymous:',
  '    enabled: false',
  '  webhook:',
  '    enabled: true',
  '  x509:',
  '    clientCAFile: /etc/kubernetes/pki/ca.crt',
  'authorization:',
  '  mode: Webhook',
  'staticPodPath: /etc/kubernetes/manifests',
  '',
].join('\n');

export const KUBEADM_DROP_IN = [
  '# Note: This dropin only works with kubeadm and kubelet v1.11+',
  '[Service]',
  'Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"',
  'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"',
  'EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env',
  'EnvironmentFile=-/etc/default/kubelet',
  'ExecStart=',
  'ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS',
  '',
].join('\n');

function manifest(name: string, command: readonly string[]): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    '  namespace: kube-system',
    'spec:',
    '  containers:',
    '  - command:',
    ...command.map((c) => `    - ${c}`),
    `    name: ${name}`,
    '',
  ].join('\n');
}

export const APISERVER_ARGV = [
  'kube-apiserver',
  '--advertise-address=192.0.2.10',
  '--authorization-mode=Node,RBAC',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--enable-admission-plugins=NodeRestriction',
  '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
  '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
  '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
  '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
  '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
];
export const CONTROLLER_MANAGER_ARGV = [
  'kube-controller-manager',
  '--kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--root-ca-file=/etc/kubernetes/pki/ca.crt',
  '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
];
export const SCHEDULER_ARGV = ['kube-scheduler', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true'];
export const ETCD_ARGV = [
  'etcd',
  '--data-dir=/var/lib/etcd',
  '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
  '--key-file=/etc/kubernetes/pki/etcd/server.key',
  '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
];
export const KUBELET_ARGV = [
  '/usr/bin/kubelet',
  '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
  '--kubeconfig=/etc/kubernetes/kubelet.conf',
  '--config=/var/lib/kubelet/config.yaml',
  '--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock',
];

export const PIDS = { apiserver: 1201, controllerManager: 1202, scheduler: 1203, etcd: 1100, kubelet: 900 } as const;

/** A complete kubeadm control-plane node with kubeadm's default modes. */
export function kubeadmControlPlane(base?: string): FakeNode {
  const node = new FakeNode(base);
  node
    .dir('/etc/kubernetes/manifests', 0o755)
    .file('/etc/kubernetes/manifests/kube-apiserver.yaml', { content: manifest('kube-apiserver', APISERVER_ARGV), mode: 0o600 })
    .file('/etc/kubernetes/manifests/kube-controller-manager.yaml', {
      content: manifest('kube-controller-manager', CONTROLLER_MANAGER_ARGV),
      mode: 0o600,
    })
    .file('/etc/kubernetes/manifests/kube-scheduler.yaml', { content: manifest('kube-scheduler', SCHEDULER_ARGV), mode: 0o600 })
    .file('/etc/kubernetes/manifests/etcd.yaml', { content: manifest('etcd', ETCD_ARGV), mode: 0o600 })
    .file('/etc/kubernetes/admin.conf', { content: kubeconfig('kubernetes-admin'), mode: 0o600 })
    .file('/etc/kubernetes/super-admin.conf', { content: kubeconfig('kubernetes-super-admin'), mode: 0o600 })
    .file('/etc/kubernetes/controller-manager.conf', { content: kubeconfig('system:kube-controller-manager'), mode: 0o600 })
    .file('/etc/kubernetes/scheduler.conf', { content: kubeconfig('system:kube-scheduler'), mode: 0o600 })
    .file('/etc/kubernetes/kubelet.conf', { content: kubeconfig('system:node:cp-1'), mode: 0o600 })
    .file('/var/lib/kubelet/config.yaml', { content: KUBELET_CONFIG, mode: 0o644 })
    .file('/var/lib/kubelet/kubeadm-flags.env', {
      content:
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
      mode: 0o644,
    })
    .file('/usr/lib/systemd/system/kubelet.service', {
      content: '[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n',
      mode: 0o644,
    })
    .file('/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', { content: KUBEADM_DROP_IN, mode: 0o644 })
    .dir('/var/lib/etcd', 0o700)
    .dir('/var/lib/etcd/member', 0o700)
    .file('/var/lib/etcd/member/snap/db', { content: 'etcd-database', mode: 0o600 })
    .dir('/etc/cni/net.d')
    .file('/etc/cni/net.d/10-flannel.conflist', { content: '{"name":"cbr0","plugins":[{"type":"flannel"}]}\n' })
    .file('/var/lib/cni/networks/cbr0/10.244.0.2', { content: 'c0ffee\n', mode: 0o644 })
    .file('/etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
    .file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\netcd:x:998:998::/var/lib/etcd:/usr/sbin/nologin\n')
    .file('/etc/group', 'root:x:0:\netcd:x:998:\n');
  for (const name of ['ca', 'apiserver', 'apiserver-kubelet-client', 'front-proxy-ca', 'apiserver-etcd-client']) {
    node.file(`/etc/kubernetes/pki/${name}.crt`, { content: CERT, mode: 0o644 });
    node.file(`/etc/kubernetes/pki/${name}.key`, { content: RSA_KEY, mode: 0o600 });
  }
  node.file('/etc/kubernetes/pki/sa.key', { content: RSA_KEY, mode: 0o600 });
  node.file('/etc/kubernetes/pki/sa.pub', { content: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n', mode: 0o644 });
  for (const name of ['ca', 'server', 'peer', 'healthcheck-client']) {
    node.file(`/etc/kubernetes/pki/etcd/${name}.crt`, { content: CERT, mode: 0o644 });
    node.file(`/etc/kubernetes/pki/etcd/${name}.key`, { content: RSA_KEY, mode: 0o600 });
  }
  node
    .process(PIDS.kubelet, { comm: 'kubelet', argv: KUBELET_ARGV })
    .process(PIDS.etcd, {
      comm: 'etcd',
      argv: ETCD_ARGV,
      environ: ['PATH=/usr/bin', 'ETCD_QUOTA_BACKEND_BYTES=8589934592', 'ETCD_INITIAL_CLUSTER_TOKEN=s3cret'],
    })
    .process(PIDS.apiserver, { comm: 'kube-apiserver', argv: APISERVER_ARGV })
    .process(PIDS.controllerManager, { comm: 'kube-controller', argv: CONTROLLER_MANAGER_ARGV })
    .process(PIDS.scheduler, { comm: 'kube-scheduler', argv: SCHEDULER_ARGV })
    .process(77, { comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D'] });
  return node;
}
