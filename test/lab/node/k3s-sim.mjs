// The lab's k3s supervisor (LabDistribution `k3s`): one process per node
// (PID 2, under tini), exec'd by node-init instead of the lab kubelet. It
// plays systemd for ONE unit, k3s.service on a server (k3s-agent.service on
// an agent), and the k3s process behind it:
//  - at every start it reads /etc/rancher/k3s/config.yaml and
//    config.yaml.d/*.yaml (k3s-args.mjs), merges k3s's defaults with the
//    *-arg lists as k3s does, and runs ONE process, `/usr/local/bin/k3s
//    server` (comm k3s-server, as on a real node; a kube-sleeper copy);
//  - it writes k3s's log lines, `Running kube-apiserver --…` and the others,
//    into the lab's text journal (/var/log/journal/<unit>.log), which the
//    node's journalctl (k3s-journalctl.sh) prints, so kube-bench's audits
//    `journalctl -m -u k3s | grep 'Running kube-apiserver' | tail -n1` read
//    what the embedded components run with;
//  - it serves the embedded components' health endpoints (apiserver :6443
//    /readyz /livez /healthz /version, controller-manager :10257,
//    scheduler :10259, kubelet :10248) and, on the node holding the lab API
//    server's state (cp-1), the lab API on :6443 as k3s's supervisor port;
//  - a config file that does not parse, or a component refused by an
//    injected fault (faults.mjs: `kube-apiserver --flag=value` lines), makes
//    the start fail: `systemctl restart k3s` exits 1 (Type=notify), the unit
//    is activating (auto-restart) and retried every RestartSec.
// `systemctl` (systemctl.mjs) talks to it over the same sockets as to the
// lab kubelet; status for `lab status` goes to /run/lab/status.json in the
// lab kubelet's format (the service as `kubelet`, the components as pods).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { injectedFault } from './faults.mjs';
import { AGENT_COMPONENTS, CONFIG_FILE, DATA_DIR, K3S_VERSION, SERVER_COMPONENTS, componentArgs, logrusLine, mergeConfig } from './k3s-args.mjs';
import { serveControl } from './control-socket.mjs';
import { closeServers, flagValue, labTls, listen, tlsFrom } from './node-servers.mjs';
import { serviceApi, serviceRecord } from './systemd-service.mjs';
import { expandCommand, loadUnit, serviceEnvironment } from './systemd-unit.mjs';

process.title = 'lab-k3s';
const RUN = '/run/lab';
const NODE = JSON.parse(fs.readFileSync(`${RUN}/node.json`, 'utf8'));
const SERVER = (NODE.roles ?? []).includes('control-plane');
const UNIT_NAME = SERVER ? 'k3s.service' : 'k3s-agent.service';
const COMPONENTS = SERVER ? SERVER_COMPONENTS : AGENT_COMPONENTS;
const PROCESS_BIN = `${DATA_DIR}/data/lab/bin/${SERVER ? 'k3s-server' : 'k3s-agent'}`;
const JOURNAL_DIR = '/var/log/journal';
const LOG_FILE = '/var/log/lab-k3s.log';
const LAB_API_CLUSTER_FILE = '/var/lib/lab-apiserver/cluster.json';
const MANIFESTS_DIR = `${DATA_DIR}/agent/pod-manifests`;

function log(level, message) {
  try {
    fs.appendFileSync(LOG_FILE, `${new Date().toISOString()} ${level} ${message}\n`);
  } catch { /* best effort */ }
}

// ---------------------------------------------------------------------------
// the journal

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let lastStamp = 0;
function journal(level, msg, pid) {
  const now = new Date();
  // Strictly increasing stamps keep the order of lines logged in the same millisecond.
  const stamp = Math.max(now.getTime(), lastStamp + 1);
  lastStamp = stamp;
  const p = (n) => String(n).padStart(2, '0');
  const short = `${MONTHS[now.getUTCMonth()]} ${p(now.getUTCDate())} ${p(now.getUTCHours())}:${p(now.getUTCMinutes())}:${p(now.getUTCSeconds())}`;
  const ident = UNIT_NAME.replace(/\.service$/, '');
  const line = `${short} ${NODE.name} ${ident === 'k3s-agent' ? 'k3s' : ident}[${pid ?? process.pid}]: ${logrusLine(now.toISOString().replace(/\.\d+Z$/, 'Z'), level, msg)}`;
  fs.mkdirSync(JOURNAL_DIR, { recursive: true });
  fs.appendFileSync(path.join(JOURNAL_DIR, `${UNIT_NAME}.log`), `${stamp} ${line}\n`);
}

// ---------------------------------------------------------------------------
// processes and servers

const okHealth = (version) => (req, res) => {
  const url = (req.url ?? '/').split('?')[0];
  if (version && url === '/version') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ major: '1', minor: '33', gitVersion: K3S_VERSION, platform: 'linux/amd64' }));
    return;
  }
  if (!['/healthz', '/livez', '/readyz'].includes(url)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

async function serve(server, port, host, what) {
  try {
    await listen(server, port, host);
    service.servers.push(server);
  } catch (e) {
    log('E', `${what}: cannot listen on ${host}:${port}: ${e.message}`);
  }
}

/** The embedded components' endpoints; the lab API on :6443 where its state is. */
async function startServers(args) {
  if (SERVER) {
    const apiArgv = ['kube-apiserver', ...args['kube-apiserver']];
    const tls = tlsFrom(flagValue(apiArgv, 'tls-cert-file'), flagValue(apiArgv, 'tls-private-key-file'));
    const health = okHealth(true);
    let server;
    if (fs.existsSync(LAB_API_CLUSTER_FILE)) {
      try {
        const { LabApiServer } = await import('./apiserver/server.mjs');
        server = new LabApiServer({ argv: apiArgv, health, node: { name: NODE.name, ip: NODE.ip }, manifestsDir: MANIFESTS_DIR, log }).createServer();
      } catch (e) {
        log('E', `lab API server not started (health endpoints only): ${e.stack ?? e.message}`);
      }
    }
    // k3s's supervisor listens on every address at 6443 and proxies the API server.
    await serve(server ?? https.createServer(tls, health), 6443, '0.0.0.0', 'kube-apiserver');
    for (const [component, port] of [['kube-controller-manager', 10257], ['kube-scheduler', 10259]]) {
      const a = args[component];
      await serve(https.createServer(labTls(), okHealth(false)), Number(flagValue(a, 'secure-port') ?? port), flagValue(a, 'bind-address') ?? '127.0.0.1', component);
    }
  }
  const k = args.kubelet;
  await serve(http.createServer(okHealth(false)), Number(flagValue(k, 'healthz-port') ?? 10248), flagValue(k, 'healthz-bind-address') ?? '127.0.0.1', 'kubelet');
}

// ---------------------------------------------------------------------------
// the service

const service = { ...serviceRecord(UNIT_NAME, true), args: undefined, servers: [] };

function readConfigFiles() {
  const files = [];
  if (fs.existsSync(CONFIG_FILE)) files.push({ path: CONFIG_FILE, text: fs.readFileSync(CONFIG_FILE, 'utf8') });
  let names = [];
  try {
    names = fs.readdirSync(`${CONFIG_FILE}.d`);
  } catch { /* no drop-ins */ }
  for (const n of names.filter((f) => /\.ya?ml$/i.test(f)).sort()) { // util.HasSuffixI: any case
    const p = `${CONFIG_FILE}.d/${n}`;
    files.push({ path: p, text: fs.readFileSync(p, 'utf8') });
  }
  return files;
}

/** The components' arguments from the config, or throws with what k3s would log before exiting. */
function planStart() {
  const config = mergeConfig(readConfigFiles());
  const args = componentArgs(COMPONENTS, NODE, config);
  for (const c of COMPONENTS) {
    const fault = injectedFault(c, args[c]);
    if (fault) throw new Error(`${c} exited: ${fault}`);
  }
  return args;
}

function clearRestartTimer() {
  if (service.restartTimer) clearTimeout(service.restartTimer);
  service.restartTimer = undefined;
}

function scheduleAutoRestart() {
  if (service.unit.restart !== 'always' && service.unit.restart !== 'on-failure') return;
  clearRestartTimer();
  service.restartTimer = setTimeout(() => {
    service.restartTimer = undefined;
    void startService('auto-restart');
  }, Math.max(100, service.unit.restartSec * 1000));
}

const JOB_FAILED = `Job for ${UNIT_NAME} failed because the control process exited with error code.\nSee "systemctl status ${UNIT_NAME}" and "journalctl -xeu ${UNIT_NAME}" for details.`;

/** systemctl start: Type=notify, so the job fails when k3s exits before it is ready. */
async function startService(why = 'start') {
  if (service.state === 'active') return { ok: true };
  clearRestartTimer();
  const unit = service.unit;
  if (unit.loadState !== 'loaded') {
    return { ok: false, message: unit.loadState === 'not-found' ? `Unit ${UNIT_NAME} not found.` : `Unit ${UNIT_NAME} has a bad unit file setting.` };
  }
  const now = new Date();
  let argv;
  let args;
  try {
    argv = expandCommand(unit.execStart.argv, serviceEnvironment(unit));
    service.argv = argv;
    journal('info', `Starting k3s ${K3S_VERSION} (lab)`);
    args = planStart();
  } catch (e) {
    service.state = 'activating';
    service.subState = 'auto-restart';
    service.result = 'exit-code';
    service.error = e.message;
    service.child = undefined;
    service.execStart = { start: now, stop: new Date(), pid: 0, code: 'exited', status: 1 };
    service.inactiveSince = new Date();
    journal('fatal', e.message);
    log('E', `${UNIT_NAME} (${why}): ${e.message}`);
    writeStatusSoon();
    scheduleAutoRestart();
    return { ok: false, message: JOB_FAILED };
  }
  const child = spawn(PROCESS_BIN, argv.slice(1), { argv0: argv[0], stdio: 'ignore', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (e) => log('E', `${argv[0]}: ${e.message}`));
  service.child = child;
  service.args = args;
  // k3s logs each embedded component's command line as it starts it (pkg/daemons/executor).
  for (const c of COMPONENTS) journal('info', `Running ${c} ${args[c].join(' ')}`, child.pid);
  await startServers(args);
  journal('info', SERVER ? 'k3s is up and running' : 'k3s agent is up and running', child.pid);
  service.state = 'active';
  service.subState = 'running';
  service.result = 'success';
  service.error = undefined;
  service.activeSince = now;
  service.execStart = { start: now, stop: undefined, pid: child.pid, code: '(null)', status: 0 };
  log('I', `${UNIT_NAME} started (${why}, pid ${child.pid})`);
  void child.exited.then(async ({ code, signal }) => {
    if (service.child !== child) return;
    service.child = undefined;
    await closeServers(service.servers);
    service.state = 'activating';
    service.subState = 'auto-restart';
    service.result = signal ? 'signal' : 'exit-code';
    service.execStart = { ...service.execStart, stop: new Date(), code: signal ? 'killed' : 'exited', status: signal ?? code };
    service.inactiveSince = new Date();
    log('E', `k3s exited unexpectedly (${signal ?? code}); restarting in ${service.unit.restartSec}s`);
    writeStatusSoon();
    scheduleAutoRestart();
  });
  writeStatusSoon();
  return { ok: true };
}

async function stopService() {
  clearRestartTimer();
  const child = service.child;
  service.child = undefined;
  if (service.state === 'active') service.state = 'deactivating';
  await closeServers(service.servers);
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await child.exited;
    service.execStart = { ...service.execStart, stop: new Date(), code: 'killed', status: 'TERM' };
    log('I', `${UNIT_NAME} stopped`);
  }
  service.state = 'inactive';
  service.subState = 'dead';
  service.result = 'success';
  service.inactiveSince = new Date();
  writeStatusSoon();
}

function daemonReload() {
  service.unit = loadUnit(UNIT_NAME);
  log('I', `daemon-reload: ${UNIT_NAME} ${service.unit.loadState}`);
  writeStatusSoon();
}

// ---------------------------------------------------------------------------
// status

let statusTimer;
function writeStatusSoon() {
  if (statusTimer) return;
  statusTimer = setTimeout(() => {
    statusTimer = undefined;
    writeStatus();
  }, 30);
}

function writeStatus() {
  const running = service.state === 'active' && service.child;
  const status = {
    node: NODE.name,
    updatedAt: new Date().toISOString(),
    // The lab kubelet's format: the k3s service stands where the kubelet service does.
    kubelet: { state: service.state, subState: service.subState, pid: service.child?.pid, argv: service.argv, error: service.error, unit: UNIT_NAME },
    pods: COMPONENTS.map((c) => ({
      name: c,
      component: c,
      state: running ? 'running' : 'stopped',
      reason: running ? undefined : service.error,
      pid: running ? service.child.pid : undefined,
      argv: service.args ? [c, ...service.args[c]] : undefined,
    })),
  };
  const tmp = `${RUN}/.status.json.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(status, null, 2));
  fs.renameSync(tmp, `${RUN}/status.json`);
}

// ---------------------------------------------------------------------------
// systemctl sockets (systemctl.mjs connects to these names)

// k3s's own daemon-reload also logs and rewrites status.json.
const controlApi = { ...serviceApi(service, UNIT_NAME, startService, stopService), daemonReload };


async function shutdown(signal) {
  log('I', `shutting down (${signal})`);
  clearRestartTimer();
  if (service.child) service.child.kill('SIGTERM');
  process.exit(0);
}

serveControl(`${RUN}/kubelet.sock`, 0o600, true, controlApi);
serveControl(`${RUN}/kubelet-ro.sock`, 0o666, false, controlApi);
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('uncaughtException', (e) => log('E', `uncaught: ${e.stack ?? e}`));
log('I', `lab k3s for ${NODE.name} (${NODE.ip}) starting ${UNIT_NAME}`);
if (service.enabled) await startService('boot');
writeStatus();
