import { open, stat } from 'node:fs/promises';
import type { InputProblem } from '../model/errors.js';
import type { FileReference } from './file-references.js';

/**
 * The inventory's only I/O after reading it: are the files it names there
 * and readable? Checked before any connection, so that a typo in a key path
 * is reported with its line instead of as an SSH failure on every node.
 */

export interface CheckFilesOptions {
  /** A missing known-hosts file is an error unless new host keys are to be accepted (which creates it). */
  readonly requireKnownHosts: boolean;
}

export async function checkFileReferences(references: readonly FileReference[], options: CheckFilesOptions): Promise<InputProblem[]> {
  const problems = await Promise.all(references.map((reference) => checkReference(reference, options)));
  return problems.flat();
}

async function checkReference(reference: FileReference, options: CheckFilesOptions): Promise<InputProblem[]> {
  const { kind, path, written, location } = reference;
  const shown = written === path ? path : `${written} (${path})`;
  const result = await probeFile(path);
  if (result.ok) {
    if (kind === 'identityFile' && /^(ssh-|ecdsa-|sk-)/.test(result.head)) {
      return [
        {
          location,
          message: `identity file ${shown} is a public key`,
          fix: `Point identityFile at the private key, e.g. \`identityFile: ${written.replace(/\.pub$/, '')}\`.`,
        },
      ];
    }
    return [];
  }
  if (kind === 'knownHostsFile') {
    if (result.reason === 'missing' && !options.requireKnownHosts) return [];
    return [{ location, message: `known-hosts file ${shown} ${result.text}`, fix: knownHostsFix(reference, result.reason) }];
  }
  const what = kind === 'identityFile' ? 'identity file' : 'kubeconfig';
  const fix =
    kind === 'identityFile'
      ? result.reason === 'missing'
        ? 'Fix the path (`identityFile: ~/.ssh/id_ed25519`), or remove identityFile to use ssh-agent (SSH_AUTH_SOCK).'
        : `Make it readable by the user running cis-fix (e.g. chmod 600 ${path} as its owner), or remove identityFile to use ssh-agent.`
      : result.reason === 'missing'
        ? 'Fix the path (`kubeconfig: ~/.kube/config`), or remove it to skip the API checks.'
        : `Make it readable by the user running cis-fix, or remove kubeconfig to skip the API checks.`;
  return [{ location, message: `${what} ${shown} ${result.text}`, fix }];
}

function knownHostsFix(reference: FileReference, reason: ProbeFailure['reason']): string {
  if (reason !== 'missing') return `Make ${reference.path} a readable file, or point knownHostsFile at one.`;
  const byPort = new Map<number, string[]>();
  for (const { host, port } of reference.firstHops) byPort.set(port, [...(byPort.get(port) ?? []), host]);
  const scans = [...byPort].map(([port, hosts]) => `ssh-keyscan -p ${port} ${hosts.join(' ')} >> ${reference.path}`);
  return (
    "Record the nodes' host keys: run 'cis-fix inventory check --accept-new-host-keys' (it shows each fingerprint; verify them out of band)" +
    (scans.length ? `, or '${scans.join('; ')}' and compare the fingerprints.` : '.')
  );
}

interface ProbeFailure {
  readonly ok: false;
  readonly reason: 'missing' | 'unreadable' | 'not-a-file';
  /** Completes "identity file X …". */
  readonly text: string;
}
type ProbeResult = { readonly ok: true; readonly head: string } | ProbeFailure;

/**
 * Whether the current process can read `path`, found out by reading it:
 * mode bits say nothing for root, ACLs and SELinux can deny what they allow.
 * Only regular files are opened — opening a FIFO would block. Returns the
 * first bytes, to recognise a public key given as identity.
 */
export async function probeFile(path: string): Promise<ProbeResult> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { ok: false, reason: 'not-a-file', text: 'is a directory, not a file' };
    if (!info.isFile()) return { ok: false, reason: 'not-a-file', text: 'is not a regular file' };
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(64);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return { ok: true, head: buffer.subarray(0, bytesRead).toString('latin1') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', text: 'does not exist' };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'unreadable', text: 'cannot be read: permission denied' };
    if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', text: 'is a directory, not a file' };
    return { ok: false, reason: 'unreadable', text: `cannot be read: ${code ?? (error as Error).message}` };
  }
}
