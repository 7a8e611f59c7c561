import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import type { Readable } from 'node:stream';
import { HostKeyError, SudoError, UnreachableError } from '../model/errors.js';
import type { SshEndpoint, SshSettings } from '../model/node.js';
import type { ExecOptions, ExecResult, NodeTransport } from './node-transport.js';
import { fingerprintOf, keyTypeOfBlob, knownKeyTypes, verifyHostKey } from './known-hosts.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { Semaphore } from './semaphore.js';
import { quoteShellArg } from './shell-quote.js';

const { Client } = ssh2;

/**
 * Channels one connection may have open at once. OpenSSH's hardening guides
 * (and CIS for Linux) set `MaxSessions 2`; a third concurrent channel would be
 * refused by such an sshd, so cis-fix never opens more.
 */
export const MAX_CHANNELS_PER_CONNECTION = 2;
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 4;

/** Host key algorithms ssh2 speaks, in OpenSSH's default preference order. */
const HOST_KEY_ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_HOST_KEY_ORDER = Object.keys(HOST_KEY_ALGORITHMS_BY_KEY_TYPE);

export interface SshConnectOptions {
  /** Record keys of hosts absent from knownHostsFile (never a changed key). */
  readonly acceptNewHostKeys?: boolean;
  /** Shared across the nodes of one run so the file is read once and appends are serialized. */
  readonly knownHosts?: KnownHostsStore;
  /** Told about every key recorded because of acceptNewHostKeys. */
  readonly onHostKeyAccepted?: (host: string, port: number, fingerprint: string) => void;
}

export interface SshTarget {
  /** Inventory name, used in every message. */
  readonly name: string;
  readonly host: string;
  readonly ssh: SshSettings;
}

/**
 * Connect to a node (through its ProxyJump hops, each verified) and return a
 * transport that reuses this one connection for every command of the run.
 */
export async function connectSsh(target: SshTarget, options: SshConnectOptions = {}): Promise<SshTransport> {
  const settings = target.ssh;
  const store = options.knownHosts ?? new KnownHostsStore();
  const auth = await loadAuth(target.name, settings);
  const hops: SshEndpoint[] = [...settings.proxyJump, { host: target.host, port: settings.port, user: settings.user }];
  const clients: InstanceType<typeof Client>[] = [];
  let sock: Readable | undefined;
  let hostKeyFingerprint = '';
  try {
    for (const [index, hop] of hops.entries()) {
      const isTarget = index === hops.length - 1;
      const { client, fingerprint } = await connectHop(target.name, hop, settings, auth, store, options, sock);
      clients.push(client);
      hostKeyFingerprint = fingerprint;
      if (!isTarget) {
        const next = hops[index + 1]!;
        sock = await forwardTo(target.name, client, hop, next);
      }
    }
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
  return new SshTransport(target.name, settings, clients, hostKeyFingerprint);
}

interface Auth {
  readonly privateKey?: Buffer;
  readonly agent?: string;
}

async function loadAuth(node: string, settings: SshSettings): Promise<Auth> {
  if (settings.identityFile !== undefined) {
    try {
      return { privateKey: await readFile(settings.identityFile) };
    } catch (error) {
      throw new UnreachableError(node, `cannot read identity file ${settings.identityFile}: ${(error as Error).message}`, [
        'Set ssh.identityFile to a readable private key, or remove it to use ssh-agent (SSH_AUTH_SOCK).',
      ]);
    }
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (!agent) {
    throw new UnreachableError(node, 'no ssh.identityFile is set and SSH_AUTH_SOCK is empty: no way to authenticate', [
      'Set ssh.identityFile in the inventory, or start ssh-agent and ssh-add your key.',
    ]);
  }
  return { agent };
}

async function connectHop(
  node: string,
  hop: SshEndpoint,
  settings: SshSettings,
  auth: Auth,
  store: KnownHostsStore,
  options: SshConnectOptions,
  sock: Readable | undefined,
): Promise<{ client: InstanceType<typeof Client>; fingerprint: string }> {
  const entries = await store.entries(settings.knownHostsFile);
  const knownTypes = knownKeyTypes(entries, hop.host, hop.port);
  const keyOrder = [...knownTypes, ...DEFAULT_HOST_KEY_ORDER.filter((t) => !knownTypes.includes(t))];
  const serverHostKey = keyOrder.flatMap((t) => HOST_KEY_ALGORITHMS_BY_KEY_TYPE[t] ?? []);
  const where = `${hop.user}@${hop.host}:${hop.port}`;

  // The verifier runs during key exchange, before any authentication: a
  // refused key means no credential was ever offered to that server.
  let refusal: Error | undefined;
  let fingerprint = '';
  const hostVerifier = (blob: Buffer, verify: (valid: boolean) => void): void => {
    fingerprint = fingerprintOf(blob);
    const verdict = verifyHostKey(entries, hop.host, hop.port, blob);
    switch (verdict.kind) {
      case 'trusted':
        verify(true);
        return;
      case 'revoked':
        refusal = new UnreachableError(node, `host key ${fingerprint} of ${hop.host} is marked @revoked in ${settings.knownHostsFile}`);
        verify(false);
        return;
      case 'changed':
        refusal = new HostKeyError(node, hostLabel(hop), fingerprint, 'changed', settings.knownHostsFile);
        verify(false);
        return;
      case 'unknown':
        if (!options.acceptNewHostKeys) {
          refusal = new HostKeyError(node, hostLabel(hop), fingerprint, 'unknown', settings.knownHostsFile);
          verify(false);
          return;
        }
        store.append(settings.knownHostsFile, hop.host, hop.port, blob).then(
          () => {
            options.onHostKeyAccepted?.(hop.host, hop.port, `${keyTypeOfBlob(blob)} ${fingerprint}`);
            verify(true);
          },
          (error: unknown) => {
            refusal = new UnreachableError(node, `cannot record the host key in ${settings.knownHostsFile}: ${(error as Error).message}`);
            verify(false);
          },
        );
        return;
    }
  };

  const config: ConnectConfig = {
    host: hop.host,
    port: hop.port,
    username: hop.user,
    ...(sock ? { sock } : {}),
    ...(auth.privateKey ? { privateKey: auth.privateKey } : { agent: auth.agent }),
    hostVerifier,
    algorithms: { serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
    readyTimeout: settings.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
  };

  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error & { level?: string; code?: string }): void => {
      client.end();
      if (refusal) return reject(refusal);
      reject(describeConnectError(node, where, error, settings));
    };
    client.once('ready', () => {
      client.removeListener('error', fail);
      // Later errors (a dropped connection) surface through the exec that sees them.
      client.on('error', () => undefined);
      resolve();
    });
    // `on`, not `once`: a dropped handshake emits twice (ECONNRESET, then "Connection lost before handshake"),
    // and a second error without a listener would crash the process. The first one decides.
    client.on('error', fail);
    try {
      client.connect(config);
    } catch (error) {
      fail(error as Error);
    }
  });
  return { client, fingerprint };
}

function hostLabel(hop: SshEndpoint): string {
  return hop.port === 22 ? hop.host : `${hop.host}:${hop.port}`;
}

/**
 * What a newcomer checks when a node cannot be reached: the same hint for a
 * timeout, a refusal and a connection dropped before the handshake (a
 * firewall or a bastion that cuts it), ending with the command that checks
 * every node.
 */
export function reachHint(settings: Pick<SshSettings, 'proxyJump'>, extra?: string): string {
  const bastion = settings.proxyJump.length
    ? `the bastion ${settings.proxyJump.map((h) => `${h.host}:${h.port}`).join(' -> ')} (ssh.proxyJump)`
    : 'the bastion, if the node is only reachable through one (ssh.proxyJump)';
  return `Check the node's address and port in the inventory (and that sshd listens there), the firewall between here and the node, and ${bastion}${extra ? `, ${extra}` : ''}; then run 'cis-fix inventory check'.`;
}

export function describeConnectError(node: string, where: string, error: Error & { level?: string; code?: string }, settings: SshSettings): UnreachableError {
  const message = error.message;
  if (error.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new UnreachableError(node, `authentication as ${where} failed`, [
      settings.identityFile
        ? `Check that the public key of ${settings.identityFile} is in ${settings.user}'s authorized_keys on the node.`
        : 'Check that ssh-agent holds a key authorized on the node (ssh-add -l).',
    ]);
  }
  if (/encrypted private/i.test(message) || /passphrase/i.test(message)) {
    return new UnreachableError(node, `identity file ${settings.identityFile} is encrypted`, [
      'Load it into ssh-agent (ssh-add) and remove ssh.identityFile from the inventory, so cis-fix uses the agent.',
    ]);
  }
  if (/Timed out while waiting for handshake/i.test(message) || error.code === 'ETIMEDOUT') {
    return new UnreachableError(node, `no SSH answer from ${where} within ${settings.connectTimeoutMs / 1000}s`, [
      reachHint(settings, 'or raise ssh.connectTimeout'),
    ]);
  }
  if (/Connection lost before handshake/i.test(message) || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
    return new UnreachableError(node, `the connection to ${where} was dropped before the SSH handshake (${message})`, [reachHint(settings)]);
  }
  if (
    error.code === 'ECONNREFUSED' ||
    error.code === 'EHOSTUNREACH' ||
    error.code === 'ENETUNREACH' ||
    error.code === 'ENOTFOUND' ||
    error.code === 'EAI_AGAIN'
  ) {
    return new UnreachableError(node, `cannot connect to ${where}: ${error.code}`, [reachHint(settings)]);
  }
  return new UnreachableError(node, `SSH to ${where} failed: ${message}`, [], { cause: error });
}

function forwardTo(node: string, client: InstanceType<typeof Client>, from: SshEndpoint, to: SshEndpoint): Promise<Readable> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, to.host, to.port, (error, stream) => {
      if (error) {
        reject(
          new UnreachableError(node, `bastion ${from.host} could not open a connection to ${to.host}:${to.port}: ${error.message}`, [
            'Check that the bastion allows TCP forwarding (AllowTcpForwarding) and can reach the node.',
          ]),
        );
        return;
      }
      resolve(stream);
    });
  });
}

/** Lines sudo prints when it will not run without a password (sudo -n). */
const SUDO_REFUSAL = /^sudo: (a password is required|a terminal is required|.*is not in the sudoers file|.*not allowed to execute)/m;

/**
 * One SSH connection to one node, reused for every command of a run, with at
 * most MAX_CHANNELS_PER_CONNECTION channels open at a time.
 */
export class SshTransport implements NodeTransport {
  private readonly channels = new Semaphore(MAX_CHANNELS_PER_CONNECTION);
  /** How many exec channels this connection has opened and run a command on (for tests and diagnostics). */
  execCount = 0;

  constructor(
    readonly node: string,
    private readonly settings: SshSettings,
    private readonly clients: readonly InstanceType<typeof Client>[],
    /** Fingerprint of the node's host key, as verified. */
    readonly hostKeyFingerprint: string,
  ) {}

  private get client(): InstanceType<typeof Client> {
    return this.clients[this.clients.length - 1]!;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const privileged = options.privileged ?? true;
    const useSudo = privileged && this.settings.become === 'sudo';
    // `sudo -n`: fail at once instead of waiting for a password nobody will type.
    const remote = useSudo ? `sudo -n -- /bin/sh -c ${quoteShellArg(command)}` : command;
    const result = await this.channels.run(() => this.execWithChannelRetry(remote, options));
    if (useSudo && result.code !== 0) {
      const refusal = SUDO_REFUSAL.exec(result.stderr);
      if (refusal) throw new SudoError(this.node, this.settings.user, refusal[0].replace(/^sudo: /, ''));
      if (result.code === 127 && /sudo: (command )?not found|sudo: No such file/.test(result.stderr)) {
        throw new SudoError(this.node, this.settings.user, 'sudo is not installed on this node');
      }
    }
    return result;
  }

  /**
   * sshd frees a session slot only after it has closed the channel on its
   * side, a moment after our 'close' event; an open refused in that window
   * ran nothing, so it is safe to try again shortly.
   */
  private async execWithChannelRetry(command: string, options: ExecOptions): Promise<ExecResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.execOnChannel(command, options);
      } catch (error) {
        if (!(error instanceof ChannelOpenError) || attempt >= CHANNEL_OPEN_ATTEMPTS) {
          throw error instanceof ChannelOpenError ? new UnreachableError(this.node, `cannot open an SSH channel: ${error.message}`) : error;
        }
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  }

  private execOnChannel(command: string, options: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, channel: ClientChannel) => {
        if (error) {
          reject(new ChannelOpenError(error.message));
          return;
        }
        this.execCount += 1;
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let code: number | undefined;
        let timer: NodeJS.Timeout | undefined;
        if (options.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            channel.close();
            reject(new UnreachableError(this.node, `command did not finish within ${options.timeoutMs} ms`));
          }, options.timeoutMs);
        }
        channel.on('data', (b: Buffer) => out.push(b));
        channel.stderr.on('data', (b: Buffer) => err.push(b));
        channel.on('exit', (exitCode: number | null, signal?: string) => {
          code = exitCode ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 255);
        });
        channel.on('close', () => {
          if (timer) clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 255 });
        });
        if (options.stdin !== undefined) channel.end(options.stdin);
        else channel.end();
      });
    });
  }

  async close(): Promise<void> {
    for (const client of [...this.clients].reverse()) client.end();
  }
}

const CHANNEL_OPEN_ATTEMPTS = 8;

/** The server refused to open a channel: nothing ran. */
class ChannelOpenError extends Error {}

const SIGNALS: Readonly<Record<string, number>> = { HUP: 1, INT: 2, KILL: 9, PIPE: 13, TERM: 15 };
