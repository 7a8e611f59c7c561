import type { Role } from './roles.js';

/** One SSH hop: where to connect and as whom. */
export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/**
 * Everything needed to reach one node over SSH, fully resolved (defaults
 * merged, `~` expanded). Invariant: `knownHostsFile` is always set — host
 * keys are verified on every connection, there is no way to turn it off.
 */
export interface SshSettings extends SshEndpoint {
  /** Private key file; when absent the ssh-agent at SSH_AUTH_SOCK is used. */
  readonly identityFile: string | undefined;
  readonly knownHostsFile: string;
  /** `sudo` runs every privileged command as `sudo -n` (never prompts). */
  readonly become: 'none' | 'sudo';
  /** Bastion hops, outermost first; each is verified against knownHostsFile. */
  readonly proxyJump: readonly SshEndpoint[];
  readonly connectTimeoutMs: number;
}

/** A node as the inventory declares it. Invariant: `name` is unique in an inventory. */
export interface NodeSpec {
  readonly name: string;
  readonly host: string;
  readonly roles: readonly Role[];
  readonly ssh: SshSettings;
}
