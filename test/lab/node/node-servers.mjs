// Servers and small readings shared by the node supervisors (the lab
// kubelet, kubelet-sim.mjs; the k3s supervisor, k3s-sim.mjs; the services
// the lab kubelet runs, systemd-service.mjs). kubelet-sim.mjs runs as a
// script when imported, so what the others need lives here.
//
// Plain ESM for `node` inside lab nodes.
import fs from 'node:fs';
import net from 'node:net';

let labTlsPair;
/** The node's fallback serving pair (/run/lab/health.{crt,key}, written by node-init.sh), read once on first use. */
export function labTls() {
  labTlsPair ??= { cert: fs.readFileSync('/run/lab/health.crt'), key: fs.readFileSync('/run/lab/health.key') };
  return labTlsPair;
}

export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (e) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

/** Closes every server in `servers` (emptying the list), dropping their open connections. */
export async function closeServers(servers) {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.close(() => r());
          s.closeAllConnections?.();
        }),
    ),
  );
}

/** pflag's reading: `--name=value`, `--name value` (the EKS AMI's unit writes `--config /etc/...`), bare `--name` = true; the last wins. */
export function flagValue(argv, name) {
  let value;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
    else if (a === `--${name}`) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        value = next;
        i++;
      } else value = 'true';
    }
  }
  return value;
}

export function readable(p) {
  try {
    return fs.readFileSync(p);
  } catch {
    return undefined;
  }
}

/** The pair a component's flags name when both files read, else the node's fallback pair. */
export function tlsFrom(certPath, keyPath) {
  const cert = certPath && readable(certPath);
  const key = keyPath && readable(keyPath);
  return cert && key ? { cert, key } : labTls();
}

export function tcpReachable(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
