/**
 * Which gathered process is which component. Pure.
 *
 * The script matches /proc/PID/comm, which the kernel truncates to 15 bytes:
 * kube-controller-manager shows as `kube-controller`, so that one is
 * confirmed by its argv[0]. hyperkube (removed in Kubernetes 1.19, still on
 * old nodes) runs every component under one binary name; argv[1] tells.
 */

import { splitNul, type Section } from './parse-sections.js';
import { redactEnvLine } from './environment-policy.js';
import type { AuditEnvironment, Component, ComponentProcess } from './types.js';

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

/** The `env` sections by pid: the kept lines and the whole text's line count (output-format.ts). */
function environmentsOf(sections: readonly Section[]): Map<string, { environment: Record<string, string>; auditEnv: AuditEnvironment }> {
  const byPid = new Map<string, { environment: Record<string, string>; auditEnv: AuditEnvironment }>();
  for (const s of sections.filter((x) => x.name === 'env')) {
    const [pid = '', total = ''] = s.args;
    if (!/^\d+$/.test(total)) throw new Error(`env section of pid ${JSON.stringify(pid)} without a line count`);
    const text = s.payload.toString('utf8');
    // Defence in depth: the node redacts the same names before sending.
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n').map(redactEnvLine);
    if (lines.length > Number(total)) throw new Error(`env section of pid ${pid} has more lines than its count`);
    const environment: Record<string, string> = {};
    for (const line of lines) {
      const eq = line.indexOf('=');
      const name = line.slice(0, eq);
      if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !(name in environment)) environment[name] = line.slice(eq + 1);
    }
    byPid.set(pid, { environment, auditEnv: { lines, totalLines: Number(total) } });
  }
  return byPid;
}

/** The `proc` and `env` sections as component processes, by pid; false friends become notes. */
export function componentProcesses(sections: readonly Section[], notes: string[]): ComponentProcess[] {
  const environments = environmentsOf(sections);
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
    const env = environments.get(pidText);
    found.push({ pid: Number(pidText), comm, component, argv, environment: env?.environment ?? {}, ...(env ? { auditEnv: env.auditEnv } : {}) });
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
