/**
 * WRITE_FILE, CREATE_FILE and RESTORE_PATH with a staging path, run by a
 * real /bin/sh on real files: a manifest's new content waits in a sibling
 * staging directory (created root 0700, removed again when empty), never in
 * the manifest directory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREATE_FILE, WRITE_FILE } from '../../../src/apply/node-scripts.js';
import { stagingDirFor, stagingPathFor } from '../../../src/apply/staging-path.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cisfix-staging-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sh = (script: string, args: string[], input = '') => execFileSync('/bin/sh', ['-c', script, 'cis-fix', ...args], { input, encoding: 'utf8' });
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('WRITE_FILE with a staging path', () => {
  it('stages a manifest in the sibling staging directory, created 0700, and leaves only the manifest in its directory', () => {
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    const target = join(manifests, 'kube-apiserver.yaml');
    writeFileSync(target, 'old\n', { mode: 0o600 });
    const staging = stagingPathFor(target, 'run-1', { staticPodManifest: true });
    expect(sh(WRITE_FILE, [target, sha('new\n'), staging], 'new\n').trim()).toBe(sha('new\n'));
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(manifests)).toEqual(['kube-apiserver.yaml']);
    // The staging directory is made for the write and removed again once empty.
    expect(existsSync(stagingDirFor(manifests))).toBe(false);
    expect(existsSync(staging)).toBe(false);
  });

  it('keeps a staging directory that already held something, and it is root 0700 when cis-fix made it', () => {
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    const target = join(manifests, 'etcd.yaml');
    writeFileSync(target, 'old\n', { mode: 0o600 });
    const staging = stagingPathFor(target, 'run-2', { staticPodManifest: true });
    const other = join(stagingDirFor(manifests), 'kube-apiserver.yaml.run-1.cis-fix-new');
    // A write of another run still in flight: its staging file must survive this write.
    sh(`mkdir -m 700 "$1" && echo x > "$2"`, [stagingDirFor(manifests), other]);
    sh(WRITE_FILE, [target, sha('new\n'), staging], 'new\n');
    expect(readFileSync(other, 'utf8')).toBe('x\n');
    expect(statSync(stagingDirFor(manifests)).mode & 0o777).toBe(0o700);
  });

  it('removes the staged file when the content arrived damaged', () => {
    const target = join(dir, 'config.yaml');
    writeFileSync(target, 'old\n');
    const staging = stagingPathFor(target, 'run-1', { staticPodManifest: false });
    expect(() => sh(WRITE_FILE, [target, sha('other'), staging], 'new\n')).toThrow();
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(existsSync(staging)).toBe(false);
  });
});

describe('CREATE_FILE with a staging path', () => {
  it('stages at the given path and still reads secret specs after it', () => {
    const target = join(dir, 'enc', 'config.yaml');
    const out = sh(CREATE_FILE, [target, '600', stagingPathFor(target, 'run-1', { staticPodManifest: false }), 'key:16'], 'k: ${secret.key}\n');
    expect(out).toContain(`dir ${join(dir, 'enc')}`);
    expect(readFileSync(target, 'utf8')).toMatch(/^k: \S{24}\n$/);
    expect(readdirSync(join(dir, 'enc'))).toEqual(['config.yaml']);
  });
});
