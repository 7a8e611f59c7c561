/**
 * Which gathered process is which component. Pure.
 *
 * The script matches /proc/PID/comm, which the kernel truncates to 15 bytes:
 * kube-controller-manager shows as `kube-controller`, so that one is
 * confirmed by its argv[0]. hyperkube (removed in Kubernetes 1.19, still on
 * old nodes) runs every component under one binary name; argv[1] tells.
 */

import type { Component } from './types.js';

const BY_COMM: Readonly<Record<string, Component>> = {
  'kube-apiserver': 'kube-apiserver',
  'kube-scheduler': 'kube-scheduler',
  etcd: 'etcd',
  kubelet: 'kubelet',
  'kube-proxy': 'kube-proxy',
};

const HYPERKUBE_SUBCOMMANDS: Readonly<Record<string, Component>> = {
  apiserver: 'kube-apiserver',
  'kube-apiserver': 'kube-apiserver',
  'controller-manager': 'kube-controller-manager',
  'kube-controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler',
  'kube-scheduler': 'kube-scheduler',
  kubelet: 'kubelet',
  proxy: 'kube-proxy',
  'kube-proxy': 'kube-proxy',
};

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The component a process is, or undefined when the comm match was a false friend. */
export function classifyProcess(comm: string, argv: readonly string[]): Component | undefined {
  const argv0 = basename(argv[0] ?? '');
  if (comm === 'kube-controller') {
    return argv0.startsWith('kube-controller-manager') ? 'kube-controller-manager' : undefined;
  }
  if (comm === 'hyperkube') return HYPERKUBE_SUBCOMMANDS[argv[1] ?? ''];
  return BY_COMM[comm];
}
