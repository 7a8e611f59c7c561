import type { NodeSpec } from '../model/node.js';
import { UnreachableError } from '../model/errors.js';
import { KnownHostsStore } from '../transport/known-hosts-store.js';
import { connectSsh, type SshTransport } from '../transport/ssh.js';
import { mapConcurrent } from '../transport/semaphore.js';

/**
 * Open one connection to each node for a run that needs them all at once
 * (apply, rollback). All or nothing: if any node is unreachable the others
 * are closed and the error names every unreachable node — before anything
 * was changed.
 */
export async function openTransports(nodes: readonly NodeSpec[], concurrency: number): Promise<Map<string, SshTransport>> {
  const knownHosts = new KnownHostsStore();
  type Outcome = { node: NodeSpec; transport: SshTransport; error?: undefined } | { node: NodeSpec; transport?: undefined; error: Error };
  const outcomes = await mapConcurrent(nodes, concurrency, async (node): Promise<Outcome> => {
    try {
      return { node, transport: await connectSsh(node, { knownHosts }) };
    } catch (error) {
      return { node, error: error as Error };
    }
  });
  const failed = outcomes.flatMap((o) => (o.error ? [{ node: o.node, error: o.error }] : []));
  if (failed.length > 0) {
    await Promise.all(outcomes.map((o) => o.transport?.close()));
    const reason = (e: Error) => (e instanceof UnreachableError ? e.detail : e.message);
    const hints = [...new Set(failed.flatMap((f) => (f.error instanceof UnreachableError ? f.error.hints : [])))];
    // Each node named once: the single node in front, or several nodes each with its reason.
    throw failed.length === 1
      ? new UnreachableError(failed[0]!.node.name, `not reachable, so nothing was changed: ${reason(failed[0]!.error)}`, hints)
      : new UnreachableError(
          `${failed.length} nodes`,
          `not reachable, so nothing was changed: ${failed.map((f) => `${f.node.name}: ${reason(f.error)}`).join('; ')}`,
          hints,
        );
  }
  return new Map(outcomes.flatMap((o) => (o.transport ? [[o.node.name, o.transport] as const] : [])));
}

export async function closeTransports(transports: ReadonlyMap<string, SshTransport>): Promise<void> {
  await Promise.all([...transports.values()].map((t) => t.close()));
}
