import { etcdVariableFor } from '../../evaluate/etcd-service/etcd-service-source.js';
import { flagValue } from '../../facts/process-flags.js';
import type { NodeFacts } from '../../facts/types.js';
import type { HealthClientTls } from '../../model/change.js';

/**
 * Where the health gate asks an etcd run by systemd for its /health after a
 * restart, chosen from the command line and environment etcd will run with
 * (after the edit) and from kube-apiserver on the same node. Pure.
 *
 * In this order:
 *  1. the plain-HTTP metrics listener on loopback (--listen-metrics-urls),
 *     as kubeadm's own liveness probe does: no certificate needed;
 *  2. else /health on an https client URL (--listen-client-urls), with a
 *     client certificate that is already on the node (the gate runs curl
 *     there; the key never leaves the node and is never read by cis-fix):
 *     a. kube-apiserver's --etcd-cafile/--etcd-certfile/--etcd-keyfile when
 *        kube-apiserver runs here and talks to this etcd (the pair made for
 *        talking to it);
 *     b. else etcd's own --trusted-ca-file with its --cert-file/--key-file
 *        (kubeadm and most layouts issue etcd's serving certificate for
 *        client authentication too).
 *  3. else none: the plan refuses, with why.
 */
export type EtcdHealthProbe =
  | { readonly kind: 'metrics'; readonly url: string }
  | { readonly kind: 'tls'; readonly url: string; readonly tls: HealthClientTls; readonly identity: 'kube-apiserver' | 'etcd' }
  | { readonly kind: 'none'; readonly reason: string };

export interface EtcdHealthInput {
  /** etcd's command line as systemd will start it. */
  readonly argv: readonly string[];
  /** An ETCD_* variable of etcd's environment as systemd will start it. */
  readonly variable: (name: string) => string | undefined;
  /** kube-apiserver's command line on this node, when it runs here. */
  readonly apiserverArgv: readonly string[] | undefined;
  /** The node's paths: a file the facts know to be missing is never named. */
  readonly paths: NodeFacts['paths'];
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]']);

export function etcdHealthProbe(input: EtcdHealthInput): EtcdHealthProbe {
  const setting = (flag: string) => flagValue(input.argv, flag) ?? input.variable(etcdVariableFor(flag));
  const metrics = listeners(setting('--listen-metrics-urls')).find((u) => u.protocol === 'http:' && LOOPBACK.has(u.host));
  if (metrics) return { kind: 'metrics', url: `http://${metrics.host}:${metrics.port}/health` };

  const clients = listeners(setting('--listen-client-urls')).filter((u) => u.protocol === 'https:');
  // Loopback first (every serving certificate kubeadm issues names it), else the node's own address.
  const client = clients.find((u) => LOOPBACK.has(u.host)) ?? clients[0];
  if (!client) {
    return {
      kind: 'none',
      reason:
        'etcd has neither a plain-HTTP --listen-metrics-urls on loopback (ETCD_LISTEN_METRICS_URLS) nor an https --listen-client-urls, ' +
        'where cis-fix checks its /health after the restart',
    };
  }
  const url = `https://${client.host}:${client.port}/health`;
  const missing = (file: string) => input.paths[file]?.exists === false;
  const usable = (tls: HealthClientTls) => !missing(tls.caFile) && !missing(tls.certFile) && !missing(tls.keyFile);

  const apiserver = input.apiserverArgv;
  if (apiserver !== undefined) {
    const tls = identity(flagValue(apiserver, '--etcd-cafile'), flagValue(apiserver, '--etcd-certfile'), flagValue(apiserver, '--etcd-keyfile'));
    const servers = listeners(flagValue(apiserver, '--etcd-servers'));
    const ports = new Set([...listeners(setting('--listen-client-urls')), ...listeners(setting('--advertise-client-urls'))].map((u) => u.port));
    if (tls && usable(tls) && servers.some((s) => s.protocol === 'https:' && ports.has(s.port))) return { kind: 'tls', url, tls, identity: 'kube-apiserver' };
  }
  const own = identity(setting('--trusted-ca-file'), setting('--cert-file'), setting('--key-file'));
  if (own && usable(own)) return { kind: 'tls', url, tls: own, identity: 'etcd' };
  return {
    kind: 'none',
    reason:
      `etcd has no plain-HTTP --listen-metrics-urls on loopback, and no client certificate on the node to ask ${url} with ` +
      "(kube-apiserver's --etcd-cafile/--etcd-certfile/--etcd-keyfile, or etcd's --trusted-ca-file/--cert-file/--key-file)",
  };
}

function identity(caFile: string | undefined, certFile: string | undefined, keyFile: string | undefined): HealthClientTls | undefined {
  if (!caFile || !certFile || !keyFile) return undefined;
  if (![caFile, certFile, keyFile].every((f) => f.startsWith('/'))) return undefined;
  return { caFile, certFile, keyFile };
}

/** The URLs of a comma-separated listener setting, with wildcard and `localhost` hosts read as loopback; unparsable entries left out. */
function listeners(value: string | undefined): { protocol: string; host: string; port: string }[] {
  return (value ?? '').split(',').flatMap((raw) => {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      return [];
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return [];
    const host = url.hostname === '0.0.0.0' || url.hostname === 'localhost' ? '127.0.0.1' : url.hostname === '[::]' ? '[::1]' : url.hostname;
    return [{ protocol: url.protocol, host, port: url.port || (url.protocol === 'https:' ? '443' : '80') }];
  });
}
