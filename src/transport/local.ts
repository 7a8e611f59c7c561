import { spawn } from 'node:child_process';
import type { ExecOptions, ExecResult, NodeTransport } from './node-transport.js';

/**
 * Runs commands on this machine through /bin/sh: for `cis-fix` running on the
 * node itself, and for tests of the scripts cis-fix sends to nodes.
 * `privileged` is ignored: the local transport runs with the caller's rights.
 */
export class LocalTransport implements NodeTransport {
  constructor(readonly node = 'localhost') {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
      }
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err).toString('utf8'),
          code: code ?? 128 + (signal ? signalNumber(signal) : 0),
        });
      });
      child.stdin.on('error', () => undefined); // the command may exit before reading all of stdin
      child.stdin.end(options.stdin ?? '');
    });
  }

  async close(): Promise<void> {}
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
