import type { SourceLocation } from '../model/errors.js';
import type { SshEndpoint } from '../model/node.js';
import { valueAt, type YamlLocator, type YamlPath } from './locate.js';
import { SSH_DEFAULTS, type ResolvedNode } from './resolve-nodes.js';

/**
 * The local files an inventory depends on, each with the line that names
 * it, so that check-files.ts can report "cannot read" where the user can fix
 * it. One reference per file per place it is written: ten nodes that inherit
 * one missing key from `ssh:` make one problem, not ten.
 */
export interface FileReference {
  readonly kind: 'identityFile' | 'knownHostsFile' | 'kubeconfig';
  /** Absolute path. */
  readonly path: string;
  /** As the inventory wrote it, or the built-in default. */
  readonly written: string;
  /** The key that names the file; for a built-in default, the `ssh:` (or `nodes:`) key. */
  readonly location: SourceLocation;
  /**
   * For known-hosts files: the endpoints the workstation connects to first
   * (each node, or its first bastion hop) — what ssh-keyscan can reach.
   */
  readonly firstHops: readonly SshEndpoint[];
}

export function collectFileReferences(
  nodes: readonly ResolvedNode[],
  kubeconfig: { path: string; written: string } | undefined,
  data: unknown,
  locator: YamlLocator,
): FileReference[] {
  const byPlace = new Map<string, FileReference & { firstHops: SshEndpoint[] }>();
  const add = (kind: FileReference['kind'], path: string, at: YamlPath, builtIn: boolean, firstHop?: SshEndpoint) => {
    const location = locator.locate(at, 'key');
    const id = `${kind}\0${path}\0${location.line}:${location.column}`;
    let reference = byPlace.get(id);
    if (!reference) {
      const written = builtIn ? SSH_DEFAULTS.knownHostsFile : String(valueAt(data, at));
      reference = { kind, path, written, location, firstHops: [] };
      byPlace.set(id, reference);
    }
    if (firstHop && !reference.firstHops.some((e) => e.host === firstHop.host && e.port === firstHop.port)) reference.firstHops.push(firstHop);
  };
  const builtInAt: YamlPath = locator.has(['ssh']) ? ['ssh'] : ['nodes'];

  if (kubeconfig) add('kubeconfig', kubeconfig.path, ['cluster', 'kubeconfig'], false);
  for (const { index, node, sources } of nodes) {
    const settingPath = (key: string, source: 'node' | 'defaults'): YamlPath => (source === 'node' ? ['nodes', index, 'ssh', key] : ['ssh', key]);
    if (node.ssh.identityFile !== undefined && sources.identityFile !== 'built-in') {
      add('identityFile', node.ssh.identityFile, settingPath('identityFile', sources.identityFile), false);
    }
    const firstHop = node.ssh.proxyJump[0] ?? node.ssh;
    const known = sources.knownHostsFile === 'built-in' ? builtInAt : settingPath('knownHostsFile', sources.knownHostsFile);
    add('knownHostsFile', node.ssh.knownHostsFile, known, sources.knownHostsFile === 'built-in', {
      host: firstHop.host,
      port: firstHop.port,
      user: firstHop.user,
    });
  }
  return [...byPlace.values()];
}
