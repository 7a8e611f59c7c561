/**
 * CREATE_FILE / REMOVE_CREATED / BACKUP_PATHS for absent targets, run by a
 * real /bin/sh on real files in a temporary directory (they are constant
 * scripts: what the node runs is exactly this).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREATE_FILE, REMOVE_CREATED } from '../../../src/apply/node-scripts.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cisfix-create-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sh = (script: string, args: string[], input = '') => execFileSync('/bin/sh', ['-c', script, 'cis-fix', ...args], { input, encoding: 'utf8' });

describe('CREATE_FILE', () => {
  it('creates the file and its missing parents, root-only, replacing each secret placeholder with a fresh value', () => {
    const path = join(dir, 'a', 'b', 'config.yaml');
    const out = sh(CREATE_FILE, [path, '600', 'encryptionKey:32'], 'key: ${secret.encryptionKey}\nagain: ${secret.encryptionKey}\nkeep: ${param.x}\n');
    expect(out.split('\n').filter((l) => l.startsWith('dir '))).toEqual([`dir ${join(dir, 'a')}`, `dir ${join(dir, 'a', 'b')}`]);
    const text = readFileSync(path, 'utf8');
    const key = /^key: (\S+)$/m.exec(text)?.[1];
    expect(Buffer.from(key!, 'base64')).toHaveLength(32);
    expect(text).toBe(`key: ${key}\nagain: ${key}\nkeep: \${param.x}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(out).toContain(`sha ${execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]}`);
    expect(out).not.toContain(key!);
    // Two runs, two keys.
    const other = join(dir, 'other.yaml');
    sh(CREATE_FILE, [other, '600', 'encryptionKey:32'], 'key: ${secret.encryptionKey}\n');
    expect(readFileSync(other, 'utf8')).not.toContain(key!);
  });

  it('writes content without secrets byte for byte, and never replaces an existing file', () => {
    const path = join(dir, 'policy.yaml');
    sh(CREATE_FILE, [path, '600'], 'no newline at the end');
    expect(readFileSync(path, 'utf8')).toBe('no newline at the end');
    expect(() => sh(CREATE_FILE, [path, '600'], 'other')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('no newline at the end');
  });
});

describe('REMOVE_CREATED', () => {
  it('removes the file and the directories created for it, deepest first, but keeps a directory someone else uses', () => {
    const path = join(dir, 'a', 'b', 'config.yaml');
    sh(CREATE_FILE, [path, '600'], 'x\n');
    sh(REMOVE_CREATED, [path, join(dir, 'a'), join(dir, 'a', 'b')]);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    sh(CREATE_FILE, [path, '600'], 'x\n');
    sh(CREATE_FILE, [join(dir, 'a', 'mine'), '600'], 'y\n');
    sh(REMOVE_CREATED, [path, join(dir, 'a'), join(dir, 'a', 'b')]);
    expect(existsSync(join(dir, 'a', 'b'))).toBe(false);
    expect(readFileSync(join(dir, 'a', 'mine'), 'utf8')).toBe('y\n');
  });
});
