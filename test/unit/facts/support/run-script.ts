/** Runs the real gathering script through LocalTransport against a FakeNode. */

import { gatherCommand, gatherFacts } from '../../../../src/facts/gather-facts.js';
import { GATHER_SCRIPT } from '../../../../src/facts/gather-script.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { LocalTransport } from '../../../../src/transport/local.js';
import type { FakeNode } from './fake-node.js';

export const SHELLS = ['/bin/dash', '/bin/bash'] as const;

export function gatherFrom(node: FakeNode, shell: string = '/bin/sh', name = 'cp-1'): Promise<NodeFacts> {
  return gatherFacts(new LocalTransport(name), { shell, fakeNode: { root: node.root, procDir: node.procDir } });
}

/** The script's raw stdout, for tests about what crosses the wire. */
export async function rawOutput(node: FakeNode, shell: string = '/bin/sh'): Promise<Buffer> {
  const result = await new LocalTransport('cp-1').exec(gatherCommand({ shell, fakeNode: { root: node.root, procDir: node.procDir } }), {
    stdin: GATHER_SCRIPT,
  });
  if (result.code !== 0) throw new Error(`script failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** Every byte the node sent, with base64 payloads decoded: what an eavesdropper on our side could read. */
export function decodedWire(stdout: Buffer): string {
  const parts: string[] = [];
  let chunk: string[] = [];
  for (const line of stdout.toString('latin1').split('\n')) {
    if (line.startsWith('@@') || line.startsWith('#')) {
      parts.push(Buffer.from(chunk.join(''), 'base64').toString('latin1'), line);
      chunk = [];
    } else {
      chunk.push(line);
    }
  }
  parts.push(Buffer.from(chunk.join(''), 'base64').toString('latin1'));
  return parts.join('\n');
}
