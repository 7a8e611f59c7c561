import { readFileSync } from 'node:fs';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { NodeFacts } from '../../../../src/facts/types.js';

/** Facts gathered by the real script on the lab's drifted RKE2 nodes (test/lab/distributions/rke2.ts: cp-1 a server, worker-1 an agent). */
export function rke2Facts(node: 'cp-1' | 'worker-1'): NodeFacts {
  return parseFacts(node, readFileSync(new URL(`./fixtures/rke2-drifted-${node}.facts.out`, import.meta.url)));
}
