/**
 * Which gathered process is which component. Pure.
 *
 * The script matches /proc/PID/comm, which the kernel truncates to 15 bytes:
 * kube-controller-manager shows as `kube-controller`, so that one is
 * confirmed by its argv[0]. hyperkube (removed in Kubernetes 1.19, still on
 * old nodes) runs every component under one binary name; argv[1] tells.
 */

import { splitNul, type Section } from './parse-sections.js';
import type { Component, ComponentProcess } from './types.js';

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

/** The `proc` and `etcd-env` sections as component processes, by pid; false friends become notes. */
export function componentProcesses(sections: readonly Section[], notes: string[]): ComponentProcess[] {
  const environments = new Map<string, Record<string, string>>();
  for (const s of sections.filter((x) => x.name === 'etcd-env')) {
    const env: Record<string, string> = {};
    for (const line of s.payload.toString('utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    environments.set(s.args[0] ?? '', env);
  }
  const found: ComponentProcess[] = [];
  for (const s of sections.filter((x) => x.name === 'proc')) {
    const [pidText = '', comm = ''] = s.args;
    if (!/^\d+$/.test(pidText)) throw new Error(`proc section with pid ${JSON.stringify(pidText)}`);
    const argv = splitNul(s.payload);
    if (argv.length === 0) continue; // exited while we looked, or a kernel thread
    const component = classifyProcess(comm, argv);
    if (!component) {
      notes.push(`process ${pidText} (${comm}) is not a Kubernetes component: ignored`);
      continue;
    }
    found.push({ pid: Number(pidText), comm, component, argv, environment: environments.get(pidText) ?? {} });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** The lowest-pid process of each component; a second one becomes a note. */
export function primaryComponents(all: readonly ComponentProcess[], notes: string[]): Partial<Record<Component, ComponentProcess>> {
  const components: Partial<Record<Component, ComponentProcess>> = {};
  for (const p of all) {
    const first = components[p.component];
    if (first) {
      notes.push(`${p.component} runs more than once (pids ${first.pid} and ${p.pid}); facts use pid ${first.pid}`);
    } else {
      components[p.component] = p;
    }
  }
  return components;
}

