import { CisFixError, BugError, UnreachableError } from '../model/errors.js';
import type { NodeSpec } from '../model/node.js';
import { KnownHostsStore } from '../transport/known-hosts-store.js';
import { connectSsh, type SshTransport } from '../transport/ssh.js';
import { mapConcurrent } from '../transport/semaphore.js';

import type { NodeFailure } from '../model/node-check.js';

export type NodeOutcome<T> =
  | { readonly node: string; readonly ok: true; readonly value: T; readonly hostKeyFingerprint: string }
  | { readonly node: string; readonly ok: false; readonly error: NodeFailure; readonly stage: 'connect' | 'work' };

export interface NodeSessionOptions {
  readonly concurrency: number;
  readonly acceptNewHostKeys?: boolean;
  readonly onHostKeyAccepted?: (node: string, host: string, port: number, fingerprint: string) => void;
  /** Called once per node when its work is done (for progress). */
  readonly onNodeDone?: (node: string) => void;
}

/**
 * Connect to every node (in parallel, at most `concurrency` at once), run
 * `work` on its one connection, and close it. A node that fails does not stop
 * the others: each outcome says what happened there.
 */
export async function withNodeSessions<T>(
  nodes: readonly NodeSpec[],
  options: NodeSessionOptions,
  work: (transport: SshTransport, node: NodeSpec) => Promise<T>,
): Promise<NodeOutcome<T>[]> {
  const knownHosts = new KnownHostsStore();
  return mapConcurrent(nodes, options.concurrency, async (node): Promise<NodeOutcome<T>> => {
    let transport: SshTransport | undefined;
    try {
      transport = await connectSsh(node, {
        knownHosts,
        acceptNewHostKeys: options.acceptNewHostKeys ?? false,
        onHostKeyAccepted: (host, port, fp) => options.onHostKeyAccepted?.(node.name, host, port, fp),
      });
    } catch (error) {
      options.onNodeDone?.(node.name);
      return { node: node.name, ok: false, stage: 'connect', error: toFailure(error) };
    }
    try {
      const value = await work(transport, node);
      return { node: node.name, ok: true, value, hostKeyFingerprint: transport.hostKeyFingerprint };
    } catch (error) {
      return { node: node.name, ok: false, stage: 'work', error: toFailure(error) };
    } finally {
      await transport.close();
      options.onNodeDone?.(node.name);
    }
  });
}

/** A node's failure as data; the message does not repeat the node's name (the outcome names the node). */
export function toFailure(error: unknown): NodeFailure {
  const known = error instanceof CisFixError ? error : new BugError(String((error as Error)?.message ?? error), { cause: error });
  return { name: known.name, message: known instanceof UnreachableError ? known.detail : known.message, hints: known.hints };
}
