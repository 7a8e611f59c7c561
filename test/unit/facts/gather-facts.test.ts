import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { gatherCommand, gatherFacts } from '../../../src/facts/gather-facts.js';
import { GATHER_SCRIPT } from '../../../src/facts/gather-script.js';
import { BugError, UnreachableError } from '../../../src/model/errors.js';
import type { ExecOptions, ExecResult, NodeTransport } from '../../../src/transport/node-transport.js';

const recorded = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kubeadm-control-plane.out'));

class ScriptedTransport implements NodeTransport {
  readonly calls: { command: string; options: ExecOptions | undefined }[] = [];
  constructor(
    readonly node: string,
    private readonly result: ExecResult,
  ) {}
  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    this.calls.push({ command, options });
    return this.result;
  }
  async close(): Promise<void> {}
}

describe('gatherFacts', () => {
  it('sends the constant script on stdin of one privileged exec', async () => {
    const transport = new ScriptedTransport('cp-1', { stdout: recorded, stderr: '', code: 0 });
    const facts = await gatherFacts(transport);
    expect(transport.calls).toHaveLength(1);
    expect(transport.calls[0]).toEqual({
      command: '/bin/sh -s',
      options: { stdin: GATHER_SCRIPT, privileged: true, timeoutMs: 120_000 },
    });
    expect(facts.node).toBe('cp-1');
  });

  it('fails with the node name and the first stderr line when the script exits non-zero', async () => {
    const transport = new ScriptedTransport('worker-3', {
      stdout: Buffer.from('#cisfix-facts 1\n'),
      stderr: '\ncis-fix facts: stat does not support --printf (GNU coreutils stat is required)\nmore\n',
      code: 3,
    });
    const error = await gatherFacts(transport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toBe(
      'worker-3: fact gathering failed (exit 3): cis-fix facts: stat does not support --printf (GNU coreutils stat is required)',
    );
  });

  it('shortens a long stderr line and says so when there is none', async () => {
    const long = new ScriptedTransport('n', { stdout: Buffer.alloc(0), stderr: 'x'.repeat(5000), code: 1 });
    await expect(gatherFacts(long)).rejects.toThrow(/exit 1\): x{300}…$/);
    const silent = new ScriptedTransport('n', { stdout: Buffer.alloc(0), stderr: '', code: 137 });
    await expect(gatherFacts(silent)).rejects.toThrow('n: fact gathering failed (exit 137): no error output');
  });

  it('reports output that does not parse as a bug', async () => {
    const transport = new ScriptedTransport('cp-1', { stdout: Buffer.from('#cisfix-facts 1\n@@host\n!!\n@@end 0\n'), stderr: '', code: 0 });
    await expect(gatherFacts(transport)).rejects.toThrow(BugError);
  });
});

describe('gatherCommand', () => {
  it('quotes a fake node tree for env and refuses a shell that is not a plain absolute path', () => {
    expect(gatherCommand({ shell: '/bin/dash', fakeNode: { root: "/tmp/a b'c", procDir: '/tmp/p' } })).toBe(
      "env 'CISFIX_FACTS_ROOT=/tmp/a b'\\''c' CISFIX_FACTS_PROC=/tmp/p /bin/dash -s",
    );
    expect(() => gatherCommand({ shell: 'sh; rm -rf /' })).toThrow(TypeError);
  });
});
