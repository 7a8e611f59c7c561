import { constants as fsc } from 'node:fs';
import { chmod, chown, copyFile, lchown, link, lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './command-runner.js';

/**
 * What the host puts into a node's upper layer before the node starts: a map
 * from absolute paths inside the node to entries. Building the whole tree in
 * memory first lets a scenario change modes, owners and contents before
 * anything is written, and lets the writer create every file exactly once.
 */
export type NodeEntry =
  | { kind: 'file'; content: string | Buffer; mode: number; uid: number; gid: number }
  | { kind: 'copy'; from: string; mode: number; uid: number; gid: number }
  | { kind: 'dir'; mode: number; uid: number; gid: number }
  | { kind: 'symlink'; target: string }
  /** Hides the host's file or directory of that name (an overlayfs whiteout). */
  | { kind: 'whiteout' };

export type NodeTree = Map<string, NodeEntry>;

export const ROOT = { uid: 0, gid: 0 };

export function addFile(tree: NodeTree, p: string, content: string | Buffer, mode: number, owner = ROOT): void {
  tree.set(p, { kind: 'file', content, mode, uid: owner.uid, gid: owner.gid });
}

export function addDir(tree: NodeTree, p: string, mode: number, owner = ROOT): void {
  tree.set(p, { kind: 'dir', mode, uid: owner.uid, gid: owner.gid });
}

/** Changes mode and/or owner of an entry already in the tree; throws if absent (a scenario must not drift a file that is not there). */
export function setAttrs(tree: NodeTree, p: string, attrs: { mode?: number; uid?: number; gid?: number }): void {
  const e = tree.get(p);
  if (!e || e.kind === 'symlink' || e.kind === 'whiteout') throw new Error(`no file or directory ${p} in the node tree`);
  if (attrs.mode !== undefined) e.mode = attrs.mode;
  if (attrs.uid !== undefined) e.uid = attrs.uid;
  if (attrs.gid !== undefined) e.gid = attrs.gid;
}

export function fileText(tree: NodeTree, p: string): string {
  const e = tree.get(p);
  if (!e || e.kind !== 'file') throw new Error(`no file ${p} in the node tree`);
  return typeof e.content === 'string' ? e.content : e.content.toString('utf8');
}

export function setFileText(tree: NodeTree, p: string, content: string): void {
  const e = tree.get(p);
  if (!e || e.kind !== 'file') throw new Error(`no file ${p} in the node tree`);
  e.content = content;
}

/**
 * Makes `dir` show only what the tree puts into it: every entry the host has
 * in that directory and the tree does not define is whited out.
 */
export async function makeOpaque(tree: NodeTree, dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const p = path.posix.join(dir, name);
    if (!tree.has(p)) tree.set(p, { kind: 'whiteout' });
  }
}

/**
 * Writes the tree into `upper`. Parent directories the tree does not define
 * get the mode and owner of the host's directory of the same path (so the
 * merged view keeps /etc 0755 root, /home 0755 root, ...), or 0755 root when
 * the host has none. Whiteouts are hard links to `whiteoutTemplate` (a
 * character device 0/0 made once by createWhiteoutTemplate), which overlayfs
 * treats like any other whiteout and which costs no process per file.
 */
export async function writeTree(upper: string, tree: NodeTree, whiteoutTemplate: string): Promise<void> {
  const made = new Set<string>();
  const ensureDir = async (nodePath: string): Promise<void> => {
    if (nodePath === '/' || made.has(nodePath)) return;
    await ensureDir(path.posix.dirname(nodePath));
    const target = path.join(upper, nodePath);
    const own = tree.get(nodePath);
    let mode = 0o755;
    let uid = 0;
    let gid = 0;
    if (own && own.kind === 'dir') {
      ({ mode, uid, gid } = own);
    } else {
      try {
        const st = await lstat(nodePath);
        if (st.isDirectory()) {
          mode = st.mode & 0o7777;
          uid = st.uid;
          gid = st.gid;
        }
      } catch {
        /* not on the host: 0755 root */
      }
    }
    await mkdir(target, { recursive: false }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await chown(target, uid, gid);
    await chmod(target, mode);
    made.add(nodePath);
  };

  const paths = [...tree.keys()].sort();
  for (const p of paths) {
    const e = tree.get(p) as NodeEntry;
    const target = path.join(upper, p);
    switch (e.kind) {
      case 'dir':
        await ensureDir(p);
        break;
      case 'file':
        await ensureDir(path.posix.dirname(p));
        await writeFile(target, e.content, { mode: e.mode });
        await chown(target, e.uid, e.gid);
        await chmod(target, e.mode);
        break;
      case 'copy':
        await ensureDir(path.posix.dirname(p));
        await copyFile(e.from, target, fsc.COPYFILE_FICLONE);
        await chown(target, e.uid, e.gid);
        await chmod(target, e.mode);
        break;
      case 'symlink':
        await ensureDir(path.posix.dirname(p));
        await symlink(e.target, target);
        await lchown(target, 0, 0);
        break;
      case 'whiteout':
        await ensureDir(path.posix.dirname(p));
        await link(whiteoutTemplate, target);
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown node entry ${JSON.stringify(never)}`);
      }
    }
  }
}

/** Creates the character device 0/0 that writeTree links whiteouts to. */
export async function createWhiteoutTemplate(file: string): Promise<void> {
  await runCommand(['mknod', '-m', '000', file, 'c', '0', '0']);
}
