// systemctl inside a lab node: forwards its arguments to the lab kubelet and
// prints what it answers. Root uses /run/lab/kubelet.sock (every verb); other
// users /run/lab/kubelet-ro.sock (read-only verbs only), like systemd's polkit
// without an agent.
import fs from 'node:fs';
import net from 'node:net';

const argv = process.argv.slice(2);
// A distribution's supervisor (rke2-sim.mjs) owns the node's services when it serves its own socket.
const base = fs.existsSync('/run/lab/supervisor.sock') ? 'supervisor' : 'kubelet';
const socketPath = process.getuid() === 0 ? `/run/lab/${base}.sock` : `/run/lab/${base}-ro.sock`;
const conn = net.connect(socketPath);
let buf = '';
conn.setEncoding('utf8');
conn.on('connect', () => conn.write(JSON.stringify({ argv }) + '\n'));
conn.on('data', (c) => { buf += c; });
conn.on('error', (e) => {
  process.stderr.write(`System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: ${e.code === 'ENOENT' ? 'Host is down' : e.message}\n`);
  process.exit(1);
});
conn.on('end', () => {
  let reply;
  try {
    reply = JSON.parse(buf);
  } catch {
    process.stderr.write('lab systemctl: no answer from the lab kubelet\n');
    process.exit(1);
  }
  process.stdout.write(reply.stdout ?? '');
  process.stderr.write(reply.stderr ?? '');
  process.exitCode = reply.code ?? 1;
});
