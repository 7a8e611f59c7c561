// A systemd service other than kubelet.service, run by the lab kubelet as
// systemd would run it (today: etcd.service for the kubeadm-external-etcd
// distribution). The unit and its drop-ins are loaded at boot and on
// `systemctl daemon-reload` (systemd-unit.mjs); every start reads the
// EnvironmentFile=s again, expands ExecStart= and runs the process with the
// service environment as its real environment (so /proc/PID/environ shows
// ETCD_* as on a real host) under User=/Group=. Type=notify is honoured the
// way systemctl shows it: `systemctl start` returns when the service is
// ready (its client port accepts connections) and fails, exit 1, when the
// process exits first. Restart=on-failure/always/on-abnormal as systemd.
//
// A fault line in /run/lab/faults (faults.mjs) names the service's process
// name and either an argument (`etcd --auto-tls=false`) or an environment
// assignment (`etcd ETCD_CLIENT_CERT_AUTH=true`): the process then "exits
// with status 1" at start, as etcd does for a value it refuses.
//
// Plain ESM for `node` inside lab nodes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { injectedFault } from './faults.mjs';
import { tcpReachable } from './node-servers.mjs';
import { expandCommand, loadUnit, needsReload, serviceEnvironment } from './systemd-unit.mjs';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

function lookupAccount(file, name) {
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name) return { id: Number(f[2]), gid: Number(f[3]), home: f[5] };
    }
  } catch { /* no file */ }
  return undefined;
}

function flagOrEnv(argv, env, flag, variable) {
  let value;
  for (const a of argv) if (a.startsWith(`--${flag}=`)) value = a.slice(flag.length + 3);
  return value ?? env.get(variable);
}

/** Where the service shows that it is ready: etcd's first client URL (the only Type=notify service the lab runs). */
function readinessEndpoint(argv, env) {
  const urls = flagOrEnv(argv, env, 'listen-client-urls', 'ETCD_LISTEN_CLIENT_URLS') ?? 'http://localhost:2379';
  try {
    const u = new URL(urls.split(',')[0]);
    const host = u.hostname === '0.0.0.0' || u.hostname === '' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
    return { host, port: Number(u.port || 2379) };
  } catch {
    return { host: '127.0.0.1', port: 2379 };
  }
}

/** A service's record as systemctl-verbs.mjs reads it (the kubelet's shape), loaded from its unit, inactive. */
export function serviceRecord(unitName, enabled) {
  return {
    unit: loadUnit(unitName),
    enabled,
    state: 'inactive',
    subState: 'dead',
    result: 'success',
    error: undefined,
    child: undefined,
    argv: undefined,
    activeSince: undefined,
    inactiveSince: new Date(),
    execStart: undefined,
    restartTimer: undefined,
  };
}

/** systemctl stop: SIGTERM to the main process, SIGKILL after `graceMs`; a failed service stays failed. */
export async function stopService(service, unitName, log, graceMs) {
  if (service.restartTimer) clearTimeout(service.restartTimer);
  service.restartTimer = undefined;
  const child = service.child;
  service.child = undefined;
  if (child && child.exitCode === null && child.signalCode === null) {
    service.state = 'deactivating';
    child.kill('SIGTERM');
    const timer = new Promise((r) => setTimeout(() => r('timeout'), graceMs));
    if ((await Promise.race([child.exited, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await child.exited;
    }
    service.execStart = { ...service.execStart, stop: new Date(), code: 'killed', status: 'TERM' };
    log('I', `${unitName} stopped`);
  }
  if (service.state !== 'failed' || child) {
    service.state = 'inactive';
    service.subState = 'dead';
    service.result = 'success';
  }
  service.inactiveSince = new Date();
}

/** The control API systemctl-verbs.mjs drives a service through (named as the kubelet's). */
export function serviceApi(service, unitName, start, stop) {
  return {
    kubelet: service,
    UNIT_NAME: unitName,
    startKubelet: start,
    stopKubelet: stop,
    daemonReload() {
      service.unit = loadUnit(unitName);
    },
    unitNeedsReload: () => needsReload(service.unit),
  };
}

/**
 * Creates the service record and the control API systemctl-verbs.mjs uses
 * for it (same shape as the kubelet's: `kubelet` is the record).
 */
export function createService(unitName, { log, writeStatusSoon }) {
  const comm = unitName.replace(/\.service$/, '');
  // `systemctl enable` of a WantedBy=multi-user.target unit: the symlink (Debian's postinst makes it).
  const service = serviceRecord(unitName, (() => { try { fs.lstatSync(`/etc/systemd/system/multi-user.target.wants/${unitName}`); return true; } catch { return false; } })());

  const fail = (result, message, pid = 0, status = 1) => {
    service.state = 'failed';
    service.subState = 'failed';
    service.result = result;
    service.error = message;
    service.child = undefined;
    service.execStart = { start: service.execStart?.start ?? new Date(), stop: new Date(), pid, code: 'exited', status };
    service.inactiveSince = new Date();
    log('E', `${unitName}: ${message}`);
    writeStatusSoon();
  };
  const jobFailed = (why) => ({
    ok: false,
    message: `Job for ${unitName} failed because ${why}.\nSee "systemctl status ${unitName}" and "journalctl -xeu ${unitName}" for details.`,
  });

  function scheduleAutoRestart(abnormal) {
    const policy = service.unit.restart;
    if (!(policy === 'always' || policy === 'on-failure' || (policy === 'on-abnormal' && abnormal))) return;
    if (service.restartTimer) clearTimeout(service.restartTimer);
    service.restartTimer = setTimeout(() => {
      service.restartTimer = undefined;
      void start('auto-restart');
    }, Math.max(100, service.unit.restartSec * 1000));
  }

  async function start(why = 'start') {
    if (service.state === 'active') return { ok: true };
    if (service.restartTimer) clearTimeout(service.restartTimer);
    service.restartTimer = undefined;
    const unit = service.unit;
    if (unit.loadState !== 'loaded') {
      return { ok: false, message: unit.loadState === 'not-found' ? `Unit ${unitName} not found.` : `Unit ${unitName} has a bad unit file setting.` };
    }
    let env;
    let argv;
    try {
      env = serviceEnvironment(unit);
      argv = expandCommand(unit.execStart.argv, env);
    } catch (e) {
      fail('resources', e.message);
      return jobFailed('of unavailable resources or another system error');
    }
    service.argv = argv;
    service.execStart = { start: new Date(), stop: undefined, pid: 0, code: '(null)', status: 0 };
    const user = unit.user ? lookupAccount('/etc/passwd', unit.user) : { id: 0, gid: 0, home: '/root' };
    const group = unit.group ? lookupAccount('/etc/group', unit.group) : undefined;
    if (!user || (unit.group && !group)) {
      fail('exit-code', `Failed to determine user credentials: No such process`, 0, 217);
      return jobFailed('the control process exited with error code');
    }
    const fault = injectedFault(comm, [...argv, ...[...env].map(([k, v]) => `${k}=${v}`)]);
    if (fault) {
      fail('exit-code', fault);
      return jobFailed('the control process exited with error code');
    }
    const processEnv = {
      LANG: 'C.UTF-8',
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...(unit.user ? { HOME: user.home ?? '/', LOGNAME: unit.user, USER: unit.user, SHELL: '/usr/sbin/nologin' } : {}),
      INVOCATION_ID: Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32),
      ...Object.fromEntries(env),
    };
    fs.mkdirSync('/var/log/lab', { recursive: true });
    const fd = fs.openSync(path.join('/var/log/lab', `${comm}.log`), 'a', 0o640);
    const child = spawn(argv[0], argv.slice(1), { argv0: argv[0], stdio: ['ignore', fd, fd], env: processEnv, uid: user.id, gid: group?.gid ?? user.gid });
    fs.closeSync(fd);
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.once('error', (e) => log('E', `${unitName}: ${e.message}`));
    service.child = child;
    service.state = 'activating';
    service.subState = 'start';
    service.execStart = { ...service.execStart, pid: child.pid };
    writeStatusSoon();
    let exited;
    void child.exited.then((r) => { exited = r; });
    const ready = readinessEndpoint(argv, env);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited) {
        fail('exit-code', `${comm} exited with ${exited.signal ? `signal ${exited.signal}` : `status ${exited.code}`} before it was ready (see /var/log/lab/${comm}.log)`, child.pid, exited.code ?? 1);
        scheduleAutoRestart(exited.signal !== null);
        return jobFailed('the control process exited with error code');
      }
      if (unit.type !== 'notify' || (await tcpReachable(ready.host, ready.port, 300))) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        fail('timeout', `start operation timed out`, child.pid, 'KILL');
        return jobFailed('a timeout was exceeded');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    service.state = 'active';
    service.subState = 'running';
    service.result = 'success';
    service.error = undefined;
    service.activeSince = new Date();
    log('I', `${unitName} started (${why}, pid ${child.pid}): ${argv.join(' ')}`);
    void child.exited.then(({ code, signal }) => {
      if (service.child !== child) return;
      service.child = undefined;
      service.execStart = { ...service.execStart, stop: new Date(), code: signal ? 'killed' : 'exited', status: signal ?? code };
      service.inactiveSince = new Date();
      service.state = 'failed';
      service.subState = 'failed';
      service.result = signal ? 'signal' : 'exit-code';
      log('E', `${unitName} exited unexpectedly (${signal ?? code})`);
      writeStatusSoon();
      scheduleAutoRestart(signal !== null);
    });
    writeStatusSoon();
    return { ok: true };
  }

  async function stop() {
    await stopService(service, unitName, log, STOP_GRACE_MS);
    writeStatusSoon();
  }

  const api = serviceApi(service, unitName, start, stop);
  return { service, api, start, stop };
}

/** What status.json shows for a service (the kubelet's fields). */
export function serviceStatus(service) {
  return {
    state: service.state,
    subState: service.subState,
    pid: service.child?.pid,
    argv: service.argv,
    error: service.error,
    needsDaemonReload: (() => { try { return needsReload(service.unit); } catch { return false; } })(),
  };
}
