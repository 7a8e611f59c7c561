import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  ETC_DEFAULT_KUBELET,
  KUBEADM_DROPIN,
  KUBELET_SERVICE,
  etcdArgs,
  etcdManifest,
  kubeApiserverManifest,
  kubeControllerManagerManifest,
  kubeSchedulerManifest,
  kubeadmFlagsEnv,
  kubeconfig,
  kubeletBootstrappedKubeconfig,
  kubeletConfig,
  type ControlPlaneNode,
} from './kubeadm-files.js';
import { createCa, createCert, createServiceAccountKey, pairAt, readPair, type KeyPair } from './pki.js';
import { addDir, addFile, makeOpaque, type NodeTree } from './node-tree.js';

/** The cluster-wide secrets every control-plane node shares (generated once per `up`). */
export interface ClusterPki {
  dir: string;
  ca: KeyPair;
  frontProxyCa: KeyPair;
  etcdCa: KeyPair;
  saKey: string;
  saPub: string;
  pem: {
    ca: { crt: string; key: string };
    frontProxyCa: { crt: string; key: string };
    etcdCa: { crt: string; key: string };
    saKey: string;
    saPub: string;
  };
}

export async function createClusterPki(dir: string): Promise<ClusterPki> {
  const ca = pairAt(dir, 'ca');
  const frontProxyCa = pairAt(dir, 'front-proxy-ca');
  const etcdCa = pairAt(path.join(dir, 'etcd'), 'ca');
  const saKey = path.join(dir, 'sa.key');
  const saPub = path.join(dir, 'sa.pub');
  await Promise.all([createCa(ca, 'kubernetes'), createCa(frontProxyCa, 'front-proxy-ca'), createCa(etcdCa, 'etcd-ca'), createServiceAccountKey(saKey, saPub)]);
  return {
    dir,
    ca,
    frontProxyCa,
    etcdCa,
    saKey,
    saPub,
    pem: {
      ca: await readPair(ca),
      frontProxyCa: await readPair(frontProxyCa),
      etcdCa: await readPair(etcdCa),
      saKey: await readFile(saKey, 'utf8'),
      saPub: await readFile(saPub, 'utf8'),
    },
  };
}

export interface KubeadmNodeInput {
  name: string;
  ip: string;
  role: 'control-plane' | 'worker';
  /** The first control-plane node (kubeadm init ran there): holds super-admin.conf. */
  initNode: boolean;
  /** Where kubeadm's `controlPlaneEndpoint` points (cp-1's address). */
  apiEndpoint: string;
  /** The etcd members as kubeadm writes them into this node's etcd.yaml (this node last). */
  etcdMembers: readonly ControlPlaneNode[];
  /** The compiled kube-sleeper. */
  sleeper: string;
  /** A scratch directory for openssl output (removed afterwards). */
  scratch: string;
  now: Date;
}

export const MANIFESTS = '/etc/kubernetes/manifests';
export const ETCD_MANIFEST = `${MANIFESTS}/etcd.yaml`;

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

/**
 * Adds what `kubeadm init` / `kubeadm join [--control-plane]` leave on a node
 * (with the pkgs.k8s.io kubelet and kubeadm packages installed) to the tree.
 */
export async function addKubeadmFiles(tree: NodeTree, input: KubeadmNodeInput, pki: ClusterPki): Promise<void> {
  const cp = input.role === 'control-plane';
  const scratch = input.scratch;
  await mkdir(scratch, { recursive: true });
  const node: ControlPlaneNode = { name: input.name, ip: input.ip };
  const sign = async (base: string, ca: KeyPair | undefined, req: Parameters<typeof createCert>[2]) => {
    const pair = pairAt(scratch, base);
    await createCert(pair, ca, req);
    return readPair(pair);
  };

  // --- /etc/kubernetes ---------------------------------------------------------
  addDir(tree, '/etc/kubernetes', 0o755);
  addDir(tree, MANIFESTS, 0o755);
  addDir(tree, '/etc/kubernetes/pki', 0o755);
  await makeOpaque(tree, '/etc/kubernetes');
  const crt = (p: string, pem: string) => addFile(tree, p, pem, 0o644);
  const key = (p: string, pem: string) => addFile(tree, p, pem, 0o600);
  crt('/etc/kubernetes/pki/ca.crt', pki.pem.ca.crt);

  const kubeletClientPromise = sign('kubelet-client', pki.ca, { cn: `system:node:${input.name}`, organizations: ['system:nodes'], usage: 'client' });
  const kubeletServingPromise = sign('kubelet', undefined, {
    cn: `${input.name}@${Math.floor(input.now.getTime() / 1000)}`,
    sans: [`DNS:${input.name}`],
    usage: 'server',
  });

  if (cp) {
    addDir(tree, '/etc/kubernetes/pki/etcd', 0o755);
    key('/etc/kubernetes/pki/ca.key', pki.pem.ca.key);
    crt('/etc/kubernetes/pki/front-proxy-ca.crt', pki.pem.frontProxyCa.crt);
    key('/etc/kubernetes/pki/front-proxy-ca.key', pki.pem.frontProxyCa.key);
    crt('/etc/kubernetes/pki/etcd/ca.crt', pki.pem.etcdCa.crt);
    key('/etc/kubernetes/pki/etcd/ca.key', pki.pem.etcdCa.key);
    key('/etc/kubernetes/pki/sa.key', pki.pem.saKey);
    key('/etc/kubernetes/pki/sa.pub', pki.pem.saPub);

    const etcdSans = [`DNS:${input.name}`, 'DNS:localhost', `IP:${input.ip}`, 'IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1'];
    const [apiserver, kubeletClient, frontProxyClient, etcdClient, etcdServer, etcdPeer, etcdHealth, admin, superAdmin, cm, sched] = await Promise.all([
      sign('apiserver', pki.ca, {
        cn: 'kube-apiserver',
        sans: [
          `DNS:${input.name}`,
          'DNS:kubernetes',
          'DNS:kubernetes.default',
          'DNS:kubernetes.default.svc',
          'DNS:kubernetes.default.svc.cluster.local',
          'IP:10.96.0.1',
          `IP:${input.ip}`,
        ],
        usage: 'server',
      }),
      sign('apiserver-kubelet-client', pki.ca, { cn: 'kube-apiserver-kubelet-client', organizations: ['kubeadm:cluster-admins'], usage: 'client' }),
      sign('front-proxy-client', pki.frontProxyCa, { cn: 'front-proxy-client', usage: 'client' }),
      sign('apiserver-etcd-client', pki.etcdCa, { cn: 'kube-apiserver-etcd-client', usage: 'client' }),
      sign('etcd-server', pki.etcdCa, { cn: input.name, sans: etcdSans, usage: 'server-client' }),
      sign('etcd-peer', pki.etcdCa, { cn: input.name, sans: etcdSans, usage: 'server-client' }),
      sign('etcd-healthcheck-client', pki.etcdCa, { cn: 'kube-etcd-healthcheck-client', usage: 'client' }),
      sign('admin', pki.ca, { cn: 'kubernetes-admin', organizations: ['kubeadm:cluster-admins'], usage: 'client' }),
      input.initNode
        ? sign('super-admin', pki.ca, { cn: 'kubernetes-super-admin', organizations: ['system:masters'], usage: 'client' })
        : Promise.resolve(undefined),
      sign('controller-manager', pki.ca, { cn: 'system:kube-controller-manager', usage: 'client' }),
      sign('scheduler', pki.ca, { cn: 'system:kube-scheduler', usage: 'client' }),
    ]);
    const pair = (base: string, p: { crt: string; key: string }) => {
      crt(`/etc/kubernetes/pki/${base}.crt`, p.crt);
      key(`/etc/kubernetes/pki/${base}.key`, p.key);
    };
    pair('apiserver', apiserver);
    pair('apiserver-kubelet-client', kubeletClient);
    pair('front-proxy-client', frontProxyClient);
    pair('apiserver-etcd-client', etcdClient);
    pair('etcd/server', etcdServer);
    pair('etcd/peer', etcdPeer);
    pair('etcd/healthcheck-client', etcdHealth);

    const endpoint = `https://${input.apiEndpoint}:6443`;
    const local = `https://${input.ip}:6443`;
    key('/etc/kubernetes/admin.conf', kubeconfig(endpoint, pki.pem.ca.crt, { name: 'kubernetes-admin', embedded: admin }));
    if (superAdmin) key('/etc/kubernetes/super-admin.conf', kubeconfig(endpoint, pki.pem.ca.crt, { name: 'kubernetes-super-admin', embedded: superAdmin }));
    key('/etc/kubernetes/controller-manager.conf', kubeconfig(local, pki.pem.ca.crt, { name: 'system:kube-controller-manager', embedded: cm }));
    key('/etc/kubernetes/scheduler.conf', kubeconfig(local, pki.pem.ca.crt, { name: 'system:kube-scheduler', embedded: sched }));

    addFile(tree, `${MANIFESTS}/kube-apiserver.yaml`, kubeApiserverManifest(node), 0o600);
    addFile(tree, `${MANIFESTS}/kube-controller-manager.yaml`, kubeControllerManagerManifest(), 0o600);
    addFile(tree, `${MANIFESTS}/kube-scheduler.yaml`, kubeSchedulerManifest(), 0o600);
    addFile(tree, ETCD_MANIFEST, etcdManifest(node, etcdArgs(node, input.etcdMembers)), 0o600);

    addDir(tree, '/var/lib/etcd', 0o700);
    await makeOpaque(tree, '/var/lib/etcd');

    for (const bin of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      tree.set(`/usr/local/bin/${bin}`, { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
    }
  }

  // --- kubelet ---------------------------------------------------------------------
  const kubeletServer = cp ? `https://${input.ip}:6443` : `https://${input.apiEndpoint}:6443`;
  const clientPem = `/var/lib/kubelet/pki/kubelet-client-current.pem`;
  // The init node's kubelet.conf is kubeadm's (rewritten by kubelet-finalize to
  // use the rotated client certificate); a joined node's is the one the
  // kubelet itself wrote during TLS bootstrap.
  const kubeletConf = input.initNode
    ? kubeconfig(kubeletServer, pki.pem.ca.crt, { name: `system:node:${input.name}`, files: { crt: clientPem, key: clientPem } })
    : kubeletBootstrappedKubeconfig(kubeletServer, pki.pem.ca.crt, clientPem);
  key('/etc/kubernetes/kubelet.conf', kubeletConf);

  addDir(tree, '/var/lib/kubelet', 0o700);
  await makeOpaque(tree, '/var/lib/kubelet');
  addFile(tree, '/var/lib/kubelet/config.yaml', kubeletConfig(), 0o644);
  addFile(tree, '/var/lib/kubelet/kubeadm-flags.env', kubeadmFlagsEnv(), 0o644);
  addDir(tree, '/var/lib/kubelet/pki', 0o755);
  const [kubeletClient, kubeletServing] = await Promise.all([kubeletClientPromise, kubeletServingPromise]);
  const clientFile = `kubelet-client-${stamp(input.now)}.pem`;
  addFile(tree, `/var/lib/kubelet/pki/${clientFile}`, kubeletClient.crt + kubeletClient.key, 0o600);
  tree.set(clientPem, { kind: 'symlink', target: `/var/lib/kubelet/pki/${clientFile}` });
  crt('/var/lib/kubelet/pki/kubelet.crt', kubeletServing.crt);
  key('/var/lib/kubelet/pki/kubelet.key', kubeletServing.key);

  addFile(tree, '/usr/lib/systemd/system/kubelet.service', KUBELET_SERVICE, 0o644);
  addDir(tree, '/usr/lib/systemd/system/kubelet.service.d', 0o755);
  addFile(tree, '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', KUBEADM_DROPIN, 0o644);
  addFile(tree, '/etc/default/kubelet', ETC_DEFAULT_KUBELET, 0o644);
  tree.set('/usr/bin/kubelet', { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });

  await rm(scratch, { recursive: true, force: true });
}
