/**
 * gatherFacts: one exec per node (DESIGN.md §6). The constant gathering
 * script goes to the node's shell on stdin; the output is parsed here.
 */

import { UnreachableError } from '../model/errors.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { buildCommand } from '../transport/shell-quote.js';
import { GATHER_SCRIPT } from './gather-script.js';
import { parseFacts } from './parse-facts.js';
import type { NodeFacts } from './types.js';

export interface GatherOptions {
  /** Abort the script after this long. Default 120 s. */
  readonly timeoutMs?: number;
  /** The POSIX shell that runs the script (a constant path). Default /bin/sh. */
  readonly shell?: string;
  /**
   * Read a fake node tree instead of / and /proc (unit tests, the lab): the
   * script sees CISFIX_FACTS_ROOT and CISFIX_FACTS_PROC. Paths in the
   * returned facts are node paths, without `root` in front.
   */
  readonly fakeNode?: { readonly root: string; readonly procDir: string };
}

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_QUOTED_STDERR = 300;

/** The command line that runs the script from stdin. Exported for tests. */
export function gatherCommand(options: GatherOptions = {}): string {
  const shell = options.shell ?? '/bin/sh';
  if (!/^\/[A-Za-z0-9_./-]+$/.test(shell)) throw new TypeError(`shell must be an absolute path: ${shell}`);
  if (!options.fakeNode) return `${shell} -s`;
  return buildCommand('env', `CISFIX_FACTS_ROOT=${options.fakeNode.root}`, `CISFIX_FACTS_PROC=${options.fakeNode.procDir}`, shell, '-s');
}

/** The first non-empty stderr line, shortened: enough to act on, never a dump. */
function firstLine(stderr: string): string {
  const line = stderr
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
  if (line === undefined) return 'no error output';
  return line.length > MAX_QUOTED_STDERR ? `${line.slice(0, MAX_QUOTED_STDERR)}…` : line;
}

/**
 * Gathers the facts of the transport's node. Throws UnreachableError when the
 * script fails on the node or its output is cut short, BugError when the
 * output does not parse.
 */
export async function gatherFacts(transport: NodeTransport, options: GatherOptions = {}): Promise<NodeFacts> {
  const result = await transport.exec(gatherCommand(options), {
    stdin: GATHER_SCRIPT,
    privileged: true,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  if (result.code !== 0) {
    throw new UnreachableError(transport.node, `fact gathering failed (exit ${result.code}): ${firstLine(result.stderr)}`, [
      'The gathering script needs a POSIX sh with GNU coreutils (stat, base64, sha256sum) and awk on the node.',
    ]);
  }
  return parseFacts(transport.node, result.stdout);
}
