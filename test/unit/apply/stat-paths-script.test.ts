/**
 * STAT_PATHS run by a real /bin/sh on real files named as hostile nodes name
 * them (issue 10 §3): every name must come back byte for byte, with the
 * content hash sha256 computes for it.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAT_PATHS } from '../../../src/apply/node-scripts.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cisfix-stat-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = [
  'new\nline.crt',
  'trailing\n',
  'back\\slash',
  'esc\u001b[2J.crt',
  `quote's "double"`,
  '$(touch pwned)',
  '-dash',
  '*',
  'pipe|in|name',
  'cr\rname',
];

describe('STAT_PATHS', () => {
  it('returns every hostile name exactly, with the hash of its content', () => {
    const paths = NAMES.map((name) => join(dir, name));
    paths.forEach((path, i) => writeFileSync(path, `content ${i}\n`, { mode: 0o640 }));
    const missing = join(dir, 'missing\nfile');
    const out = execFileSync('/bin/sh', ['-c', STAT_PATHS, 'cis-fix', ...paths, missing], { cwd: dir }).toString('utf8');
    const records = out.split('\0').filter((r) => r !== '');
    expect(records).toHaveLength(paths.length + 1);
    paths.forEach((path, i) => {
      const sha = createHash('sha256').update(`content ${i}\n`).digest('hex');
      expect(records[i]).toBe(`E|640|0|0|root|root|regular file|${sha}|${path}`);
    });
    expect(records[paths.length]).toBe(`M|${missing}`);
    expect(execFileSync('ls', ['-A', dir]).toString()).not.toMatch(/^pwned$/m);
  });
});
