// The lab's RKE2: one process per node (under tini, exec'd by node-init) that
// plays systemd for rke2-server.service (control planes) or rke2-agent.service
// (workers), as RKE2 does at every start of that service:
//  - reads /etc/rancher/rke2/config.yaml, then config.yaml.d/*.yaml|yml in
//    byte order, with k3s' configfilearg rules (a later key replaces, `key+`
//    appends);
//  - applies the *-arg lists over RKE2's defaults with k3s' util.GetArgs
//    rules (flag=value replaces the default, flag+= appends, flag-= prepends,
//    the result sorted by flag);
//  - GENERATES the static-pod manifests of a server into
//    /var/lib/rancher/rke2/agent/pod-manifests (kube-apiserver,
//    kube-controller-manager, kube-scheduler, and etcd, which RKE2 starts with
//    --config-file and whose etcd-arg it merges into that file), rewriting a
//    file only when its content changes, mode 0600;
//  - runs the kubelet with kubelet-arg over RKE2's kubelet defaults: the lab
//    kubelet (kubelet-sim.mjs) as a child process, its unit generated into
//    /run/lab/rke2/units, so it runs the static pods, answers the health
//    endpoints and writes /run/lab/status.json as on the kubeadm lab.
// `systemctl restart rke2-server` (node/systemctl.mjs, through
// /run/lab/supervisor.sock) stops the kubelet and its pods, then starts again
// from the files. A fault line `rke2-server <match>` (or rke2-agent) in
// /run/lab/faults, matched against the service's flattened configuration
// (`--kube-apiserver-arg=profiling=false` ...), makes the service fail to
// start, as RKE2 refusing its configuration would.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { injectedFault } from './faults.mjs';
import { serveControl } from './control-socket.mjs';
import { serviceApi, serviceRecord, stopService } from './systemd-service.mjs';

const RUN = '/run/lab';
const NODE = JSON.parse(fs.readFileSync(`${RUN}/node.json`, 'utf8'));
const SERVER = (NODE.roles ?? []).includes('control-plane');
const SERVICE = SERVER ? 'rke2-server' : 'rke2-agent';
const UNIT_NAME = `${SERVICE}.service`;
const CONFIG = '/etc/rancher/rke2/config.yaml';
const DATA = '/var/lib/rancher/rke2';
const MANIFESTS = `${DATA}/agent/pod-manifests`;
const TLS = `${DATA}/server/tls`;
const UNITS = `${RUN}/rke2/units`;
const LOG_FILE = '/var/log/lab-rke2.log';
const KUBELET_SIM = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kubelet-sim.mjs');

process.title = `rke2 ${SERVER ? 'server' : 'agent'}`;

function log(level, message) {
  try {
    fs.appendFileSync(LOG_FILE, `${new Date().toISOString()} ${level} ${message}\n`);
  } catch { /* best effort */ }
}

// ---------------------------------------------------------------------------
// config.yaml as RKE2 reads it

/** The files in reading order: config.yaml when it exists, then the drop-ins. */
export function configFiles(config = CONFIG) {
  const files = fs.existsSync(config) ? [config] : [];
  let names = [];
  try {
    names = fs.readdirSync(`${config}.d`, { withFileTypes: true }).filter((d) => !d.isDirectory()).map((d) => d.name);
  } catch { /* no drop-ins */ }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return [...files, ...names.filter((n) => /\.ya?ml$/i.test(n)).map((n) => `${config}.d/${n}`)];
}

/** configfilearg's merge: key → value (a list for lists); throws with the file's name when a file does not parse. */
export function readConfig(config = CONFIG) {
  const values = new Map();
  for (const file of configFiles(config)) {
    const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
    if (doc.errors.length > 0) throw new Error(`failed to parse ${file}: ${doc.errors[0].message.split('\n')[0]}`);
    const data = doc.toJS() ?? {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new Error(`${file}: not a mapping of options`);
    for (const [written, value] of Object.entries(data)) {
      const append = written.endsWith('+');
      const key = append ? written.slice(0, -1) : written;
      const list = (v) => (Array.isArray(v) ? v : v === null || v === undefined || String(v).trim() === '' ? [] : [v]);
      values.set(key, append && values.has(key) ? [...list(values.get(key)), ...list(value)] : value);
    }
  }
  return values;
}

function argList(values, key) {
  const v = values.get(key);
  return (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(String);
}

/** k3s util.GetArgs: extra `flag=value` over the defaults, `flag+=` appends, `flag-=` prepends; sorted by flag. */
export function getArgs(defaults, extra) {
  const initial = new Map(Object.entries(defaults));
  const multi = new Map();
  for (const raw of extra) {
    const unsplit = raw.replace(/^--/, '');
    const at = unsplit.indexOf('=');
    const arg = at < 0 ? unsplit : unsplit.slice(0, at);
    const value = at < 0 ? 'true' : unsplit.slice(at + 1);
    const clean = arg.replace(/[-+]+$/, '');
    const existing = multi.get(clean);
    let next;
    if (arg.endsWith('+')) next = [...(initial.has(clean) ? [initial.get(clean)] : []), ...(existing ?? []), value];
    else if (arg.endsWith('-')) next = [value, ...(initial.has(clean) ? [initial.get(clean)] : []), ...(existing ?? [])];
    else next = [...(existing ?? []), value];
    initial.delete(clean);
    multi.set(clean, next);
  }
  for (const [k, v] of initial) multi.set(k, [v]);
  const keys = [...multi.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys.flatMap((k) => multi.get(k).map((v) => `--${k}=${v}`));
}

// ---------------------------------------------------------------------------
// RKE2's defaults (v1.33, as its podexecutor and k3s' control package set them; lab paths)

function apiserverDefaults(values) {
  return {
    'admission-control-config-file': '/etc/rancher/rke2/rke2-pss.yaml',
    'advertise-address': NODE.ip,
    'allow-privileged': 'true',
    'anonymous-auth': 'false',
    'api-audiences': 'https://kubernetes.default.svc.cluster.local,rke2',
    'audit-log-maxage': '30',
    'audit-log-maxbackup': '10',
    'audit-log-maxsize': '100',
    'audit-log-path': `${DATA}/server/logs/audit.log`,
    'audit-policy-file': '/etc/rancher/rke2/audit-policy.yaml',
    'authorization-mode': 'Node,RBAC',
    'bind-address': '0.0.0.0',
    'cert-dir': `${TLS}/temporary-certs`,
    'client-ca-file': `${TLS}/client-ca.crt`,
    'enable-admission-plugins': 'NodeRestriction',
    'enable-aggregator-routing': 'true',
    'enable-bootstrap-token-auth': 'true',
    'encryption-provider-config': `${DATA}/server/cred/encryption-config.json`,
    'encryption-provider-config-automatic-reload': 'true',
    'etcd-cafile': `${TLS}/etcd/server-ca.crt`,
    'etcd-certfile': `${TLS}/etcd/client.crt`,
    'etcd-keyfile': `${TLS}/etcd/client.key`,
    'etcd-servers': 'https://127.0.0.1:2379',
    'kubelet-certificate-authority': `${TLS}/server-ca.crt`,
    'kubelet-client-certificate': `${TLS}/client-kube-apiserver.crt`,
    'kubelet-client-key': `${TLS}/client-kube-apiserver.key`,
    'kubelet-preferred-address-types': 'InternalIP,ExternalIP,Hostname',
    profiling: 'false',
    'secure-port': '6443',
    'service-account-issuer': 'https://kubernetes.default.svc.cluster.local',
    'service-account-key-file': `${TLS}/service.key`,
    'service-account-signing-key-file': `${TLS}/service.current.key`,
    'service-cluster-ip-range': String(values.get('service-cidr') ?? '10.43.0.0/16'),
    'service-node-port-range': '30000-32767',
    'storage-backend': 'etcd3',
    'tls-cert-file': `${TLS}/serving-kube-apiserver.crt`,
    'tls-private-key-file': `${TLS}/serving-kube-apiserver.key`,
  };
}

const CONTROLLER_MANAGER_DEFAULTS = {
  'allocate-node-cidrs': 'true',
  'authentication-kubeconfig': `${DATA}/server/cred/controller.kubeconfig`,
  'authorization-kubeconfig': `${DATA}/server/cred/controller.kubeconfig`,
  'bind-address': '127.0.0.1',
  'cluster-cidr': '10.42.0.0/16',
  'cluster-signing-kube-apiserver-client-cert-file': `${TLS}/client-ca.nochain.crt`,
  'cluster-signing-kube-apiserver-client-key-file': `${TLS}/client-ca.key`,
  'configure-cloud-routes': 'false',
  controllers: '*,tokencleaner,-service,-route,-cloud-node-lifecycle',
  kubeconfig: `${DATA}/server/cred/controller.kubeconfig`,
  profiling: 'false',
  'root-ca-file': `${TLS}/server-ca.crt`,
  'secure-port': '10257',
  'service-account-private-key-file': `${TLS}/service.current.key`,
  'terminated-pod-gc-threshold': '1000',
  'use-service-account-credentials': 'true',
};

const SCHEDULER_DEFAULTS = {
  'authentication-kubeconfig': `${DATA}/server/cred/scheduler.kubeconfig`,
  'authorization-kubeconfig': `${DATA}/server/cred/scheduler.kubeconfig`,
  'bind-address': '127.0.0.1',
  kubeconfig: `${DATA}/server/cred/scheduler.kubeconfig`,
  profiling: 'false',
  'secure-port': '10259',
};

function kubeletDefaults(values) {
  return {
    address: '0.0.0.0',
    'anonymous-auth': 'false',
    'authentication-token-webhook': 'true',
    'authorization-mode': 'Webhook',
    'cgroup-driver': 'systemd',
    'client-ca-file': `${DATA}/agent/client-ca.crt`,
    'cluster-dns': '10.43.0.10',
    'cluster-domain': 'cluster.local',
    'container-runtime-endpoint': 'unix:///run/k3s/containerd/containerd.sock',
    'fail-swap-on': 'false',
    'healthz-bind-address': '127.0.0.1',
    'hostname-override': String(values.get('node-name') ?? NODE.name),
    kubeconfig: `${DATA}/agent/kubelet.kubeconfig`,
    'node-ip': String(values.get('node-ip') ?? NODE.ip),
    'pod-manifest-path': MANIFESTS,
    'read-only-port': '0',
    'resolv-conf': '/etc/resolv.conf',
    'serialize-image-pulls': 'false',
    'tls-cert-file': `${DATA}/agent/serving-kubelet.crt`,
    'tls-private-key-file': `${DATA}/agent/serving-kubelet.key`,
  };
}

/** Directories a component's pod mounts (hostPath, same path inside), so that every file its flags name is visible. */
const MOUNTS = {
  'kube-apiserver': ['/etc/rancher/rke2', `${DATA}/server/tls`, `${DATA}/server/cred`, `${DATA}/server/logs`, '/etc/ssl/certs'],
  'kube-controller-manager': [`${DATA}/server/tls`, `${DATA}/server/cred`, '/etc/ssl/certs'],
  'kube-scheduler': [`${DATA}/server/cred`, `${DATA}/server/tls`],
  etcd: [`${DATA}/server/db/etcd`, `${TLS}/etcd`],
};

function podManifest(name, command, args) {
  const volumes = MOUNTS[name].map((dir, i) => ({ name: `dir${i}`, hostPath: { path: dir, type: 'DirectoryOrCreate' } }));
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels: { component: name, tier: 'control-plane' } },
    spec: {
      containers: [
        {
          name,
          image: `index.docker.io/rancher/hardened-kubernetes:v1.33.4-rke2r1-build20250813`,
          command: [command],
          args,
          volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.hostPath.path })),
        },
      ],
      hostNetwork: true,
      priorityClassName: 'system-cluster-critical',
      volumes,
    },
  };
  return YAML.stringify(pod, { lineWidth: 0 });
}

/**
 * etcd's config file as k3s' ETCDConfig.ToConfigFile writes it: RKE2's own
 * settings, then each etcd-arg element holding a `=` sets the TOP-LEVEL key
 * before its first `=` (leading dashes trimmed, nothing else: no `+`/`-`
 * handling; an element without `=` is ignored), typed as an integer, a
 * duration (time-ish keys), a string list, a bool, or the string; written by
 * go-yaml v2 with its sorted keys.
 */
function etcdConfig(values) {
  const config = {
    'advertise-client-urls': `https://${NODE.ip}:2379`,
    'client-transport-security': {
      'cert-file': `${TLS}/etcd/server-client.crt`,
      'client-cert-auth': true,
      'key-file': `${TLS}/etcd/server-client.key`,
      'trusted-ca-file': `${TLS}/etcd/server-ca.crt`,
    },
    'data-dir': `${DATA}/server/db/etcd`,
    'election-timeout': 5000,
    'heartbeat-interval': 500,
    'initial-advertise-peer-urls': `https://${NODE.ip}:2380`,
    'initial-cluster': `${NODE.name}=https://${NODE.ip}:2380`,
    'initial-cluster-state': 'new',
    'listen-client-urls': `https://127.0.0.1:2379,https://${NODE.ip}:2379`,
    'listen-metrics-urls': 'http://127.0.0.1:2381',
    'listen-peer-urls': `https://127.0.0.1:2380,https://${NODE.ip}:2380`,
    name: NODE.name,
    'peer-transport-security': {
      'cert-file': `${TLS}/etcd/peer-server-client.crt`,
      'client-cert-auth': true,
      'key-file': `${TLS}/etcd/peer-server-client.key`,
      'trusted-ca-file': `${TLS}/etcd/peer-ca.crt`,
    },
    'snapshot-count': 10000,
  };
  for (const raw of argList(values, 'etcd-arg')) {
    const at = raw.indexOf('=');
    if (at < 0) continue;
    const key = raw.slice(0, at).replace(/^-+/, '');
    const value = raw.slice(at + 1);
    let list;
    try { list = YAML.parse(value); } catch { list = undefined; }
    if (/^[+-]?\d+$/.test(value)) config[key] = Number.parseInt(value, 10);
    else if (/time|duration|interval|retention/.test(key.toLowerCase()) && /^[+-]?([\d.]+(ns|us|µs|ms|s|m|h))+$/.test(value)) config[key] = value;
    else if (list === null || list === undefined) config[key] = [];
    else if (Array.isArray(list) && list.every((e) => typeof e === 'string')) config[key] = list;
    else if (value.toLowerCase() === 'true') config[key] = true;
    else if (value.toLowerCase() === 'false') config[key] = false;
    else config[key] = value;
  }
  return YAML.stringify(config, { lineWidth: 0, indentSeq: false, sortMapEntries: (a, b) => goYamlOrder(String(a.key), String(b.key)) });
}

/** go-yaml v2's key order (sorter.go): letters by code point, a non-letter before a letter, digit runs as numbers. */
function goYamlOrder(a, b) {
  const letter = (c) => /\p{L}/u.test(c);
  const digit = (c) => /[0-9]/.test(c);
  for (let i = 0; i < a.length && i < b.length; i += 1) {
    if (a[i] === b[i]) continue;
    if (letter(a[i]) && letter(b[i])) return a[i] < b[i] ? -1 : 1;
    if (letter(a[i]) || letter(b[i])) return letter(b[i]) ? -1 : 1;
    const run = (s) => { let j = i; while (j < s.length && digit(s[j])) j += 1; return [Number(s.slice(i, j) || 0), j]; };
    const [an, ai] = run(a);
    const [bn, bi] = run(b);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Write `text` to `file` (mode 0600) through a dot-file in the same directory, only when it differs: as RKE2 regenerates. */
function writeGenerated(file, text) {
  let old;
  try { old = fs.readFileSync(file, 'utf8'); } catch { old = undefined; }
  if (old === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.rke2-tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return true;
}

/** Everything RKE2 generates from the configuration at a start; returns the kubelet's command line. */
function generate(values) {
  if (SERVER) {
    const etcdFile = `${DATA}/server/db/etcd/config`;
    if (writeGenerated(etcdFile, etcdConfig(values))) log('I', `wrote ${etcdFile}`);
    const pods = {
      etcd: ['etcd', [`--config-file=${etcdFile}`]],
      'kube-apiserver': ['kube-apiserver', getArgs(apiserverDefaults(values), argList(values, 'kube-apiserver-arg'))],
      'kube-controller-manager': ['kube-controller-manager', getArgs(CONTROLLER_MANAGER_DEFAULTS, argList(values, 'kube-controller-manager-arg'))],
      'kube-scheduler': ['kube-scheduler', getArgs(SCHEDULER_DEFAULTS, argList(values, 'kube-scheduler-arg'))],
    };
    for (const [name, [command, args]] of Object.entries(pods)) {
      if (writeGenerated(`${MANIFESTS}/${name}.yaml`, podManifest(name, command, args))) log('I', `wrote ${MANIFESTS}/${name}.yaml`);
    }
  }
  return ['/usr/bin/kubelet', ...getArgs(kubeletDefaults(values), argList(values, 'kubelet-arg'))];
}

// ---------------------------------------------------------------------------
// the service

const service = serviceRecord(UNIT_NAME, true);

function fail(message, now) {
  service.state = 'failed';
  service.subState = 'failed';
  service.result = 'exit-code';
  service.error = message;
  service.child = undefined;
  service.execStart = { start: now, stop: new Date(), pid: 0, code: 'exited', status: 1 };
  service.inactiveSince = new Date();
  log('E', `${UNIT_NAME}: ${message}`);
}

async function startService(why = 'start') {
  if (service.state === 'active') return { ok: true };
  if (service.unit.loadState !== 'loaded') return { ok: false, message: `Unit ${UNIT_NAME} not found.` };
  const now = new Date();
  let values;
  try {
    values = readConfig();
  } catch (e) {
    fail(e.message, now);
    return { ok: true };
  }
  service.argv = ['/usr/local/bin/rke2', SERVER ? 'server' : 'agent'];
  const flattened = [...values].flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `--${k}=${x}`));
  const fault = injectedFault(SERVICE, flattened);
  if (fault) {
    fail(`level=fatal msg="${fault}"`, now);
    return { ok: true };
  }
  let kubeletArgv;
  try {
    kubeletArgv = generate(values);
  } catch (e) {
    fail(e.message, now);
    return { ok: true };
  }
  fs.mkdirSync(UNITS, { recursive: true });
  fs.writeFileSync(
    `${UNITS}/kubelet.service`,
    `[Unit]\nDescription=kubelet, run by ${UNIT_NAME}\n\n[Service]\nExecStart=${kubeletArgv.join(' ')}\nRestart=always\nRestartSec=1\n`,
  );
  const out = fs.openSync('/var/log/lab/rke2-kubelet-sim.log', 'a', 0o640);
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--max-old-space-size=48', KUBELET_SIM], {
    stdio: ['ignore', out, out],
    env: { ...process.env, LAB_UNIT_DIRS: UNITS },
  });
  fs.closeSync(out);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  service.child = child;
  service.state = 'active';
  service.subState = 'running';
  service.result = 'success';
  service.error = undefined;
  service.activeSince = now;
  service.execStart = { start: now, stop: undefined, pid: child.pid, code: '(null)', status: 0 };
  log('I', `${UNIT_NAME} started (${why}); kubelet: ${kubeletArgv.join(' ')}`);
  void child.exited.then(({ code, signal }) => {
    if (service.child !== child) return;
    service.child = undefined;
    fail(`kubelet supervisor exited (${signal ?? code})`, now);
  });
  return { ok: true };
}

function stop() {
  return stopService(service, UNIT_NAME, log, 30_000);
}

const controlApi = serviceApi(service, UNIT_NAME, startService, stop);

async function shutdown(signal) {
  log('I', `shutting down (${signal})`);
  await stop();
  process.exit(0);
}

fs.mkdirSync('/var/log/lab', { recursive: true });
serveControl(`${RUN}/supervisor.sock`, 0o600, true, controlApi);
serveControl(`${RUN}/supervisor-ro.sock`, 0o666, false, controlApi);
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('uncaughtException', (e) => log('E', `uncaught: ${e.stack ?? e}`));
log('I', `lab ${SERVICE} for ${NODE.name} (${NODE.ip}) starting`);
await startService('boot');
