// The systemctl control socket of a node's supervisor (the lab kubelet, the
// k3s and RKE2 supervisors): one JSON request line { argv } in, one JSON
// reply line { stdout, stderr, code } out. systemctl.mjs is the client; the
// verbs are systemctl-verbs.mjs's, run against the supervisor's `api`.
import fs from 'node:fs';
import net from 'node:net';
import { handleSystemctl } from './systemctl-verbs.mjs';

/** privileged: every verb (root-only socket); otherwise only the read-only verbs (is-active, status, show, cat, ...). */
export function serveControl(socketPath, mode, privileged, api) {
  try { fs.unlinkSync(socketPath); } catch { /* none */ }
  const server = net.createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('data', async (chunk) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let reply;
      try {
        const req = JSON.parse(buf.slice(0, nl));
        reply = await handleSystemctl(req.argv ?? [], { privileged, api });
      } catch (e) {
        reply = { stdout: '', stderr: `lab systemctl: ${e.message}\n`, code: 1 };
      }
      conn.end(JSON.stringify(reply) + '\n');
    });
    conn.on('error', () => undefined);
  });
  server.listen(socketPath, () => fs.chmodSync(socketPath, mode));
  return server;
}
