// What the lab's kubelet checks before it runs a static pod: the manifest
// must be a Pod, every hostPath volume must pass its type check, and every
// file a flag names must exist and be visible to the container through a
// hostPath volumeMount (the lab runs processes without containers, so it
// checks what a container would have seen).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { injectedFault } from './faults.mjs';

/** Flags whose value is a file or directory the component creates or writes: only the directory has to be mounted. */
export const OUTPUT_FLAGS = new Set(['audit-log-path', 'log-file', 'log-dir', 'data-dir', 'wal-dir', 'cert-dir', 'write-config-to']);

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** The kubelet ignores dot-files; the lab also ignores files that are not .yaml/.yml/.json. */
export function isManifestFile(name) {
  return !name.startsWith('.') && MANIFEST_EXTENSIONS.some((e) => name.endsWith(e));
}

/**
 * Why a pod cannot start. `retryable` is false when only a new manifest can
 * help (unparseable, not a Pod); otherwise the kubelet retries with back-off,
 * as a real one would keep restarting a container until its file appears.
 */
export class PodError extends Error {
  constructor(message, retryable = true) {
    super(message);
    this.retryable = retryable;
  }
}

/** Parses a manifest; throws PodError with a kubelet-like reason. Returns { name, namespace, argv, mounts, volumes }. */
export function parsePod(text, file) {
  let obj;
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new PodError(`invalid pod manifest ${file}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`, false);
  }
  obj = doc.toJS();
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new PodError(`invalid pod manifest ${file}: not an object`, false);
  if (obj.kind !== 'Pod') throw new PodError(`invalid pod manifest ${file}: kind is ${JSON.stringify(obj.kind)}, want "Pod"`, false);
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new PodError(`invalid pod manifest ${file}: metadata.name is required`, false);
  const containers = obj.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new PodError(`invalid pod manifest ${file}: spec.containers is required`, false);
  const c = containers[0];
  const argv = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].map((a) => String(a));
  if (argv.length === 0) throw new PodError(`pod ${name}: container ${c.name ?? '?'} has no command (the lab cannot run image entrypoints)`, false);
  const volumes = new Map();
  for (const v of Array.isArray(obj.spec.volumes) ? obj.spec.volumes : []) {
    if (v && typeof v.name === 'string') volumes.set(v.name, v);
  }
  const mounts = [];
  for (const m of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) {
    const v = volumes.get(m?.name);
    if (!v) throw new PodError(`pod ${name}: volumeMount ${JSON.stringify(m?.name)} refers to no volume`, false);
    if (typeof m.mountPath !== 'string' || !m.mountPath.startsWith('/')) throw new PodError(`pod ${name}: volumeMount ${m.name} has no absolute mountPath`, false);
    mounts.push({ name: m.name, mountPath: path.posix.normalize(m.mountPath).replace(/\/$/, '') || '/', readOnly: m.readOnly === true, hostPath: v.hostPath });
  }
  return { name, namespace: obj.metadata.namespace ?? 'default', container: c.name ?? name, argv, mounts, volumes };
}

function statOrNull(p) {
  try { return fs.statSync(p); } catch { return null; }
}

/**
 * hostPath type checks, and the creation the kubelet does for DirectoryOrCreate
 * (0755) and FileOrCreate (0644). Throws PodError.
 */
export function prepareVolumes(pod) {
  const toCreate = [];
  for (const v of pod.volumes.values()) {
    const hp = v.hostPath;
    if (!hp) continue;
    const p = hp.path;
    const st = statOrNull(p);
    switch (hp.type ?? '') {
      case '':
        break;
      case 'DirectoryOrCreate':
        if (st && !st.isDirectory()) throw new PodError(`pod ${pod.name}: hostPath type check failed: ${p} is not a directory`);
        if (!st) toCreate.push(['dir', p]);
        break;
      case 'Directory':
        if (!st || !st.isDirectory()) throw new PodError(`pod ${pod.name}: hostPath type check failed: ${p} is not a directory`);
        break;
      case 'FileOrCreate':
        if (st && !st.isFile()) throw new PodError(`pod ${pod.name}: hostPath type check failed: ${p} is not a file`);
        if (!st) toCreate.push(['file', p]);
        break;
      case 'File':
        if (!st || !st.isFile()) throw new PodError(`pod ${pod.name}: hostPath type check failed: ${p} is not a file`);
        break;
      default:
        if (!st) throw new PodError(`pod ${pod.name}: hostPath type check failed: ${p} does not exist`);
    }
  }
  for (const [kind, p] of toCreate) {
    if (kind === 'dir') fs.mkdirSync(p, { recursive: true, mode: 0o755 });
    else {
      fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
      fs.writeFileSync(p, '', { mode: 0o644, flag: 'a' });
    }
  }
}

/** Maps a path as the container sees it to the node path behind it, through the longest matching mount. */
export function mapThroughMounts(pod, p) {
  const norm = path.posix.normalize(p);
  let best;
  for (const m of pod.mounts) {
    if (norm === m.mountPath || norm.startsWith(m.mountPath === '/' ? '/' : `${m.mountPath}/`)) {
      if (!best || m.mountPath.length > best.mountPath.length) best = m;
    }
  }
  if (!best || !best.hostPath?.path) return undefined;
  const rel = norm === best.mountPath ? '' : norm.slice(best.mountPath.length + (best.mountPath === '/' ? 0 : 1));
  return { mount: best, nodePath: rel ? path.posix.join(best.hostPath.path, rel) : best.hostPath.path };
}

/** The absolute paths named by the arguments: [{flag, path, output}]. */
export function pathsInArgs(argv) {
  const out = [];
  for (const arg of argv.slice(1)) {
    let flag;
    let value;
    if (arg.startsWith('--') && arg.includes('=')) {
      flag = arg.slice(2, arg.indexOf('='));
      value = arg.slice(arg.indexOf('=') + 1);
    } else if (arg.startsWith('/')) {
      flag = undefined;
      value = arg;
    } else {
      continue;
    }
    for (const part of value.split(',')) {
      if (part.startsWith('/')) out.push({ flag, path: part, output: flag !== undefined && OUTPUT_FLAGS.has(flag) });
    }
  }
  return out;
}

/** Checks every path in the arguments; throws PodError naming the flag and the path. */
export function checkArgPaths(pod) {
  for (const { flag, path: p, output } of pathsInArgs(pod.argv)) {
    const what = flag ? `--${flag}=${p}` : p;
    const mapped = mapThroughMounts(pod, p);
    if (!mapped) {
      throw new PodError(`pod ${pod.name}: ${what}: ${output ? 'its directory is' : 'the file is'} not inside any hostPath volumeMount of the container`);
    }
    if (output) {
      // Written by the component: only the directory has to exist (and be writable).
      if (mapped.mount.readOnly) throw new PodError(`pod ${pod.name}: ${what}: the volumeMount ${mapped.mount.name} is read-only`);
      const self = statOrNull(mapped.nodePath);
      const parent = path.posix.dirname(mapped.nodePath);
      if (!(self && self.isDirectory()) && !statOrNull(parent)?.isDirectory()) {
        throw new PodError(`pod ${pod.name}: ${what}: directory ${parent} does not exist`);
      }
      continue;
    }
    const st = statOrNull(mapped.nodePath);
    if (!st) throw new PodError(`pod ${pod.name}: ${what}: no such file or directory`);
    if (st.isFile() && st.size === 0) throw new PodError(`pod ${pod.name}: ${what}: the file is empty`);
  }
}

export const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Resolves the container's command word like execvp; throws PodError when not found. */
export function resolveExecutable(pod) {
  const cmd = pod.argv[0];
  const candidates = cmd.includes('/') ? [cmd] : SEARCH_PATH.map((d) => path.posix.join(d, cmd));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch { /* next */ }
  }
  throw new PodError(`pod ${pod.name}: executable ${JSON.stringify(cmd)} not found in $PATH`);
}

/** Everything the lab's kubelet checks before starting a pod. Returns { pod, executable }; throws PodError. */
export function admitPod(text, file) {
  const pod = parsePod(text, file);
  const fault = injectedFault(pod.container, pod.argv);
  if (fault) throw new PodError(`pod ${pod.name}: ${fault}`);
  const executable = resolveExecutable(pod);
  prepareVolumes(pod);
  checkArgPaths(pod);
  return { pod, executable };
}
