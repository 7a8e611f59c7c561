/**
 * Builds a fake node tree in a temp dir for the real gathering script:
 * files with real modes and owners under `root`, and `<pid>/comm`,
 * `<pid>/cmdline` (NUL-separated) files under `procDir`.
 */

import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FakeFile {
  readonly content: string | Buffer;
  /** Octal permission bits incl. special bits, e.g. 0o2600. Default 0o644. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

export interface FakeProcess {
  readonly comm: string;
  readonly argv: readonly string[];
  /** Written NUL-separated to <pid>/environ when given. */
  readonly environ?: readonly string[];
}

export class FakeNode {
  readonly base: string;
  readonly root: string;
  readonly procDir: string;

  /** `base`: a fixed, empty-or-absent directory (recorded fixtures need stable paths); default a fresh temp dir. */
  constructor(base?: string) {
    if (base !== undefined) {
      rmSync(base, { recursive: true, force: true });
      mkdirSync(base, { recursive: true });
    }
    this.base = base ?? mkdtempSync(join(tmpdir(), 'cisfix-facts-'));
    this.root = join(this.base, 'root');
    this.procDir = join(this.base, 'proc');
    mkdirSync(this.root);
    mkdirSync(this.procDir);
  }

  private at(path: string): string {
    return join(this.root, path);
  }

  file(path: string, spec: FakeFile | string): this {
    const f: FakeFile = typeof spec === 'string' ? { content: spec } : spec;
    const full = this.at(path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
    chownSync(full, f.uid ?? 0, f.gid ?? 0);
    chmodSync(full, f.mode ?? 0o644); // after chown: chown clears setgid
    return this;
  }

  dir(path: string, mode = 0o755, uid = 0, gid = 0): this {
    const full = this.at(path);
    mkdirSync(full, { recursive: true });
    chownSync(full, uid, gid);
    chmodSync(full, mode);
    return this;
  }

  symlink(path: string, target: string): this {
    const full = this.at(path);
    mkdirSync(dirname(full), { recursive: true });
    symlinkSync(target, full);
    return this;
  }

  process(pid: number, p: FakeProcess): this {
    const dir = join(this.procDir, String(pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'comm'), `${p.comm}\n`);
    writeFileSync(join(dir, 'cmdline'), Buffer.from(p.argv.map((a) => `${a}\0`).join(''), 'utf8'));
    if (p.environ) writeFileSync(join(dir, 'environ'), p.environ.map((e) => `${e}\0`).join(''));
    return this;
  }

  /** Makes <pid>/exe point at `target` (a path on the host, like the kernel's magic link). */
  processExe(pid: number, target: string): this {
    symlinkSync(target, join(this.procDir, String(pid), 'exe'));
    return this;
  }

  remove(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}
