/**
 * The node scripts behind node-ops.ts, run by a real /bin/sh on real files
 * in a temporary directory through the local transport (they are constant
 * scripts: what a node runs is exactly this): staging paths, symlinks in
 * the path, leftover staging files.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  changeMode,
  changeOwner,
  createFile,
  removeCreated,
  removeStagedFiles,
  restorePath,
  statPaths,
  SymlinkRefusedError,
  writeFileContent,
} from '../../../src/apply/node-ops.js';
import { stagingPathFor } from '../../../src/apply/staging-path.js';
import { LocalTransport } from '../../../src/transport/local.js';

const RUN = '20261204T090000Z-abcdef';
const transport = new LocalTransport('test-node');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
let root: string;
let manifests: string;
let outside: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cisfix-paths-'));
  manifests = join(root, 'kubernetes', 'manifests');
  outside = join(root, 'elsewhere');
  mkdirSync(manifests, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(manifests, 'kube-apiserver.yaml'), 'old\n', { mode: 0o600 });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('staging', () => {
  it('writes a manifest through the sibling staging directory, leaving nothing but the manifest, and removes the emptied staging directory', async () => {
    const target = join(manifests, 'kube-apiserver.yaml');
    const staging = stagingPathFor(target, RUN, { staticPodManifest: true });
    expect(await writeFileContent(transport, target, 'new\n', sha('new\n'), { stagingPath: staging })).toBe(sha('new\n'));
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(manifests)).toEqual(['kube-apiserver.yaml']);
    expect(existsSync(join(root, 'kubernetes', '.cis-fix-staging'))).toBe(false);
  });

  it('stages a file of a directory named manifests in the sibling directory even when the caller does not say, with the run id it gives', async () => {
    const target = join(manifests, 'kube-apiserver.yaml');
    // A damaged transfer fails after staging: the staging file must not remain, neither beside the target nor in the staging directory.
    await expect(writeFileContent(transport, target, 'new\n', sha('other'), { runId: RUN })).rejects.toThrow(/arrived damaged/);
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(readdirSync(manifests)).toEqual(['kube-apiserver.yaml']);
    expect(existsSync(join(root, 'kubernetes', '.cis-fix-staging'))).toBe(false);
  });

  it('restores a manifest through the staging directory, byte-identical with owner and mode', async () => {
    const target = join(manifests, 'kube-apiserver.yaml');
    const copy = join('/var/lib/cis-fix/backups', `unit-${process.pid}-${RUN}`, 'files');
    mkdirSync(join(copy, manifests), { recursive: true });
    writeFileSync(join(copy, target), 'backup\n');
    try {
      await restorePath(
        transport,
        `unit-${process.pid}-${RUN}`,
        { path: target, mode: '640', uid: 0, gid: 0, sha256: sha('backup\n') },
        { staticPodManifest: true },
      );
      expect(readFileSync(target, 'utf8')).toBe('backup\n');
      expect(statSync(target).mode & 0o777).toBe(0o640);
      expect(readdirSync(manifests)).toEqual(['kube-apiserver.yaml']);
      expect(existsSync(join(root, 'kubernetes', '.cis-fix-staging'))).toBe(false);
    } finally {
      rmSync(join('/var/lib/cis-fix/backups', `unit-${process.pid}-${RUN}`), { recursive: true, force: true });
    }
  });

  it('removes the staging files a killed run left, with the run id or under the older names, and the emptied staging directory', async () => {
    const target = join(manifests, 'kube-apiserver.yaml');
    const support = join(root, 'kubernetes', 'audit', 'policy.yaml');
    mkdirSync(join(root, 'kubernetes', 'audit'));
    mkdirSync(join(root, 'kubernetes', '.cis-fix-staging'), { mode: 0o700 });
    const left = [
      stagingPathFor(target, RUN, { staticPodManifest: true }),
      join(manifests, '.kube-apiserver.yaml.cis-fix-new'),
      stagingPathFor(support, RUN, { staticPodManifest: false }),
      `${stagingPathFor(support, RUN, { staticPodManifest: false })}.2`,
    ];
    for (const path of left) writeFileSync(path, 'half\n');
    const otherRun = stagingPathFor(support, '20261204T100000Z-ffffff', { staticPodManifest: false });
    writeFileSync(otherRun, 'not ours\n');
    const removed = await removeStagedFiles(transport, RUN, [{ target, staticPodManifest: true }, { target: support }]);
    expect(removed.sort()).toEqual([...left].sort());
    expect(readdirSync(manifests)).toEqual(['kube-apiserver.yaml']);
    expect(existsSync(join(root, 'kubernetes', '.cis-fix-staging'))).toBe(false);
    expect(readFileSync(otherRun, 'utf8')).toBe('not ours\n');
    expect(await removeStagedFiles(transport, RUN, [{ target }])).toEqual([]);
  });
});

describe('symlinks on the way to a target', () => {
  it('refuses to create a support file in a symlinked directory, naming the link, and writes nothing outside', async () => {
    symlinkSync(outside, join(root, 'kubernetes', 'audit'));
    const target = join(root, 'kubernetes', 'audit', 'policy.yaml');
    const error = await createFile(transport, target, '600', 'kind: Policy\n', [], { runId: RUN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SymlinkRefusedError);
    expect((error as SymlinkRefusedError).link).toBe(join(root, 'kubernetes', 'audit'));
    expect((error as Error).message).toContain(`${join(root, 'kubernetes', 'audit')} is a symbolic link`);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a symlinked directory deeper than the ones it creates, and a missing parent below a link', async () => {
    symlinkSync(outside, join(root, 'kubernetes', 'encryption'));
    const target = join(root, 'kubernetes', 'encryption', 'sub', 'config.yaml');
    await expect(createFile(transport, target, '600', 'x\n', [], { runId: RUN })).rejects.toBeInstanceOf(SymlinkRefusedError);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('still creates missing real parents root-only, and reports them', async () => {
    const target = join(root, 'kubernetes', 'audit', 'deep', 'policy.yaml');
    const created = await createFile(transport, target, '600', 'kind: Policy\n', [], { runId: RUN });
    expect(created.createdDirs).toEqual([join(root, 'kubernetes', 'audit'), join(root, 'kubernetes', 'audit', 'deep')]);
    expect(readdirSync(join(root, 'kubernetes', 'audit', 'deep'))).toEqual(['policy.yaml']);
    await removeCreated(transport, target, created.createdDirs);
    expect(existsSync(join(root, 'kubernetes', 'audit'))).toBe(false);
  });

  it('refuses chmod, chown, content writes and restores through a symlinked directory or onto a symlinked file', async () => {
    writeFileSync(join(outside, 'kubelet.conf'), 'secret\n', { mode: 0o644 });
    symlinkSync(outside, join(root, 'kubernetes', 'linked'));
    symlinkSync(join(outside, 'kubelet.conf'), join(root, 'kubernetes', 'kubelet.conf'));
    for (const target of [join(root, 'kubernetes', 'linked', 'kubelet.conf'), join(root, 'kubernetes', 'kubelet.conf')]) {
      await expect(changeMode(transport, target, '600')).rejects.toBeInstanceOf(SymlinkRefusedError);
      await expect(changeOwner(transport, target, 'root', 'root', false)).rejects.toBeInstanceOf(SymlinkRefusedError);
      await expect(writeFileContent(transport, target, 'new\n', sha('new\n'), { runId: RUN })).rejects.toBeInstanceOf(SymlinkRefusedError);
      await expect(restorePath(transport, RUN, { path: target, mode: '600', uid: 0, gid: 0, sha256: sha('x') })).rejects.toBeInstanceOf(SymlinkRefusedError);
    }
    expect(statSync(join(outside, 'kubelet.conf')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(outside, 'kubelet.conf'), 'utf8')).toBe('secret\n');
    expect(readdirSync(outside)).toEqual(['kubelet.conf']);
    expect(lstatSync(join(root, 'kubernetes', 'kubelet.conf')).isSymbolicLink()).toBe(true);
  });

  it('reports the link at precondition time without looking through it, for missing and existing targets alike', async () => {
    writeFileSync(join(outside, 'policy.yaml'), 'theirs\n');
    symlinkSync(outside, join(root, 'kubernetes', 'audit'));
    symlinkSync(join(manifests, 'kube-apiserver.yaml'), join(root, 'kubernetes', 'file-link.yaml'));
    const policy = join(root, 'kubernetes', 'audit', 'policy.yaml');
    const missing = join(root, 'kubernetes', 'audit', 'new.yaml');
    const fileLink = join(root, 'kubernetes', 'file-link.yaml');
    const plain = join(manifests, 'kube-apiserver.yaml');
    const states = await statPaths(transport, [policy, missing, fileLink, plain]);
    expect(states.get(policy)).toMatchObject({ exists: false, symlink: join(root, 'kubernetes', 'audit'), type: 'symlink-in-path' });
    expect(states.get(missing)).toMatchObject({ exists: false, symlink: join(root, 'kubernetes', 'audit') });
    expect(states.get(fileLink)).toMatchObject({ exists: true, symlink: fileLink, type: 'symbolic link' });
    expect(states.get(plain)).toMatchObject({ exists: true, sha256: sha('old\n') });
    expect(states.get(plain)!.symlink).toBeUndefined();
  });

  it('accepts the usr-merge links at the root (/lib -> usr/lib) as the distribution layout', async () => {
    const lib = lstatSync('/lib', { throwIfNoEntry: false });
    if (!lib?.isSymbolicLink()) return; // not a usr-merged system: nothing to accept
    const states = await statPaths(transport, ['/lib/os-release-not-there', '/lib']);
    expect(states.get('/lib/os-release-not-there')).toMatchObject({ exists: false, type: 'missing' });
    expect(states.get('/lib')!.symlink).toBe('/lib'); // the link itself as a target is still a link
  });
});
