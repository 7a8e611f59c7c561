import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { NodeIo } from '../../../src/apply/node-io.js';
import type { PathState } from '../../../src/apply/node-ops.js';
import { LockHeldError } from '../../../src/apply/node-ops.js';
import type { RestartedComponent } from '../../../src/model/run-journal.js';

/**
 * An in-memory node for unit tests of the apply and restore flow: files
 * with content, mode and owner, backups, the lock, running components and
 * the kubelet restarts. `fail` injects a failure at one operation.
 */
export interface FakeFile {
  content: string;
  mode: string;
  uid: number;
  gid: number;
}

const NAMES: Record<number, string> = { 0: 'root', 1000: 'ops', 999: 'etcd' };

export type FakeFault =
  | { readonly op: 'lock' | 'stat' | 'backup' | 'chmod' | 'chown' | 'restart' | 'remove' }
  | { readonly op: 'write' | 'create' | 'restore'; readonly path?: string; readonly leaveStaging?: boolean }
  /** The write "succeeds" but leaves other content (a verification failure). */
  | { readonly op: 'write-wrong'; readonly path: string }
  /** The component never runs healthy with this command line (any when undefined). */
  | { readonly op: 'unhealthy'; readonly component: RestartedComponent; readonly argv?: readonly string[] };

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export class FakeNode implements NodeIo {
  readonly files = new Map<string, FakeFile>();
  readonly dirs = new Set<string>(['/', '/etc', '/etc/kubernetes', '/etc/kubernetes/manifests', '/var', '/var/lib', '/var/lib/kubelet']);
  readonly backups = new Map<string, FakeFile>();
  lockHolder: string | undefined;
  readonly restarts: { daemonReload: boolean; unit?: string }[] = [];
  readonly gates: { component: RestartedComponent; argv: readonly string[] | undefined; ok: boolean }[] = [];
  /** What each component runs now (its manifest's argv; the kubelet's after a restart). */
  readonly running = new Map<RestartedComponent, readonly string[]>();
  faults: FakeFault[] = [];

  constructor(readonly node: string) {}

  addFile(path: string, file: Partial<FakeFile> & { content: string }): void {
    this.files.set(path, { mode: '644', uid: 0, gid: 0, ...file });
  }

  private fault(op: FakeFault['op'], path?: string): FakeFault | undefined {
    return this.faults.find((f) => f.op === op && (!('path' in f) || f.path === undefined || f.path === path));
  }

  private boom(op: string, path = ''): never {
    throw new Error(`${this.node}: ${op} ${path} failed: injected`);
  }

  lock(holder: string, takeOverFrom?: string): Promise<void> {
    if (this.fault('lock')) return Promise.reject(new LockHeldError(this.node, 'run other by x@y'));
    if (this.lockHolder && !(takeOverFrom && this.lockHolder.includes(`run ${takeOverFrom} `)))
      return Promise.reject(new LockHeldError(this.node, this.lockHolder));
    this.lockHolder = holder;
    return Promise.resolve();
  }

  unlock(runId: string): Promise<void> {
    if (this.lockHolder?.includes(runId)) this.lockHolder = undefined;
    return Promise.resolve();
  }

  stat(paths: readonly string[]): Promise<Map<string, PathState>> {
    if (this.fault('stat')) return Promise.reject(new Error('stat failed: injected'));
    return Promise.resolve(new Map(paths.map((p) => [p, this.state(p)])));
  }

  state(path: string): PathState {
    const f = this.files.get(path);
    if (!f) return { path, exists: false, sha256: undefined, mode: '', uid: -1, gid: -1, user: '', group: '', type: 'missing' };
    return {
      path,
      exists: true,
      sha256: sha(f.content),
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      user: NAMES[f.uid] ?? String(f.uid),
      group: NAMES[f.gid] ?? String(f.gid),
      type: 'regular file',
    };
  }

  backup(runId: string, paths: readonly string[]): Promise<void> {
    if (this.fault('backup')) return Promise.reject(new Error('backing up targets failed: No space left on device'));
    for (const p of paths) {
      const f = this.files.get(p);
      if (f) this.backups.set(`${runId}${p}`, { ...f });
    }
    return Promise.resolve();
  }

  chmod(path: string, mode: string): Promise<void> {
    if (this.fault('chmod', path)) this.boom('chmod', path);
    this.files.get(path)!.mode = mode;
    return Promise.resolve();
  }

  chown(path: string, user: string, group: string): Promise<void> {
    if (this.fault('chown', path)) this.boom('chown', path);
    const id = (name: string) => Number(Object.entries(NAMES).find(([, n]) => n === name)?.[0] ?? 4242);
    Object.assign(this.files.get(path)!, { uid: id(user), gid: id(group) });
    return Promise.resolve();
  }

  async writeContent(path: string, content: string, sha256: string, staging: string): Promise<void> {
    const fault = this.fault('write', path);
    if (!this.dirs.has(posix.dirname(staging))) this.dirs.add(posix.dirname(staging));
    this.files.set(staging, { content, mode: '600', uid: 0, gid: 0 });
    if (fault) {
      // A killed run leaves its temp file; a failing one removes it.
      if (!('leaveStaging' in fault && fault.leaveStaging)) this.files.delete(staging);
      this.boom('writing', path);
    }
    if (sha(content) !== sha256) this.boom('content damaged', path);
    const old = this.files.get(path)!;
    this.files.delete(staging);
    this.files.set(path, { ...old, content: this.fault('write-wrong', path) ? `${content}#tampered` : content });
    this.restartStaticPod(path, content);
    return Promise.resolve();
  }

  async createFile(path: string, mode: string, template: string, _secrets: readonly unknown[], staging: string): Promise<{ createdDirs: readonly string[] }> {
    if (this.files.has(path)) this.boom('already exists', path);
    const created: string[] = [];
    for (let d = posix.dirname(path); !this.dirs.has(d); d = posix.dirname(d)) created.unshift(d);
    for (const d of created) this.dirs.add(d);
    if (this.fault('create', path)) {
      this.files.set(staging, { content: template, mode, uid: 0, gid: 0 });
      this.boom('creating', path);
    }
    this.files.set(path, { content: template.replace(/\$\{secret\.\w+\}/g, 'GENERATED'), mode, uid: 0, gid: 0 });
    return Promise.resolve({ createdDirs: created });
  }

  readCreated(path: string): Promise<string> {
    return Promise.resolve(this.files.get(path)!.content);
  }

  removeCreated(path: string, createdDirs: readonly string[]): Promise<void> {
    if (this.fault('remove') && !path.includes('cis-fix-new')) this.boom('removing', path);
    this.files.delete(path);
    for (const d of [...createdDirs].reverse()) {
      if (![...this.files.keys()].some((f) => f.startsWith(`${d}/`))) this.dirs.delete(d);
    }
    return Promise.resolve();
  }

  /** Staging files are not modelled beyond the journaled ones (removeCreated); nothing else is left to remove. */
  removeStaged(): Promise<string[]> {
    return Promise.resolve([]);
  }

  restore(backupRun: string, path: string, original: { mode: string; uid: number; gid: number; sha256?: string | undefined }): Promise<void> {
    if (this.fault('restore', path)) this.boom('restoring', path);
    const copy = this.backups.get(`${backupRun}${path}`);
    if (original.sha256 !== undefined && !copy) this.boom('backup copy missing for', path);
    const content = copy?.content ?? this.files.get(path)!.content;
    this.files.set(path, { content, mode: original.mode, uid: original.uid, gid: original.gid });
    this.restartStaticPod(path, content);
    return Promise.resolve();
  }

  restartKubelet(daemonReload: boolean): Promise<void> {
    if (this.fault('restart')) return Promise.reject(new Error('systemctl restart kubelet failed'));
    this.restarts.push({ daemonReload });
    const flags = this.files.get('/var/lib/kubelet/kubeadm-flags.env')?.content ?? '';
    this.running.set('kubelet', ['kubelet', ...flags.split(/\s+/).filter((w) => w.startsWith('--'))]);
    return Promise.resolve();
  }

  restartService(unit: string, daemonReload: boolean): Promise<void> {
    if (this.fault('restart')) return Promise.reject(new Error(`systemctl restart ${unit} failed`));
    this.restarts.push({ daemonReload, unit });
    return Promise.resolve();
  }

  waitHealthy(
    component: RestartedComponent,
    argv: readonly string[] | undefined,
  ): Promise<{ ok: true; seconds: number } | { ok: false; seconds: number; last: string }> {
    const now = this.running.get(component);
    const poisoned = this.faults.some(
      (f) => f.op === 'unhealthy' && f.component === component && (f.argv === undefined || (now !== undefined && f.argv.join(' ') === now.join(' '))),
    );
    const matches = argv === undefined || (now !== undefined && now.join(' ') === argv.join(' '));
    const ok = !poisoned && matches && now !== undefined;
    this.gates.push({ component, argv, ok });
    return Promise.resolve(
      ok
        ? { ok: true, seconds: 1 }
        : { ok: false, seconds: 5, last: poisoned ? `${component} is not running` : `${component} runs, but not with the new arguments yet` },
    );
  }

  /** The lab kubelet's part: a manifest names its component and argv as `component: argv...` on its first line. */
  private restartStaticPod(path: string, content: string): void {
    if (!path.startsWith('/etc/kubernetes/manifests/')) return;
    const [component, ...argv] = (content.split('\n')[0] ?? '').split(' ');
    this.running.set(component as RestartedComponent, [component!, ...argv]);
  }

  snapshot(): Map<string, FakeFile> {
    return new Map([...this.files].map(([p, f]) => [p, { ...f }]));
  }
}
