// The lab's kubelet: one process per node (PID 2, under tini), started by
// node-init. It plays three parts:
//  - systemd, for kubelet.service only: it loads the unit and its drop-ins
//    (at boot and on `systemctl daemon-reload`), reads EnvironmentFile=s at
//    every start, and runs /usr/bin/kubelet (the kube-sleeper) with the
//    expanded ExecStart=, so `ps` shows the effective kubelet command line.
//    `systemctl` (node/systemctl.mjs) talks to it over /run/lab/*.sock.
//  - the kubelet's own checks and endpoints: it refuses to start without a
//    valid --config, serves /healthz on healthzBindAddress:healthzPort, the
//    read-only port when one is configured, and :10250 with the configured
//    anonymous-auth/authorization behaviour.
//  - the static-pod runner: while the kubelet is active it polls
//    staticPodPath (~300 ms, by content hash), starts each pod's process with
//    exactly the manifest's command+args, restarts it when the manifest
//    changes, stops it when the manifest goes away, and refuses (status +
//    /var/log/lab-kubelet.log) pods whose manifest is invalid or names files
//    that do not exist or are not visible through a hostPath volume. It
//    answers the control-plane health endpoints while the process runs.
//
// State for `lab status` is written to /run/lab/status.json.
import { injectedFault } from './faults.mjs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import YAML from 'yaml';
import { expandCommand, loadUnit, needsReload, serviceEnvironment } from './systemd-unit.mjs';
import { admitPod, isManifestFile, PodError } from './static-pods.mjs';
import { serveControl } from './control-socket.mjs';
import { closeServers, flagValue, listen, tcpReachable, tlsFrom } from './node-servers.mjs';
import { createService, serviceStatus } from './systemd-service.mjs';

process.title = 'lab-kubelet';
const RUN = '/run/lab';
const NODE = JSON.parse(fs.readFileSync(`${RUN}/node.json`, 'utf8'));
const LOG_FILE = '/var/log/lab-kubelet.log';
const COMPONENT_LOG_DIR = '/var/log/lab';
const SYNC_INTERVAL_MS = 300;
const UNIT_NAME = 'kubelet.service';

fs.mkdirSync(COMPONENT_LOG_DIR, { recursive: true });
// Services this node runs besides the kubelet (systemd-service.mjs): a
// distribution's supervisor names them in globalThis.labServices before it
// imports this module (external-etcd-sim.mjs: etcd.service).
const otherServices = new Map((globalThis.labServices ?? []).map((name) => [name, createService(name, { log, writeStatusSoon })]));

export function log(level, message) {
  try {
    fs.appendFileSync(LOG_FILE, `${new Date().toISOString()} ${level} ${message}\n`);
  } catch { /* the log is best effort */ }
}

// ---------------------------------------------------------------------------
// processes and servers

function openLog(name) {
  return fs.openSync(path.join(COMPONENT_LOG_DIR, `${name}.log`), 'a', 0o640);
}

function startProcess(executable, argv, logName) {
  const fd = openLog(logName);
  const child = spawn(executable, argv.slice(1), { argv0: argv[0], stdio: ['ignore', fd, fd], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } });
  fs.closeSync(fd);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (e) => log('E', `${argv[0]}: ${e.message}`));
  return child;
}

async function stopProcess(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise((r) => setTimeout(() => r('timeout'), graceMs));
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await child.exited;
  }
}

// ---------------------------------------------------------------------------
// static pods

/** file -> pod record */
const pods = new Map();

/** The lab API server while it runs in this kubelet (see startPodHealth). */
let labApi;
const LAB_API_CLUSTER_FILE = '/var/lib/lab-apiserver/cluster.json';

const COMPONENT_HEALTH = {
  'kube-apiserver': { port: 6443, bind: '0.0.0.0', etcdCheck: true },
  'kube-controller-manager': { port: 10257, bind: '0.0.0.0' },
  'kube-scheduler': { port: 10259, bind: '0.0.0.0' },
};

async function startPodHealth(pod) {
  const spec = COMPONENT_HEALTH[path.posix.basename(pod.argv[0])];
  if (!spec) return;
  const port = Number(flagValue(pod.argv, 'secure-port') ?? spec.port);
  if (!port) return;
  const bind = flagValue(pod.argv, 'bind-address') ?? spec.bind;
  const tls = tlsFrom(flagValue(pod.argv, 'tls-cert-file'), flagValue(pod.argv, 'tls-private-key-file'));
  const etcd = spec.etcdCheck ? (flagValue(pod.argv, 'etcd-servers') ?? '').split(',')[0] : undefined;
  const health = async (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/version') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor: '33', gitVersion: 'v1.33.4', platform: 'linux/amd64' }));
      return;
    }
    if (!['/healthz', '/livez', '/readyz'].includes(url)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    if (url === '/readyz' && etcd) {
      let ok = false;
      try {
        const u = new URL(etcd);
        ok = await tcpReachable(u.hostname, Number(u.port || 2379));
      } catch { ok = false; }
      if (!ok) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('[-]etcd failed: reason withheld\nreadyz check failed\n');
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };
  // On the node that holds the lab API server's state (cp-1), kube-apiserver
  // serves the lab API (apiserver/server.mjs) besides these health endpoints.
  let api;
  if (spec.etcdCheck && fs.existsSync(LAB_API_CLUSTER_FILE)) {
    try {
      const { LabApiServer } = await import('./apiserver/server.mjs');
      api = new LabApiServer({ argv: pod.argv, health, node: { name: NODE.name, ip: NODE.ip }, manifestsDir: kubelet.staticPodPath, log });
    } catch (e) {
      log('E', `pod ${pod.name}: lab API server not started (health endpoints only): ${e.stack ?? e.message}`);
    }
  }
  let server;
  try {
    server = api ? api.createServer() : https.createServer(tls, health);
  } catch (e) {
    log('E', `pod ${pod.name}: lab API server TLS: ${e.message}; health endpoints only`);
    api = undefined;
    server = https.createServer(tls, health);
  }
  try {
    await listen(server, port, bind);
    pod.servers.push(server);
    pod.healthPort = port;
    if (api) {
      labApi = api;
      server.once('close', () => { if (labApi === api) labApi = undefined; });
    }
  } catch (e) {
    log('E', `pod ${pod.name}: cannot serve health on ${bind}:${port}: ${e.message}`);
  }
}

function podStatus(pod) {
  return {
    file: pod.file,
    name: pod.name,
    component: pod.argv ? path.posix.basename(pod.argv[0]) : undefined,
    state: pod.state,
    reason: pod.reason,
    pid: pod.child && pod.child.exitCode === null && pod.child.signalCode === null ? pod.child.pid : undefined,
    argv: pod.argv,
    restarts: pod.restarts,
    since: pod.since,
    healthPort: pod.healthPort,
  };
}

function setPodState(pod, state, reason) {
  pod.state = state;
  pod.reason = reason;
  pod.since = new Date().toISOString();
  writeStatusSoon();
}

function runPod(pod) {
  let admitted;
  try {
    admitted = admitPod(pod.text, pod.file);
  } catch (e) {
    const reason = e instanceof PodError ? e.message : `internal error: ${e.message}`;
    pod.argv = undefined;
    pod.child = undefined;
    pod.attempts = (pod.attempts ?? 0) + 1;
    // Missing files may appear: retry with back-off (checked by syncPods). A
    // manifest that does not parse waits for a new version of the file.
    pod.retryAt = e instanceof PodError && !e.retryable ? undefined : Date.now() + Math.min(10_000, 1000 * 2 ** Math.min(pod.attempts - 1, 4));
    if (pod.state !== 'refused' || pod.reason !== reason) log('E', `refused static pod from ${pod.file}: ${reason}`);
    setPodState(pod, 'refused', reason);
    return;
  }
  pod.name = admitted.pod.name;
  pod.argv = admitted.pod.argv;
  pod.attempts = 0;
  pod.retryAt = undefined;
  const child = startProcess(admitted.executable, admitted.pod.argv, admitted.pod.name);
  pod.child = child;
  setPodState(pod, 'running', undefined);
  log('I', `started pod ${pod.name} from ${pod.file} (pid ${child.pid}): ${pod.argv.join(' ')}`);
  void startPodHealth(pod).then(() => writeStatusSoon());
  // The kubelet (re)started a static pod: its mirror pod follows the manifest.
  try {
    labApi?.syncMirrorPods();
  } catch (e) {
    log('E', `mirror pods: ${e.message}`);
  }
  void child.exited.then(async ({ code, signal }) => {
    await closeServers(pod.servers);
    pod.healthPort = undefined;
    if (pod.child !== child || pod.stopping) return;
    pod.restarts += 1;
    const delay = Math.min(10_000, 1000 * 2 ** Math.min(pod.restarts - 1, 4));
    const reason = `CrashLoopBackOff: exited with ${signal ? `signal ${signal}` : `code ${code}`}; restarting in ${delay / 1000}s`;
    setPodState(pod, 'crashloop', reason);
    log('E', `pod ${pod.name}: ${reason} (see ${COMPONENT_LOG_DIR}/${pod.name}.log)`);
    pod.backoff = setTimeout(() => {
      pod.backoff = undefined;
      if (pod.child === child && !pod.stopping && kubelet.state === 'active') runPod(pod);
    }, delay);
  });
}

async function stopPod(pod, why) {
  pod.stopping = true;
  if (pod.backoff) clearTimeout(pod.backoff);
  pod.backoff = undefined;
  await closeServers(pod.servers);
  pod.healthPort = undefined;
  if (pod.child) {
    log('I', `stopping pod ${pod.name} (${why})`);
    await stopProcess(pod.child, 10_000);
  }
  pod.child = undefined;
  pod.stopping = false;
}

let syncing = false;
async function syncPods() {
  if (syncing || kubelet.state !== 'active' || !kubelet.staticPodPath) return;
  syncing = true;
  try {
    const dir = kubelet.staticPodPath;
    const seen = new Map();
    let names = [];
    try {
      names = fs.readdirSync(dir);
    } catch { /* no directory: no pods */ }
    for (const name of names.sort()) {
      if (!isManifestFile(name)) continue;
      const file = path.join(dir, name);
      try {
        const st = fs.statSync(file);
        if (!st.isFile()) continue;
        // Read and hash only what changed since the last look (stat is cheap; 100 nodes poll).
        const sig = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
        const known = pods.get(file);
        if (known && known.sig === sig) {
          seen.set(file, { text: known.text, hash: known.hash, sig });
          continue;
        }
        const text = fs.readFileSync(file, 'utf8');
        seen.set(file, { text, hash: createHash('sha256').update(text).digest('hex'), sig });
      } catch { /* vanished meanwhile */ }
    }
    for (const [file, pod] of [...pods]) {
      if (seen.has(file)) continue;
      await stopPod(pod, 'manifest removed');
      pods.delete(file);
      log('I', `removed pod ${pod.name} (${file} is gone)`);
      writeStatusSoon();
    }
    for (const [file, { text, hash, sig }] of seen) {
      let pod = pods.get(file);
      if (pod) pod.sig = sig;
      if (pod && pod.hash === hash) {
        const due = (pod.state === 'refused' && pod.retryAt !== undefined && Date.now() >= pod.retryAt)
          // crashed while the kubelet was not running: nobody restarted it
          || (pod.state === 'crashloop' && !pod.backoff);
        if (due) runPod(pod);
        continue;
      }
      if (pod) await stopPod(pod, 'manifest changed');
      else {
        pod = { file, name: path.basename(file), restarts: 0, servers: [] };
        pods.set(file, pod);
      }
      pod.text = text;
      pod.hash = hash;
      pod.restarts = 0;
      pod.attempts = 0;
      runPod(pod);
    }
  } finally {
    syncing = false;
  }
}

// ---------------------------------------------------------------------------
// the kubelet service

export const kubelet = {
  unit: loadUnit(UNIT_NAME),
  enabled: true,
  state: 'inactive', // inactive | activating | active | deactivating | failed
  subState: 'dead',
  result: 'success',
  error: undefined,
  child: undefined,
  argv: undefined,
  activeSince: undefined,
  inactiveSince: new Date(),
  execStart: undefined, // { start, stop, pid, code, status }
  restartTimer: undefined,
  servers: [],
  staticPodPath: undefined,
  settings: undefined,
};

function readYamlFile(p) {
  const text = fs.readFileSync(p, 'utf8');
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message.split('\n')[0]);
  return doc.toJS() ?? {};
}

/** What the real kubelet checks on startup that the lab can check. Returns settings or throws with the kubelet's message. */
function checkKubeletArgs(argv) {
  const flag = (n) => flagValue(argv, n);
  let cfg = {};
  const configPath = flag('config');
  if (configPath) {
    if (!fs.existsSync(configPath)) {
      throw new Error(`failed to load kubelet config file, path: ${configPath}, error: failed to read kubelet config file "${configPath}", error: open ${configPath}: no such file or directory`);
    }
    try {
      cfg = readYamlFile(configPath);
    } catch (e) {
      throw new Error(`failed to load kubelet config file, path: ${configPath}, error: failed to decode: ${e.message}`);
    }
    if (typeof cfg !== 'object' || Array.isArray(cfg)) throw new Error(`failed to load kubelet config file, path: ${configPath}, error: not a KubeletConfiguration object`);
    if (cfg.kind !== undefined && cfg.kind !== 'KubeletConfiguration') {
      throw new Error(`failed to load kubelet config file, path: ${configPath}, error: no kind "${cfg.kind}" is registered for version "${cfg.apiVersion}"`);
    }
  }
  const kubeconfig = flag('kubeconfig');
  const bootstrap = flag('bootstrap-kubeconfig');
  if (kubeconfig && !fs.existsSync(kubeconfig) && !(bootstrap && fs.existsSync(bootstrap))) {
    throw new Error(`failed to run Kubelet: unable to load bootstrap kubeconfig: stat ${bootstrap ?? kubeconfig}: no such file or directory`);
  }
  const files = [
    ['--client-ca-file', flag('client-ca-file') ?? cfg.authentication?.x509?.clientCAFile],
    ['--tls-cert-file', flag('tls-cert-file') ?? cfg.tlsCertFile],
    ['--tls-private-key-file', flag('tls-private-key-file') ?? cfg.tlsPrivateKeyFile],
  ];
  for (const [what, p] of files) {
    if (p && !fs.existsSync(p)) throw new Error(`failed to run Kubelet: ${what}: open ${p}: no such file or directory`);
  }
  const fault = injectedFault('kubelet', argv, cfg);
  if (fault) throw new Error(`failed to run Kubelet: ${fault}`);
  const bool = (v, d) => (v === undefined ? d : v === true || v === 'true');
  return {
    healthzPort: Number(flag('healthz-port') ?? cfg.healthzPort ?? 10248),
    healthzBindAddress: flag('healthz-bind-address') ?? cfg.healthzBindAddress ?? '127.0.0.1',
    readOnlyPort: Number(flag('read-only-port') ?? cfg.readOnlyPort ?? 0),
    port: Number(flag('port') ?? cfg.port ?? 10250),
    anonymous: bool(flag('anonymous-auth') ?? cfg.authentication?.anonymous?.enabled, false),
    authorizationMode: flag('authorization-mode') ?? cfg.authorization?.mode ?? 'AlwaysAllow',
    staticPodPath: flag('pod-manifest-path') ?? cfg.staticPodPath ?? '',
    tls: tlsFrom(flag('tls-cert-file') ?? cfg.tlsCertFile ?? '/var/lib/kubelet/pki/kubelet.crt', flag('tls-private-key-file') ?? cfg.tlsPrivateKeyFile ?? '/var/lib/kubelet/pki/kubelet.key'),
  };
}

async function startKubeletServers(s) {
  const plain = (body) => (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    } else if (body && url === '/pods') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    }
  };
  const tries = [];
  if (s.healthzPort > 0) tries.push([http.createServer(plain(false)), s.healthzPort, s.healthzBindAddress]);
  if (s.readOnlyPort > 0) tries.push([http.createServer(plain(true)), s.readOnlyPort, '0.0.0.0']);
  if (s.port > 0) {
    // The kubelet API: anonymous requests get 401 unless anonymous auth is on;
    // then AlwaysAllow answers and Webhook (no API server in the lab) forbids.
    tries.push([https.createServer(s.tls, (req, res) => {
      const authenticated = typeof req.headers.authorization === 'string';
      if (!authenticated && !s.anonymous) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('Unauthorized');
      } else if (s.authorizationMode !== 'AlwaysAllow') {
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end(`Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)`);
      } else {
        plain(true)(req, res);
      }
    }), s.port, '0.0.0.0']);
  }
  for (const [server, port, host] of tries) {
    try {
      await listen(server, port, host);
      kubelet.servers.push(server);
    } catch (e) {
      log('E', `kubelet: cannot listen on ${host}:${port}: ${e.message}`);
    }
  }
}

function clearRestartTimer() {
  if (kubelet.restartTimer) clearTimeout(kubelet.restartTimer);
  kubelet.restartTimer = undefined;
}

function scheduleAutoRestart() {
  if (kubelet.unit.restart !== 'always' && kubelet.unit.restart !== 'on-failure') return;
  clearRestartTimer();
  kubelet.restartTimer = setTimeout(() => {
    kubelet.restartTimer = undefined;
    void startKubelet('auto-restart');
  }, Math.max(100, kubelet.unit.restartSec * 1000));
}

/**
 * Starts the kubelet (systemctl start). Returns { ok, message } where ok=false
 * means systemd itself could not start the process (the job failed).
 */
export async function startKubelet(why = 'start') {
  if (kubelet.state === 'active') return { ok: true };
  clearRestartTimer();
  const unit = kubelet.unit;
  if (unit.loadState !== 'loaded') {
    return { ok: false, message: unit.loadState === 'not-found' ? `Unit ${UNIT_NAME} not found.` : `Unit ${UNIT_NAME} has a bad unit file setting.` };
  }
  let argv;
  try {
    argv = expandCommand(unit.execStart.argv, serviceEnvironment(unit));
  } catch (e) {
    kubelet.state = 'failed';
    kubelet.subState = 'failed';
    kubelet.result = 'resources';
    kubelet.error = e.message;
    kubelet.inactiveSince = new Date();
    log('E', `kubelet.service: ${e.message}`);
    writeStatusSoon();
    return { ok: false, message: `Job for ${UNIT_NAME} failed because of unavailable resources or another system error.\nSee "systemctl status ${UNIT_NAME}" and "journalctl -xeu ${UNIT_NAME}" for details.` };
  }
  kubelet.argv = argv;
  const now = new Date();
  let settings;
  try {
    settings = checkKubeletArgs(argv);
  } catch (e) {
    // The process starts (Type=simple, so systemctl succeeds) and exits with status 1.
    kubelet.state = 'failed';
    kubelet.subState = 'failed';
    kubelet.result = 'exit-code';
    kubelet.error = e.message;
    kubelet.child = undefined;
    kubelet.execStart = { start: now, stop: new Date(), pid: 0, code: 'exited', status: 1 };
    kubelet.inactiveSince = new Date();
    log('E', `kubelet (${why}): ${e.message}`);
    writeStatusSoon();
    scheduleAutoRestart();
    return { ok: true };
  }
  const executable = argv[0];
  const child = startProcess(executable, argv, 'kubelet');
  kubelet.child = child;
  kubelet.settings = settings;
  kubelet.staticPodPath = settings.staticPodPath;
  kubelet.state = 'active';
  kubelet.subState = 'running';
  kubelet.result = 'success';
  kubelet.error = undefined;
  kubelet.activeSince = now;
  kubelet.execStart = { start: now, stop: undefined, pid: child.pid, code: '(null)', status: 0 };
  log('I', `kubelet started (${why}, pid ${child.pid}): ${argv.join(' ')}`);
  await startKubeletServers(settings);
  void child.exited.then(async ({ code, signal }) => {
    if (kubelet.child !== child) return;
    // Died while it should run (killed by hand, say): systemd's Restart=always.
    kubelet.child = undefined;
    await closeServers(kubelet.servers);
    kubelet.state = 'activating';
    kubelet.subState = 'auto-restart';
    kubelet.result = signal ? 'signal' : 'exit-code';
    kubelet.execStart = { ...kubelet.execStart, stop: new Date(), code: signal ? 'killed' : 'exited', status: signal ?? code };
    kubelet.inactiveSince = new Date();
    log('E', `kubelet exited unexpectedly (${signal ?? code}); restarting in ${kubelet.unit.restartSec}s`);
    writeStatusSoon();
    scheduleAutoRestart();
  });
  writeStatusSoon();
  void syncPods();
  return { ok: true };
}

/** Stops the kubelet (systemctl stop). Static pods keep running, as with a container runtime. */
export async function stopKubelet() {
  clearRestartTimer();
  const child = kubelet.child;
  kubelet.child = undefined;
  if (kubelet.state === 'active') kubelet.state = 'deactivating';
  await closeServers(kubelet.servers);
  if (child) {
    await stopProcess(child);
    kubelet.execStart = { ...kubelet.execStart, stop: new Date(), code: 'killed', status: 'TERM' };
    log('I', 'kubelet stopped');
  }
  if (kubelet.state !== 'failed' || child) {
    kubelet.state = 'inactive';
    kubelet.subState = 'dead';
    kubelet.result = 'success';
  }
  kubelet.inactiveSince = new Date();
  writeStatusSoon();
}

export function daemonReload() {
  kubelet.unit = loadUnit(UNIT_NAME);
  log('I', `daemon-reload: ${UNIT_NAME} ${kubelet.unit.loadState}${kubelet.unit.error ? ` (${kubelet.unit.error})` : ''}`);
  writeStatusSoon();
}

export function unitNeedsReload() {
  return needsReload(kubelet.unit);
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
  const status = {
    node: NODE.name,
    updatedAt: new Date().toISOString(),
    kubelet: {
      state: kubelet.state,
      subState: kubelet.subState,
      pid: kubelet.child?.pid,
      argv: kubelet.argv,
      error: kubelet.error,
      staticPodPath: kubelet.staticPodPath,
      needsDaemonReload: (() => { try { return unitNeedsReload(); } catch { return false; } })(),
    },
    pods: [...pods.values()].map(podStatus),
    ...(otherServices.size > 0 ? { services: Object.fromEntries([...otherServices].map(([name, s]) => [name, serviceStatus(s.service)])) } : {}),
  };
  const tmp = `${RUN}/.status.json.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(status, null, 2));
  fs.renameSync(tmp, `${RUN}/status.json`);
}

// ---------------------------------------------------------------------------
// systemctl sockets: kubelet.sock (root only, every verb) and kubelet-ro.sock
// (anyone, read-only verbs: is-active, status, show, cat...).


const controlApi = {
  kubelet, startKubelet, stopKubelet, daemonReload, unitNeedsReload, loadUnit, UNIT_NAME,
  serviceFor: (name) => otherServices.get(name)?.api,
  otherServices: () => [...otherServices.values()].map((s) => s.api),
};

// ---------------------------------------------------------------------------
// main

async function shutdown(signal) {
  log('I', `shutting down (${signal})`);
  clearRestartTimer();
  clearInterval(syncTimer);
  await Promise.all([...pods.values()].map((p) => stopPod(p, 'node shutdown')));
  if (kubelet.child) await stopProcess(kubelet.child);
  await Promise.all([...otherServices.values()].map((s) => s.stop()));
  process.exit(0);
}

serveControl(`${RUN}/kubelet.sock`, 0o600, true, controlApi);
serveControl(`${RUN}/kubelet-ro.sock`, 0o666, false, controlApi);
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('uncaughtException', (e) => log('E', `uncaught: ${e.stack ?? e}`));
log('I', `lab kubelet for ${NODE.name} (${NODE.ip}) starting`);
// Other services first: etcd must be up before the kube-apiserver pod asks for it (After= in a real unit).
for (const s of otherServices.values()) if (s.service.enabled) await s.start('boot');
if (kubelet.enabled) await startKubelet('boot');
writeStatus();
const syncTimer = setInterval(() => void syncPods().catch((e) => log('E', `sync: ${e.stack ?? e}`)), SYNC_INTERVAL_MS);
