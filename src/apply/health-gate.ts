import type { HealthClientTls } from '../model/change.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { probeComponent } from './node-ops.js';

export type GatedComponent = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet';

/**
 * Where each control-plane component shows that it runs and is healthy,
 * checked over SSH on the node itself (the API may be what just broke):
 * the process name as /proc/PID/comm has it (truncated to 15 bytes) and the
 * health endpoint on the node's loopback (DESIGN.md §2 step 6).
 */
export const COMPONENT_HEALTH: Readonly<Record<GatedComponent, { readonly comm: string; readonly url: string }>> = {
  etcd: { comm: 'etcd', url: 'http://127.0.0.1:2381/health' },
  'kube-apiserver': { comm: 'kube-apiserver', url: 'https://127.0.0.1:6443/readyz' },
  'kube-controller-manager': { comm: 'kube-controller', url: 'https://127.0.0.1:10257/healthz' },
  'kube-scheduler': { comm: 'kube-scheduler', url: 'https://127.0.0.1:10259/healthz' },
  // The default healthz; a kubelet change carries the URL its new config sets.
  kubelet: { comm: 'kubelet', url: 'http://127.0.0.1:10248/healthz' },
};

export type HealthOutcome = { readonly ok: true; readonly seconds: number } | { readonly ok: false; readonly seconds: number; readonly last: string };

/**
 * Wait until the component runs with exactly `argv` (any arguments when
 * undefined: a rollback knows the files, not the command line) and its
 * health endpoint answers, polling every `intervalMs`, for at most
 * `timeoutMs`.
 */
export async function waitForHealthy(
  transport: NodeTransport,
  component: GatedComponent,
  argv: readonly string[] | undefined,
  timeoutMs: number,
  options: { readonly intervalMs?: number; readonly url?: string; readonly ifRunning?: boolean; readonly tls?: HealthClientTls } = {},
): Promise<HealthOutcome> {
  const { comm } = COMPONENT_HEALTH[component];
  const url = options.url ?? COMPONENT_HEALTH[component].url;
  const intervalMs = options.intervalMs ?? 1000;
  const started = Date.now();
  let last = 'not checked yet';
  for (;;) {
    try {
      const probe = await probeComponent(transport, comm, url, component, options.tls);
      if (options.ifRunning === true && probe.argvs.length === 0) return { ok: true, seconds: (Date.now() - started) / 1000 };
      const running = argv === undefined ? probe.argvs.length > 0 : probe.argvs.some((a) => a.length === argv.length && a.every((word, i) => word === argv[i]));
      if (running && probe.healthy) return { ok: true, seconds: (Date.now() - started) / 1000 };
      last = !running
        ? probe.argvs.length === 0
          ? `${component} is not running`
          : `${component} runs, but not with the new arguments yet`
        : `${component} runs with the new arguments but ${url} does not answer`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() - started >= timeoutMs) return { ok: false, seconds: (Date.now() - started) / 1000, last };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
