import { randomBytes } from 'node:crypto';
import { chmod, link, open, rename, stat, unlink } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  checkDiscoveredInventory,
  checkSshFlags,
  discoverNodes,
  forbiddenForDiscover,
  kubeconfigErrorForDiscover,
  pathForInventory,
  renderInventory,
  type DiscoverSsh,
  type DiscoveredNode,
  type SkippedNode,
} from '../inventory/discover.js';
import { expandPath } from '../inventory/expand-path.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { ClusterForbiddenError, KubeconfigError } from '../model/cluster-errors.js';
import { UserError } from '../model/errors.js';
import { openClusterClient } from '../transport/cluster-client.js';

export interface DiscoverRequest {
  /** As the user gave it; default $KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  /** Default: the kubeconfig's current-context. */
  readonly context: string | undefined;
  /** Default: the context name. */
  readonly clusterName: string | undefined;
  /** File to write, or `-` for the text only (the caller prints it). */
  readonly output: string;
  readonly force: boolean;
  readonly ssh: {
    /** Default: the local user name, written into the file. */
    readonly user: string | undefined;
    readonly port: number;
    readonly identityFile: string | undefined;
    /** Default ~/.ssh/known_hosts. */
    readonly knownHostsFile: string | undefined;
    readonly become: 'none' | 'sudo';
    readonly proxyJump: string | undefined;
  };
  /** Default process.env / process.cwd() / new Date(). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly now?: Date;
}

export interface DiscoverResult {
  /** Absolute path of the written file; `-` when the text goes to stdout. */
  readonly file: string;
  readonly text: string;
  readonly context: string;
  readonly server: string;
  readonly nodes: readonly DiscoveredNode[];
  readonly skipped: readonly SkippedNode[];
  readonly notes: readonly string[];
}

/**
 * `cis-fix inventory discover`: list the cluster's Node objects and write an
 * inventory from them (atomically, mode 0644; an existing file only with
 * `force`). Everything that can be checked without the cluster — flags, the
 * output file, the kubeconfig file — is checked first.
 */
export async function discoverInventory(request: DiscoverRequest): Promise<DiscoverResult> {
  const env = request.env ?? process.env;
  const cwd = request.cwd ?? process.cwd();
  const home = env['HOME'] ?? homedir();
  const notes: string[] = [];

  const localUser = env['USER'] ?? env['LOGNAME'] ?? osUserName();
  const user = request.ssh.user ?? localUser;
  if (user === undefined || user === '') {
    throw new UserError(
      'No SSH user: --ssh-user is not given and the local user name cannot be determined.',
      [],
      ['Pass --ssh-user NAME (the login name on the nodes).'],
    );
  }
  if (request.ssh.user === undefined) notes.push(`ssh.user is ${user}, your local user name (as ssh would use); pass --ssh-user to choose another`);
  const ssh: DiscoverSsh = {
    user,
    port: request.ssh.port,
    identityFile: request.ssh.identityFile === undefined ? undefined : pathForInventory(request.ssh.identityFile, cwd),
    knownHostsFile: request.ssh.knownHostsFile === undefined ? '~/.ssh/known_hosts' : pathForInventory(request.ssh.knownHostsFile, cwd),
    become: request.ssh.become,
    proxyJump: request.ssh.proxyJump,
  };
  checkSshFlags(ssh);

  const toStdout = request.output === '-';
  const file = toStdout ? '-' : resolve(cwd, request.output);
  if (!toStdout) await checkOutput(file, request.output, request.force);

  const kubeconfigWritten = kubeconfigSetting(request.kubeconfig, env, cwd);
  const kubeconfigPath = expandPath(kubeconfigWritten, home, cwd);
  await checkKubeconfigFile(kubeconfigPath, kubeconfigWritten);

  let client;
  try {
    client = openClusterClient({ kubeconfig: kubeconfigPath, context: request.context, timeoutMs: 20_000 });
  } catch (error) {
    throw error instanceof KubeconfigError ? kubeconfigErrorForDiscover(error) : error;
  }
  const objects = await client.list('nodes').catch((error: unknown) => {
    throw error instanceof ClusterForbiddenError ? forbiddenForDiscover(error) : error;
  });
  const discovery = discoverNodes(objects);
  if (discovery.nodes.length === 0) {
    const why = objects.length === 0 ? 'the cluster has no Node objects' : `none of its ${objects.length} Node objects has an address to reach it by`;
    throw new UserError(
      `Nothing written: ${why}.`,
      discovery.skipped.map((s) => ({ location: undefined, message: `${s.name}: ${s.reason}`, fix: undefined })),
      ['Write the inventory by hand from inventory.example.yaml.'],
    );
  }
  const text = renderInventory(
    discovery,
    {
      clusterName: request.clusterName ?? client.context,
      kubeconfig: kubeconfigWritten,
      // The context used, also when it was the current-context: a later `kubectl config use-context` must not point the inventory at another cluster.
      context: client.context,
      server: client.server,
      writtenAt: request.now ?? new Date(),
      file: toStdout ? 'inventory.yaml' : request.output,
    },
    ssh,
  );
  checkDiscoveredInventory(text, toStdout ? 'inventory.yaml' : file);
  notes.push(...discovery.notes);

  if (!toStdout) {
    await writeAtomically(file, text, request.force, request.output);
    notes.push(...(await fileNotes(file, env)));
  }
  return { file, text, context: client.context, server: client.server, nodes: discovery.nodes, skipped: discovery.skipped, notes };
}

/** The kubeconfig as the inventory will name it. */
function kubeconfigSetting(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (flag !== undefined && flag !== '') return pathForInventory(flag, cwd);
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const files = fromEnv.split(':').filter((f) => f !== '');
    if (files.length > 1) {
      throw new UserError(
        `$KUBECONFIG lists ${files.length} files; cis-fix reads exactly one kubeconfig (it never merges).`,
        [],
        ['Pass --kubeconfig FILE, e.g. a merged copy made with: kubectl config view --flatten > merged.kubeconfig'],
      );
    }
    return pathForInventory(files[0]!, cwd);
  }
  return '~/.kube/config';
}

async function checkKubeconfigFile(path: string, written: string): Promise<void> {
  const shown = written === path ? path : `${written} (${path})`;
  try {
    const info = await stat(path);
    if (info.isFile()) return;
    throw new KubeconfigError(`kubeconfig ${shown} is not a file`, ['Pass --kubeconfig FILE with the kubeconfig of the cluster to discover.']);
  } catch (error) {
    if (error instanceof KubeconfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new KubeconfigError(code === 'ENOENT' ? `kubeconfig ${shown} does not exist` : `cannot read kubeconfig ${shown}: ${code ?? 'unreadable'}`, [
      'Pass --kubeconfig FILE (or set $KUBECONFIG) with the kubeconfig of the cluster to discover; discover reads its Node objects.',
    ]);
  }
}

/** Refuses an existing file without --force, and a directory that does not exist, before the cluster is contacted. */
async function checkOutput(file: string, shown: string, force: boolean): Promise<void> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UserError(`Cannot write ${shown}: ${error.code ?? error.message}.`);
  });
  if (info?.isDirectory()) throw new UserError(`${shown} is a directory; nothing written.`, [], ['Name a file with -o FILE.']);
  if (info && !force) throw existsError(shown);
  const dir = await stat(dirname(file)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new UserError(`Cannot write ${shown}: directory ${dirname(file)} does not exist; nothing written.`);
}

function existsError(shown: string): UserError {
  return new UserError(`${shown} already exists; nothing written.`, [], [`Pass --force to overwrite ${shown}, or write elsewhere with -o FILE.`]);
}

/**
 * Temp file in the same directory, fsync, then rename (with --force) or a
 * hard link that fails if the target appeared meanwhile (without): the file
 * is either the old one or the complete new one, never half written.
 */
async function writeAtomically(file: string, text: string, force: boolean, shown: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, 0o644); // the umask may have narrowed it
    if (force) {
      await rename(temp, file);
    } else {
      try {
        await link(temp, file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw existsError(shown);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
        // No hard links on this file system: check, then rename.
        if (
          await stat(file).then(
            () => true,
            () => false,
          )
        )
          throw existsError(shown);
        await rename(temp, file);
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dirname(file));
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can fsync a directory; the rename itself is atomic.
  }
}

/** What `inventory check` will say about the files the inventory names (e.g. a known_hosts file yet to be created). */
async function fileNotes(file: string, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  try {
    await loadInventory(file, { env });
    return [];
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return error.problems.map((p) => `not yet usable: ${p.message}${p.fix ? ` — ${p.fix}` : ''}`);
  }
}

function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
