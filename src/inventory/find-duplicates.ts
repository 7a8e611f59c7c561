import type { InputProblem } from '../model/errors.js';
import type { YamlLocator } from './locate.js';
import type { ResolvedNode } from './resolve-nodes.js';

/**
 * Checks across nodes, which a per-value schema cannot make. Each problem
 * points at the second occurrence and names the line of the first, since
 * either may be the one to change.
 */

/**
 * Node names identify nodes in plans, journals and `--nodes`, so they must be
 * unique — case-insensitively, because state files named after nodes may
 * live on a case-insensitive file system (macOS workstations).
 * Reads the raw data so that names are checked even in nodes with other problems.
 */
export function findDuplicateNames(rawNodes: unknown, locator: YamlLocator): InputProblem[] {
  if (!Array.isArray(rawNodes)) return [];
  const first = new Map<string, { name: string; index: number }>();
  const problems: InputProblem[] = [];
  rawNodes.forEach((node: unknown, index) => {
    const name = typeof node === 'object' && node !== null ? (node as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name === '') return;
    const earlier = first.get(name.toLowerCase());
    if (!earlier) {
      first.set(name.toLowerCase(), { name, index });
      return;
    }
    const earlierLine = locator.locate(['nodes', earlier.index, 'name']).line;
    problems.push({
      location: locator.locate(['nodes', index, 'name']),
      message:
        earlier.name === name
          ? `node name "${name}" is used twice (first at line ${earlierLine})`
          : `node name "${name}" differs only in case from "${earlier.name}" (line ${earlierLine})`,
      fix: 'Give each node its own name: names identify nodes in plans, journals and --nodes.',
    });
  });
  return problems;
}

/**
 * Two entries for one SSH endpoint would harden the same machine twice, in
 * parallel, racing for its lock. The endpoint includes the proxy hops: the
 * same private address behind two different bastions is two machines.
 */
export function findDuplicateEndpoints(nodes: readonly ResolvedNode[], locator: YamlLocator): InputProblem[] {
  const first = new Map<string, ResolvedNode>();
  const problems: InputProblem[] = [];
  for (const resolved of nodes) {
    const { ssh, name } = resolved.node;
    const via = ssh.proxyJump.map((hop) => `${hop.host.toLowerCase()}:${hop.port}`).join(',');
    const key = `${ssh.host.toLowerCase()}:${ssh.port}|${via}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, resolved);
      continue;
    }
    const earlierLine = locator.locate(['nodes', earlier.index, 'host']).line;
    problems.push({
      location: locator.locate(['nodes', resolved.index, 'host']),
      message: `node "${name}" connects to ${ssh.host}:${ssh.port}${via ? ` via ${via}` : ''}, as does node "${earlier.node.name}" (line ${earlierLine})`,
      fix: 'Remove the duplicate node; if two machines really share one address (port forwarding), give each its own `ssh: { port: … }`.',
    });
  }
  return problems;
}
