import { gatherFacts } from '../facts/gather-facts.js';
import type { NodeFacts } from '../facts/types.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { withNodeSessions, type NodeOutcome } from './node-sessions.js';

export interface FactsRequest {
  readonly inventoryFile: string;
  readonly nodes?: readonly string[];
  readonly concurrency: number;
  readonly onStart?: (nodeCount: number) => void;
  readonly onNodeDone?: (node: string) => void;
}

/** `cis-fix facts`: gather facts from every selected node, one exec each. */
export async function collectFacts(request: FactsRequest): Promise<NodeOutcome<NodeFacts>[]> {
  const inventory = await loadInventory(request.inventoryFile);
  const nodes = selectNodes(inventory, request.nodes);
  request.onStart?.(nodes.length);
  return withNodeSessions(nodes, { concurrency: request.concurrency, ...(request.onNodeDone ? { onNodeDone: request.onNodeDone } : {}) }, (transport) =>
    gatherFacts(transport),
  );
}
