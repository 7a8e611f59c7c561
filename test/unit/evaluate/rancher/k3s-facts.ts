import { readFileSync } from 'node:fs';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { NodeFacts } from '../../../../src/facts/types.js';

/**
 * Facts gathered by the real script on the lab's drifted k3s nodes
 * (test/lab/distributions/k3s.ts: cp-1 a server, worker-1 an agent; the
 * components k3s runs inside its own process come from its journal).
 * Re-recorded by fixtures/record-k3s-fixtures.ts.
 */
export function k3sFacts(node: 'cp-1' | 'worker-1'): NodeFacts {
  return parseFacts(node, readFileSync(new URL(`./fixtures/k3s-drifted-${node}.facts.out`, import.meta.url)));
}

/** The same from the lab's `variant` k3s nodes: token inline in config.yaml, the drifts in config.yaml.d (fixtures/k3s-variant-*). */
export function k3sVariantFacts(node: 'cp-1' | 'worker-1'): NodeFacts {
  return parseFacts(node, readFileSync(new URL(`./fixtures/k3s-variant-${node}.facts.out`, import.meta.url)));
}
