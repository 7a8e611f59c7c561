import { gatherFacts } from '../facts/gather-facts.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { SudoError } from '../model/errors.js';
import type { NodeCheck } from '../model/node-check.js';
import type { Role } from '../model/roles.js';
import { withNodeSessions } from './node-sessions.js';

export interface InventoryCheckRequest {
  readonly inventoryFile: string;
  readonly nodes?: readonly string[];
  readonly acceptNewHostKeys: boolean;
  readonly concurrency: number;
  readonly onNodeDone?: (node: string) => void;
  readonly onStart?: (nodeCount: number) => void;
}

/**
 * `cis-fix inventory check`: per node, reach it (host key verified), gather
 * facts with one privileged exec (which proves sudo -n works), and compare the
 * roles its running processes show with the roles the inventory declares.
 */
export async function checkInventory(request: InventoryCheckRequest): Promise<NodeCheck[]> {
  // With --accept-new-host-keys the known_hosts file may not exist yet: it is created.
  const inventory = await loadInventory(request.inventoryFile, { requireKnownHosts: !request.acceptNewHostKeys });
  const nodes = selectNodes(inventory, request.nodes);
  request.onStart?.(nodes.length);
  const accepted = new Map<string, string[]>();
  const outcomes = await withNodeSessions(
    nodes,
    {
      concurrency: request.concurrency,
      acceptNewHostKeys: request.acceptNewHostKeys,
      onHostKeyAccepted: (node, host, port, fingerprint) =>
        accepted.set(node, [...(accepted.get(node) ?? []), `${port === 22 ? host : `[${host}]:${port}`} ${fingerprint}`]),
      ...(request.onNodeDone ? { onNodeDone: request.onNodeDone } : {}),
    },
    (transport) => gatherFacts(transport),
  );
  return outcomes.map((outcome, index): NodeCheck => {
    const node = nodes[index]!;
    const base = { node: node.name, host: node.host, declaredRoles: node.roles, acceptedHostKeys: accepted.get(node.name) ?? [] };
    if (!outcome.ok) {
      const reached = outcome.stage === 'work';
      return {
        ...base,
        ok: false,
        reachable: reached,
        hostKeyFingerprint: undefined,
        sudo: outcome.error.name === SudoError.name ? 'refused' : 'not-checked',
        detectedRoles: [],
        roleEvidence: [],
        roleMismatch: undefined,
        kubeletVersion: undefined,
        error: outcome.error,
      };
    }
    const facts = outcome.value;
    const mismatch = describeRoleMismatch(node.roles, facts.roles.roles);
    return {
      ...base,
      ok: mismatch === undefined,
      reachable: true,
      hostKeyFingerprint: outcome.hostKeyFingerprint,
      sudo: 'ok',
      detectedRoles: facts.roles.roles,
      roleEvidence: facts.roles.evidence,
      roleMismatch: mismatch,
      kubeletVersion: facts.kubeletVersion?.version ?? undefined,
      error: undefined,
    };
  });
}

/** Pure: undefined when declared and detected roles are the same set. */
export function describeRoleMismatch(declared: readonly Role[], detected: readonly Role[]): string | undefined {
  const missing = declared.filter((r) => !detected.includes(r));
  const extra = detected.filter((r) => !declared.includes(r));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts = [];
  if (missing.length) parts.push(`declared ${missing.join(', ')} but no ${missing.map(roleProcess).join('/')} runs`);
  if (extra.length) parts.push(`runs as ${extra.join(', ')} but the inventory does not say so`);
  return parts.join('; ');
}

function roleProcess(role: Role): string {
  return role === 'control-plane' ? 'kube-apiserver' : role === 'etcd' ? 'etcd' : 'kubelet';
}
