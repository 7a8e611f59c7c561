import type { SshSettings } from '../model/node.js';
import type { Role } from '../model/roles.js';
import { expandPath } from './expand-path.js';
import type { InventoryNode, InventoryParameters } from './inventory.js';
import { resolveProxyJump } from './proxy-jump.js';
import type { NodeInput, SshInput } from './schema.js';

/** The built-in defaults for whatever neither the node nor the top-level `ssh:` sets. */
export const SSH_DEFAULTS = {
  port: 22,
  knownHostsFile: '~/.ssh/known_hosts',
  become: 'none',
  connectTimeoutSeconds: 10,
} as const;

/** Where an effective SSH setting came from; problems point at the line that set it. */
export type SettingSource = 'node' | 'defaults' | 'built-in';

/** A node with its settings merged, and the provenance file checks need. */
export interface ResolvedNode {
  /** Position in the inventory's `nodes:` list. */
  readonly index: number;
  readonly node: InventoryNode;
  readonly sources: { readonly identityFile: SettingSource; readonly knownHostsFile: SettingSource; readonly user: SettingSource };
}

export interface ResolveContext {
  readonly defaults: SshInput | undefined;
  readonly parameters: InventoryParameters;
  readonly homeDir: string;
  /** The directory relative paths are relative to: the inventory file's. */
  readonly baseDir: string;
  /** The local account name; undefined when the OS cannot tell (then `user` must be set). */
  readonly localUser: string | undefined;
}

/**
 * Merges one validated node over the top-level defaults, key by key (a node
 * that sets `port` keeps the default `user`), then over the built-ins.
 * Returns undefined only when no SSH user can be determined.
 */
export function resolveNode(input: NodeInput, index: number, context: ResolveContext): ResolvedNode | undefined {
  const { defaults, homeDir, baseDir } = context;
  const own = input.ssh;
  const pick = <K extends keyof SshInput>(key: K): { value: SshInput[K]; source: SettingSource } =>
    own?.[key] !== undefined
      ? { value: own[key], source: 'node' }
      : defaults?.[key] !== undefined
        ? { value: defaults[key], source: 'defaults' }
        : { value: undefined, source: 'built-in' };

  const user = pick('user');
  const userName = user.value ?? context.localUser;
  if (userName === undefined) return undefined;
  const identityFile = pick('identityFile');
  const knownHostsFile = pick('knownHostsFile');
  const ssh: SshSettings = {
    host: input.host,
    port: pick('port').value ?? SSH_DEFAULTS.port,
    user: userName,
    identityFile: identityFile.value === undefined ? undefined : expandPath(identityFile.value, homeDir, baseDir),
    knownHostsFile: expandPath(knownHostsFile.value ?? SSH_DEFAULTS.knownHostsFile, homeDir, baseDir),
    become: pick('become').value ?? SSH_DEFAULTS.become,
    proxyJump: resolveProxyJump(pick('proxyJump').value ?? [], userName),
    connectTimeoutMs: Math.round((pick('connectTimeout').value ?? SSH_DEFAULTS.connectTimeoutSeconds) * 1000),
  };
  return {
    index,
    node: {
      name: input.name,
      host: input.host,
      roles: [...new Set<Role>(input.roles)],
      ssh,
      parameters: { ...context.parameters, ...input.parameters },
    },
    sources: { identityFile: identityFile.source, knownHostsFile: knownHostsFile.source, user: user.source },
  };
}
