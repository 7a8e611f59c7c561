/**
 * The lab: simulated kubeadm nodes on this machine, each in its own network,
 * mount, UTS and PID namespaces, with a real sshd, real sudo, real etcd and a
 * simulated kubelet (see README.md). This module is the programmatic API used
 * by the CLI (cli.ts) and by e2e tests:
 *
 *   const lab = await labUp({ instance: 'my-test', nodes: 3 });
 *   ... ssh to lab.nodes[0].ip with lab.identityFile / lab.knownHostsFile ...
 *   await nodeExec(lab, 'cp-1', ['ps', '-ef']);
 *   await labDown('my-test');
 *
 * Invariants: a LabState is written to <dir>/lab.json as soon as the
 * instance's bridge exists (so `down` can always clean up), and is complete
 * (initPid of every node set) once labUp resolves.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import { chmod, chown, copyFile, mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { mapWithLimit, runCommand, waitFor, type CommandResult } from './command-runner.js';
import { allocateIndex, createBridge, createNodeLinks, deleteInstanceNetwork, listInstanceNetns, netnsInode, pidsInNetns } from './host-network.js';
import { buildSleeper, ensureHostPackages, type Progress } from './host-prereqs.js';
import { labDistribution, type LabDistribution, type LabDistributionName } from './distributions/index.js';
import { ETCD_MANIFEST, createClusterPki, type ClusterPki } from './kubeadm-node.js';
import {
  BASTION_NAME,
  DEFAULT_INSTANCE,
  FIRST_NODE_OCTET,
  MAX_NODES,
  NODE_CODE_DIR,
  REPO_DIR,
  bridgeName,
  hostAddress,
  instanceDir,
  netnsName,
  stateRoot,
  subnetCidr,
  validateInstanceName,
} from './lab-layout.js';
import { addBaseFiles, readHostAccounts, type HostAccounts } from './node-base.js';
import { createWhiteoutTemplate, writeTree, type NodeTree } from './node-tree.js';
import { createCert, pairAt, readPair } from './pki.js';
import { kubeconfig } from './kubeadm-files.js';
import { SCENARIOS, type Scenario } from './scenario.js';

export type LabRole = 'control-plane' | 'etcd' | 'worker';

/** One simulated node. initPid is tini's PID on the host (PID 1 inside the node's PID namespace). */
export interface LabNode {
  name: string;
  ip: string;
  roles: LabRole[];
  initPid: number;
  netns: string;
}

/** Everything about a running lab instance; also written to <dir>/lab.json. */
export interface LabState {
  instance: string;
  /** 0 for `default`; selects subnet, bridge and namespace names. */
  index: number;
  dir: string;
  subnet: string;
  bridge: string;
  /** The host's address on the bridge (.1). */
  hostIp: string;
  bastion: { name: string; ip: string; initPid: number; netns: string };
  nodes: LabNode[];
  inventoryFile: string;
  /** The same inventory plus `cluster.kubeconfig` (the admin kubeconfig): cis-fix then also checks the cluster through the lab API server. */
  apiInventoryFile: string;
  knownHostsFile: string;
  identityFile: string;
  /** ops-pw's password (sudo asks for it), in a 0600 file. */
  opsPwPasswordFile: string;
  /** kubeconfig of kubeadm's admin identity (CN kubernetes-admin, O kubeadm:cluster-admins) for the lab API server on cp-1:6443. */
  kubeconfigFile: string;
  /** kubeconfig of the user `lab-restricted` (no groups, no bindings unless a test creates them). */
  restrictedKubeconfigFile: string;
  scenario: Scenario;
  /** The kind of cluster the nodes simulate (distributions/); kubeadm unless chosen at up. */
  distribution: LabDistributionName;
  /** Nodes that stand for the provider's control plane (managed distributions): left out of the inventories. */
  providerNodes?: string[];
  createdAt: string;
  /** 'starting' while labUp runs, 'up' once it succeeded. */
  status: 'starting' | 'up';
}

export interface LabUpOptions {
  instance?: string;
  nodes?: number;
  controlPlanes?: number;
  scenario?: Scenario;
  /** The kind of cluster to simulate (test/lab/distributions/); default kubeadm. */
  distribution?: LabDistributionName;
  /** Tear an instance that is up down first instead of failing. */
  recreate?: boolean;
  /** Progress messages (the CLI prints them on stderr); silent by default unless CIS_FIX_LAB_VERBOSE=1. */
  progress?: Progress;
}

export interface LabPodStatus {
  file: string;
  name: string;
  component?: string;
  state: 'running' | 'refused' | 'crashloop';
  reason?: string;
  pid?: number;
  argv?: string[];
  restarts: number;
  since?: string;
  healthPort?: number;
}

export interface LabNodeStatus {
  name: string;
  ip: string;
  roles: LabRole[];
  alive: boolean;
  kubelet?: { state: string; subState: string; pid?: number; argv?: string[]; error?: string; needsDaemonReload?: boolean };
  pods: LabPodStatus[];
  error?: string;
}

export interface LabStatus {
  instance: string;
  dir: string;
  up: boolean;
  state?: LabState;
  bastion?: { ip: string; alive: boolean };
  nodes: LabNodeStatus[];
}

const STATE_FILE = 'lab.json';

function defaultProgress(): Progress {
  return process.env.CIS_FIX_LAB_VERBOSE === '1' ? (m) => process.stderr.write(`lab: ${m}\n`) : () => undefined;
}

export async function readLabState(instance = DEFAULT_INSTANCE): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(instanceDir(instance), STATE_FILE), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

async function writeState(state: LabState): Promise<void> {
  const file = path.join(state.dir, STATE_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** True when the process `pid` exists and lives in the named network namespace. */
async function aliveInNetns(pid: number, netns: string): Promise<boolean> {
  if (!pid) return false;
  const ino = await netnsInode(netns);
  if (ino === undefined) return false;
  return (await pidsInNetns(new Set([ino]))).includes(pid);
}

// ---------------------------------------------------------------------------
// up

interface NodePlan {
  name: string;
  ip: string;
  octet: number;
  kind: 'node' | 'bastion';
  role: 'control-plane' | 'worker';
  roles: LabRole[];
  netns: string;
  dir: string;
  cpIndex: number; // 1-based among control planes, 0 for workers/bastion
}

function planNodes(index: number, dir: string, nodes: number, controlPlanes: number): { bastion: NodePlan; nodes: NodePlan[] } {
  const mk = (name: string, octet: number, kind: NodePlan['kind'], role: NodePlan['role'], cpIndex: number): NodePlan => ({
    name,
    octet,
    kind,
    role,
    cpIndex,
    ip: hostAddress(index, octet),
    roles: kind === 'bastion' ? [] : role === 'control-plane' ? ['control-plane', 'etcd'] : ['worker'],
    netns: netnsName(index, name),
    dir: path.join(dir, 'nodes', name),
  });
  const list: NodePlan[] = [];
  for (let i = 0; i < nodes; i++) {
    const octet = FIRST_NODE_OCTET + i;
    if (i < controlPlanes) list.push(mk(`cp-${i + 1}`, octet, 'node', 'control-plane', i + 1));
    else list.push(mk(`worker-${i - controlPlanes + 1}`, octet, 'node', 'worker', 0));
  }
  return { bastion: mk(BASTION_NAME, 2, 'bastion', 'worker', 0), nodes: list };
}

interface UpContext {
  dir: string;
  index: number;
  scenario: Scenario;
  distribution: LabDistribution;
  sleeper: string;
  pki: ClusterPki;
  healthPair: { crt: string; key: string };
  clientPublicKey: string;
  opsPwHash: string;
  accounts: HostAccounts;
  whiteout: string;
  cp1: NodePlan;
  controlPlanes: NodePlan[];
  now: Date;
}

interface PreparedNode {
  plan: NodePlan;
  hostKeys: Array<{ type: string; key: string }>;
  /** etcd.yaml of a joining control plane, placed after `member add` (like kubeadm join). */
  deferredEtcd?: { content: string; mode: number; uid: number; gid: number };
  /** The node's static pod manifests (file name -> content) as written at up: the API server's mirror pods. */
  manifests: Record<string, string>;
}

async function makeHostKeys(dir: string): Promise<Array<{ file: string; private: string; public: string }>> {
  await mkdir(dir, { recursive: true });
  const keys = await Promise.all(
    ['ed25519', 'ecdsa'].map(async (type) => {
      const file = `ssh_host_${type}_key`;
      const p = path.join(dir, file);
      await runCommand(['ssh-keygen', '-q', '-t', type, '-N', '', '-C', '', '-f', p]);
      return { file, private: await readFile(p, 'utf8'), public: await readFile(`${p}.pub`, 'utf8') };
    }),
  );
  await rm(dir, { recursive: true, force: true });
  return keys;
}

async function prepareNode(ctx: UpContext, plan: NodePlan): Promise<PreparedNode> {
  await mkdir(plan.dir, { recursive: true, mode: 0o700 });
  for (const d of ['upper', 'work', 'root', 'runtime']) await mkdir(path.join(plan.dir, d), { recursive: true });
  const hostKeys = await makeHostKeys(path.join(plan.dir, 'hostkeys'));
  const tree: NodeTree = new Map();
  await addBaseFiles(
    tree,
    { name: plan.name, ip: plan.ip, kind: plan.kind, clientPublicKey: ctx.clientPublicKey, hostKeys, opsPwHash: ctx.opsPwHash },
    ctx.accounts,
  );
  let deferredEtcd: PreparedNode['deferredEtcd'];
  if (plan.kind === 'node') {
    const members = plan.cpIndex > 0 ? ctx.controlPlanes.slice(0, plan.cpIndex).map((p) => ({ name: p.name, ip: p.ip })) : [];
    await ctx.distribution.addNodeFiles(
      tree,
      {
        scenario: ctx.scenario,
        name: plan.name,
        ip: plan.ip,
        role: plan.role,
        initNode: plan.cpIndex === 1,
        apiEndpoint: ctx.cp1.ip,
        etcdMembers: members,
        sleeper: ctx.sleeper,
        scratch: path.join(plan.dir, 'scratch'),
        now: ctx.now,
      },
      ctx.pki,
    );
    if (plan.cpIndex > 1 && ctx.distribution.joinsStackedEtcd) {
      const e = tree.get(ETCD_MANIFEST);
      if (e?.kind !== 'file') throw new Error(`${plan.name}: no etcd manifest`);
      deferredEtcd = { content: String(e.content), mode: e.mode, uid: e.uid, gid: e.gid };
      tree.delete(ETCD_MANIFEST);
    }
  }
  const manifests: Record<string, string> = {};
  for (const [p, e] of tree) {
    if (e.kind === 'file' && path.posix.dirname(p) === ctx.distribution.manifestsDir) manifests[path.posix.basename(p)] = String(e.content);
  }
  if (deferredEtcd) manifests[path.posix.basename(ETCD_MANIFEST)] = deferredEtcd.content;
  // Hide the lab's state (keys of every node) from the node.
  tree.set(stateRoot(), { kind: 'whiteout' });
  await writeTree(path.join(plan.dir, 'upper'), tree, ctx.whiteout);

  const runtime = path.join(plan.dir, 'runtime');
  await writeFile(path.join(runtime, 'node.json'), JSON.stringify({ name: plan.name, ip: plan.ip, roles: plan.roles, kind: plan.kind }) + '\n');
  await writeFile(path.join(runtime, 'health.crt'), ctx.healthPair.crt, { mode: 0o644 });
  await writeFile(path.join(runtime, 'health.key'), ctx.healthPair.key, { mode: 0o600 });
  await writeFile(
    path.join(plan.dir, 'node.env'),
    [
      `LAB_NODE_NAME='${plan.name}'`,
      `LAB_NODE_IP='${plan.ip}'`,
      'LAB_PREFIX_LEN=24',
      `LAB_KIND='${plan.kind}'`,
      `LAB_SUPERVISOR='${ctx.distribution.supervisor}'`,
      `LAB_CODE_DIR='${NODE_CODE_DIR}'`,
      `LAB_REPO_DIR='${REPO_DIR}'`,
      '',
    ].join('\n'),
  );
  return {
    plan,
    hostKeys: hostKeys.map((k) => {
      const [type, key] = k.public.trim().split(/\s+/);
      return { type: type ?? '', key: key ?? '' };
    }),
    deferredEtcd,
    manifests,
  };
}

/** Starts a node's namespaces; returns tini's host PID. */
async function startNode(plan: NodePlan): Promise<number> {
  const log = openSync(path.join(plan.dir, 'init.log'), 'a', 0o600);
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      plan.netns,
      'unshare',
      '--mount',
      '--uts',
      '--pid',
      '--fork',
      '--mount-proc',
      '--propagation',
      'private',
      'tini',
      '-s',
      '--',
      '/bin/sh',
      path.join(NODE_CODE_DIR, 'node-init.sh'),
      plan.dir,
    ],
    { detached: true, cwd: '/', stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const parent = child.pid;
  if (!parent) throw new Error(`${plan.name}: could not spawn ip netns exec`);
  return waitFor(
    `${plan.name} to start`,
    30_000,
    async () => {
      const text = await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(() => '');
      const pid = Number(text.trim().split(/\s+/)[0]);
      if (pid > 0) return pid;
      if (child.exitCode !== null) throw new Error(`${plan.name}: unshare exited with ${child.exitCode}; see ${plan.dir}/init.log`);
      return undefined;
    },
    20,
  );
}

function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function readNodeStatus(initPid: number): Promise<{ kubelet?: LabNodeStatus['kubelet']; pods: LabPodStatus[] } | undefined> {
  try {
    return JSON.parse(await readFile(`/proc/${initPid}/root/run/lab/status.json`, 'utf8'));
  } catch {
    return undefined;
  }
}

interface EtcdClient {
  ca: string;
  cert: string;
  key: string;
}

function etcdRequest(tls: EtcdClient, ip: string, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: ip,
        port: 2379,
        method,
        path: urlPath,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        timeout: 3000,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: text });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

async function etcdHealthy(tls: EtcdClient, ip: string): Promise<boolean> {
  try {
    const r = await etcdRequest(tls, ip, 'GET', '/health');
    return r.status === 200 && (r.json as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

async function placeFile(initPid: number, file: string, f: { content: string; mode: number; uid: number; gid: number }): Promise<void> {
  // Through the node's root, via a dot-file beside the target and a rename (as cis-fix does).
  const target = `/proc/${initPid}/root${file}`;
  const tmp = path.join(path.dirname(target), `.${path.basename(file)}.lab-tmp`);
  await writeFile(tmp, f.content, { mode: f.mode });
  await chown(tmp, f.uid, f.gid);
  await chmod(tmp, f.mode);
  await rename(tmp, target);
}

/** Where the lab API server keeps its state on cp-1 (see node/apiserver/). */
const API_STATE_DIR = '/var/lib/lab-apiserver';

/**
 * The lab API server's input on cp-1 (cluster.json: the nodes, their static
 * pod manifests, the scenario; it seeds its store from it at first start) and
 * the kubeconfigs for tests: kubeadm's admin identity and `lab-restricted`.
 */
async function prepareApiServer(ctx: UpContext, state: LabState, prepared: PreparedNode[]): Promise<void> {
  const cluster = {
    scenario: ctx.scenario,
    distribution: ctx.distribution.name,
    version: ctx.distribution.version,
    kernelVersion: os.release(),
    caCrt: ctx.pki.pem.ca.crt,
    nodes: prepared.filter((p) => p.plan.kind === 'node').map((p) => ({ name: p.plan.name, ip: p.plan.ip, roles: p.plan.roles, manifests: p.manifests })),
  };
  const apiDir = path.join(ctx.cp1.dir, 'upper', API_STATE_DIR);
  await mkdir(apiDir, { recursive: true, mode: 0o700 });
  await chmod(apiDir, 0o700);
  await writeFile(path.join(apiDir, 'cluster.json'), JSON.stringify(cluster, null, 2) + '\n', { mode: 0o600 });
  await copyFile(path.join(ctx.cp1.dir, 'upper', ctx.distribution.adminKubeconfig ?? '/etc/kubernetes/admin.conf'), state.kubeconfigFile);
  await chmod(state.kubeconfigFile, 0o600);
  const restricted = pairAt(path.join(ctx.dir, 'pki'), 'lab-restricted');
  await createCert(restricted, ctx.pki.ca, { cn: 'lab-restricted', usage: 'client' });
  await writeFile(
    state.restrictedKubeconfigFile,
    kubeconfig(`https://${ctx.cp1.ip}:6443`, ctx.pki.pem.ca.crt, { name: 'lab-restricted', embedded: await readPair(restricted) }),
    { mode: 0o600 },
  );
}

export async function labUp(options: LabUpOptions = {}): Promise<LabState> {
  const started = Date.now();
  const instance = validateInstanceName(options.instance ?? DEFAULT_INSTANCE);
  const nodeCount = options.nodes ?? 3;
  const cpCount = options.controlPlanes ?? 1;
  const scenario = options.scenario ?? 'stock';
  const distribution = labDistribution(options.distribution ?? 'kubeadm');
  const report = options.progress ?? defaultProgress();
  const progress: Progress = (m) => report(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODES) throw new Error(`--nodes must be 1..${MAX_NODES}`);
  if (!Number.isInteger(cpCount) || cpCount < 1 || cpCount > nodeCount) throw new Error('--control-planes must be 1..nodes');
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario} (use ${SCENARIOS.join(' or ')})`);

  const dir = instanceDir(instance);
  const existing = await readLabState(instance);
  if (existing) {
    const up = await Promise.all(existing.nodes.map((n) => aliveInNetns(n.initPid, n.netns)));
    if (up.some(Boolean) && !options.recreate) {
      throw new Error(
        `lab instance "${instance}" is already up (${existing.nodes.length} nodes, ${existing.subnet}); run \`npm run lab -- down${instance === DEFAULT_INSTANCE ? '' : ` --instance ${instance}`}\` first, or up with --recreate`,
      );
    }
    progress(up.some(Boolean) ? `recreating instance ${instance}` : `cleaning up leftovers of instance ${instance}`);
    await labDown(instance, { progress });
  } else if (existsSync(dir)) {
    await rm(dir, { recursive: true, force: true });
  }

  await ensureHostPackages(progress);
  const sleeper = await buildSleeper(progress);
  // The instance dir is created exclusively: a concurrent `up` of the same
  // instance fails here. (Retry once: a `down` of the last other instance may
  // remove an empty state root between the two mkdirs.)
  for (let attempt = 0; ; attempt++) {
    await mkdir(stateRoot(), { recursive: true, mode: 0o700 });
    try {
      await mkdir(dir, { mode: 0o700 });
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new Error(`lab instance "${instance}" is being brought up by another process (${dir} exists)`);
      if (code !== 'ENOENT' || attempt > 0) throw e;
    }
  }

  let index: number;
  if (instance === DEFAULT_INSTANCE) {
    index = 0;
    if (!(await createBridge(0))) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`bridge ${bridgeName(0)} exists but the default lab has no state: run \`npm run lab -- down\` to clean up`);
    }
  } else {
    index = await allocateIndex();
  }
  const plan = planNodes(index, dir, nodeCount, cpCount);
  const state: LabState = {
    instance,
    index,
    dir,
    subnet: subnetCidr(index),
    bridge: bridgeName(index),
    hostIp: hostAddress(index, 1),
    bastion: { name: BASTION_NAME, ip: plan.bastion.ip, initPid: 0, netns: plan.bastion.netns },
    nodes: plan.nodes.map((p) => ({ name: p.name, ip: p.ip, roles: p.roles, initPid: 0, netns: p.netns })),
    inventoryFile: path.join(dir, 'inventory.yaml'),
    apiInventoryFile: path.join(dir, 'inventory-api.yaml'),
    knownHostsFile: path.join(dir, 'known_hosts'),
    identityFile: path.join(dir, 'id_ed25519'),
    opsPwPasswordFile: path.join(dir, 'ops-pw.password'),
    kubeconfigFile: path.join(dir, 'admin.kubeconfig'),
    restrictedKubeconfigFile: path.join(dir, 'restricted.kubeconfig'),
    scenario,
    distribution: distribution.name,
    ...(distribution.providerControlPlane ? { providerNodes: plan.nodes.filter((p) => p.role === 'control-plane').map((p) => p.name) } : {}),
    createdAt: new Date().toISOString(),
    status: 'starting',
  };
  await writeState(state);

  try {
    progress(
      `instance ${instance}: ${state.subnet} on ${state.bridge}, ${nodeCount} nodes (${cpCount} control plane), scenario ${scenario}, distribution ${distribution.name}`,
    );
    await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `cis-fix-lab-${instance}`, '-f', state.identityFile]);
    const opsPw = randomBytes(12).toString('base64url');
    await writeFile(state.opsPwPasswordFile, `${opsPw}\n`, { mode: 0o600 });
    const opsPwHash = (await runCommand(['openssl', 'passwd', '-6', '-stdin'], { input: `${opsPw}\n` })).stdout.trim();
    progress('generating the cluster PKI');
    const pki = await createClusterPki(path.join(dir, 'pki'));
    const healthPairFiles = pairAt(path.join(dir, 'pki'), 'lab-health');
    await createCert(healthPairFiles, undefined, { cn: 'lab-health', sans: ['DNS:localhost', 'IP:127.0.0.1'], usage: 'server' });
    const whiteout = path.join(dir, '.whiteout');
    await createWhiteoutTemplate(whiteout);
    const cp1 = plan.nodes[0] as NodePlan;
    const ctx: UpContext = {
      dir,
      index,
      scenario,
      distribution,
      sleeper,
      pki,
      healthPair: await readPair(healthPairFiles),
      clientPublicKey: await readFile(`${state.identityFile}.pub`, 'utf8'),
      opsPwHash,
      accounts: await readHostAccounts(),
      whiteout,
      cp1,
      controlPlanes: plan.nodes.filter((p) => p.cpIndex > 0),
      now: new Date(),
    };

    progress(`preparing ${nodeCount} nodes and the bastion`);
    const all = [plan.bastion, ...plan.nodes];
    const prepared = await mapWithLimit(all, 8, (p) => prepareNode(ctx, p));

    await prepareApiServer(ctx, state, prepared);

    progress('creating namespaces and links');
    await createNodeLinks(
      index,
      all.map((p) => ({ netns: p.netns, octet: p.octet })),
    );

    progress('starting nodes');
    const pids = await mapWithLimit(all, 32, (p) => startNode(p));
    state.bastion.initPid = pids[0] as number;
    state.nodes.forEach((n, i) => {
      n.initPid = pids[i + 1] as number;
    });
    await writeState(state);

    const timeout = 30_000 + nodeCount * 1_000;
    progress('waiting for sshd and the kubelets');
    await Promise.all(all.map((p) => waitFor(`sshd on ${p.name} (${p.ip}:22)`, timeout, async () => ((await tcpOpen(p.ip, 22)) ? true : undefined), 100)));
    await Promise.all(
      state.nodes.map((n, i) => {
        const p = plan.nodes[i] as NodePlan;
        const want = distribution.expectedPods(p);
        return waitFor(
          `the kubelet and static pods on ${n.name}`,
          timeout,
          async () => {
            const st = await readNodeStatus(n.initPid);
            if (st?.kubelet?.state !== 'active') return undefined;
            const bad = st.pods.filter((pod) => pod.state === 'refused');
            if (bad.length > 0) throw new Error(`${n.name}: ${bad.map((b) => b.reason).join('; ')}`);
            const running = new Set(st.pods.filter((pod) => pod.state === 'running').map((pod) => pod.name));
            return want.every((w) => running.has(w)) ? true : undefined;
          },
          100,
        );
      }),
    );

    // etcd: the first member, then each joining control plane as `kubeadm join --control-plane` does it.
    if (distribution.joinsStackedEtcd) {
      const cp1Dir = path.join(cp1.dir, 'upper', 'etc', 'kubernetes', 'pki', 'etcd');
      const etcdTls: EtcdClient = {
        ca: ctx.pki.pem.etcdCa.crt,
        cert: await readFile(path.join(cp1Dir, 'healthcheck-client.crt'), 'utf8'),
        key: await readFile(path.join(cp1Dir, 'healthcheck-client.key'), 'utf8'),
      };
      progress('waiting for etcd');
      await waitFor(`etcd on ${cp1.name}`, timeout, async () => ((await etcdHealthy(etcdTls, cp1.ip)) ? true : undefined), 200);
      for (const p of ctx.controlPlanes.slice(1)) {
        const prep = prepared.find((x) => x.plan === p);
        if (!prep?.deferredEtcd) continue;
        progress(`joining ${p.name} to etcd`);
        // etcd refuses to add a member until the cluster has been healthy for a
        // few seconds ("unhealthy cluster"); kubeadm retries as well.
        await waitFor(
          `etcd to accept ${p.name} as a member`,
          timeout,
          async () => {
            const add = await etcdRequest(etcdTls, cp1.ip, 'POST', '/v3/cluster/member/add', { peerURLs: [`https://${p.ip}:2380`] });
            if (add.status === 200) return true;
            if (add.status === 503) return undefined;
            throw new Error(`etcd member add ${p.name}: HTTP ${add.status} ${JSON.stringify(add.json)}`);
          },
          250,
        );
        const node = state.nodes.find((n) => n.name === p.name) as LabNode;
        await placeFile(node.initPid, ETCD_MANIFEST, prep.deferredEtcd);
        await waitFor(`etcd on ${p.name}`, timeout, async () => ((await etcdHealthy(etcdTls, p.ip)) ? true : undefined), 200);
      }
    }

    progress('waiting for the lab API server');
    await waitFor(`the lab API server on ${cp1.name} (${cp1.ip}:6443)`, timeout, async () => ((await tcpOpen(cp1.ip, 6443)) ? true : undefined), 100);

    const knownHosts = prepared.map((n) => n.hostKeys.map((k) => `${n.plan.ip} ${k.type} ${k.key}\n`).join('')).join('');
    await writeFile(state.knownHostsFile, knownHosts, { mode: 0o644 });
    await writeFile(state.inventoryFile, inventoryYaml(state), { mode: 0o644 });
    await writeFile(state.apiInventoryFile, inventoryYaml(state, { withApi: true }), { mode: 0o644 });
    state.status = 'up';
    await writeState(state);
    progress(`up in ${((Date.now() - started) / 1000).toFixed(1)}s: inventory ${state.inventoryFile}`);
    return state;
  } catch (e) {
    if (process.env.CIS_FIX_LAB_KEEP_ON_ERROR === '1') {
      progress(`up failed; leaving instance ${instance} as it is for inspection (CIS_FIX_LAB_KEEP_ON_ERROR=1)`);
    } else {
      progress('up failed; tearing down');
      await labDown(instance, { progress }).catch(() => undefined);
    }
    throw e;
  }
}

export function inventoryYaml(state: LabState, options: { withApi?: boolean } = {}): string {
  const provider = new Set(state.providerNodes ?? []);
  const nodes = state.nodes
    .filter((n) => !provider.has(n.name))
    .map((n) => `  - name: ${n.name}\n    host: ${n.ip}\n    roles: [${n.roles.join(', ')}]\n`)
    .join('');
  return `# cis-fix inventory for the lab instance "${state.instance}" (${state.subnet}, scenario ${state.scenario}, distribution ${state.distribution ?? 'kubeadm'}).
${provider.size > 0 ? `# ${[...provider].join(', ')} stand for the provider's control plane: not listed, as a customer cannot reach them.\n` : ''}# Written by \`npm run lab -- up\`; removed by \`npm run lab -- down\`.
# The bastion (sshd with TCP forwarding, not a node) is ops@${state.bastion.ip}:22:
# add "proxyJump: ops@${state.bastion.ip}:22" under ssh to go through it.
cluster:
  name: lab-${state.instance}
${options.withApi ? `  kubeconfig: ${state.kubeconfigFile}\n` : ''}benchmark: auto
ssh:
  user: ops
  port: 22
  identityFile: ${state.identityFile}
  knownHostsFile: ${state.knownHostsFile}
  become: sudo
nodes:
${nodes}`;
}

// ---------------------------------------------------------------------------
// down

/** Tears an instance down: processes, mounts (with them), namespaces, links, bridge, state dir. Idempotent. */
export async function labDown(instance: string = DEFAULT_INSTANCE, options: { progress?: Progress } = {}): Promise<void> {
  const progress = options.progress ?? defaultProgress();
  validateInstanceName(instance);
  const started = Date.now();
  const dir = instanceDir(instance);
  const state = await readLabState(instance);
  const index = state?.index ?? (instance === DEFAULT_INSTANCE ? 0 : undefined);
  if (index !== undefined) {
    const netns = await listInstanceNetns(index);
    const inodes = new Set((await Promise.all(netns.map(netnsInode))).filter((i): i is number => i !== undefined));
    if (netns.length > 0) progress(`stopping ${netns.length} namespaces of instance ${instance}`);
    // Each node's tini first: its PID namespace (every process of the node)
    // and the node's mount namespace (its mounts) go with it, and its parent
    // (unshare) reaps it and exits, so no zombie is left to the host's init.
    const inits = [state?.bastion.initPid ?? 0, ...(state?.nodes ?? []).map((n) => n.initPid)].filter((p) => p > 0);
    const ours = new Set(await pidsInNetns(inodes));
    for (const pid of inits) {
      if (!ours.has(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await waitFor(
      'the nodes to stop',
      5_000,
      async () => {
        const left = new Set(await pidsInNetns(inodes));
        return inits.some((p) => left.has(p)) ? undefined : true;
      },
      20,
    ).catch(() => undefined);
    // Then whatever is left in the namespaces (the unshare parents, strays).
    await waitFor(
      `the processes of instance ${instance} to exit`,
      20_000,
      async () => {
        const pids = await pidsInNetns(inodes);
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        return pids.length === 0 ? true : undefined;
      },
      50,
    );
    await deleteInstanceNetwork(index, netns);
  }
  if (existsSync(dir)) {
    progress(`removing ${dir}`);
    await rm(dir, { recursive: true, force: true });
  }
  try {
    if ((await readdir(stateRoot())).length === 0) await rmdir(stateRoot());
  } catch {
    /* not there, or still used by other instances */
  }
  progress(`down in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

// ---------------------------------------------------------------------------
// status and exec

export async function labStatus(instance: string = DEFAULT_INSTANCE): Promise<LabStatus> {
  validateInstanceName(instance);
  const dir = instanceDir(instance);
  const state = await readLabState(instance);
  if (!state) return { instance, dir, up: false, nodes: [] };
  const nodes = await Promise.all(
    state.nodes.map(async (n): Promise<LabNodeStatus> => {
      const alive = await aliveInNetns(n.initPid, n.netns);
      const st = alive ? await readNodeStatus(n.initPid) : undefined;
      return { name: n.name, ip: n.ip, roles: n.roles, alive, kubelet: st?.kubelet, pods: st?.pods ?? [], error: alive ? undefined : 'node is not running' };
    }),
  );
  const bastionAlive = await aliveInNetns(state.bastion.initPid, state.bastion.netns);
  return {
    instance,
    dir,
    state,
    up: state.status === 'up' && bastionAlive && nodes.every((n) => n.alive),
    bastion: { ip: state.bastion.ip, alive: bastionAlive },
    nodes,
  };
}

const NODE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Runs argv as root inside a node's namespaces (mount, UTS, network, PID;
 * root and cwd of the node), with a clean environment. `nodeName` may be
 * "bastion". Never throws for a non-zero exit: the code is returned.
 */
export async function nodeExec(state: LabState, nodeName: string, argv: string[], stdin?: string): Promise<CommandResult> {
  const pid = nodeName === BASTION_NAME ? state.bastion.initPid : state.nodes.find((n) => n.name === nodeName)?.initPid;
  if (!pid) throw new Error(`no node ${nodeName} in lab instance ${state.instance}`);
  return runCommand(
    [
      'nsenter',
      '-t',
      String(pid),
      '-m',
      '-u',
      '-n',
      '-p',
      '-r',
      '-w',
      '--',
      '/usr/bin/env',
      '-i',
      `PATH=${NODE_PATH}`,
      'HOME=/root',
      'LANG=C.UTF-8',
      'USER=root',
      'LOGNAME=root',
      ...argv,
    ],
    { input: stdin, check: false },
  );
}
