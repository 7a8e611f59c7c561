import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The manifests the edit tests run on: kubeadm's four, copied from a lab
 * node (`npm run lab -- exec … cat /etc/kubernetes/manifests/*.yaml`), and
 * hand-written ones with comments, odd indentation, quoting, flags in
 * `args` and JSON.
 */
const here = dirname(fileURLToPath(import.meta.url));

export const KUBEADM = {
  'kube-apiserver': 'kubeadm-kube-apiserver.yaml',
  'kube-controller-manager': 'kubeadm-kube-controller-manager.yaml',
  'kube-scheduler': 'kubeadm-kube-scheduler.yaml',
  etcd: 'kubeadm-etcd.yaml',
} as const;

export const ODD = {
  commented: 'commented-kube-apiserver.yaml',
  args: 'args-kube-scheduler.yaml',
  json: 'json-etcd.json',
} as const;

export function fixture(name: string): string {
  return readFileSync(join(here, '..', 'fixtures', name), 'utf8');
}

/** Every fixture with the container to edit. */
export const ALL_MANIFESTS: readonly { readonly name: string; readonly container: string }[] = [
  ...Object.entries(KUBEADM).map(([container, name]) => ({ name, container })),
  { name: ODD.commented, container: 'kube-apiserver' },
  { name: ODD.args, container: 'kube-scheduler' },
  { name: ODD.json, container: 'etcd' },
];
