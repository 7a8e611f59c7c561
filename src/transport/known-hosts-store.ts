import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatKnownHostLine, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

/**
 * Reads each known_hosts file once per run and serializes appends, so that
 * 100 nodes connecting in parallel neither re-read the file 100 times nor
 * interleave their writes.
 */
export class KnownHostsStore {
  private readonly cache = new Map<string, Promise<KnownHostEntry[]>>();
  private appendChain: Promise<void> = Promise.resolve();

  entries(file: string): Promise<KnownHostEntry[]> {
    let entries = this.cache.get(file);
    if (!entries) {
      entries = readFile(file, 'utf8').then(parseKnownHosts, (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      this.cache.set(file, entries);
    }
    return entries;
  }

  /** Append a key for host:port; hashed if the file already hashes its names. */
  append(file: string, host: string, port: number, blob: Buffer): Promise<void> {
    const step = this.appendChain.then(async () => {
      const entries = await this.entries(file);
      const hashed = entries.length > 0 && entries.every((e) => e.hostPatterns.startsWith('|1|'));
      const line = formatKnownHostLine(host, port, blob, hashed);
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      let existing = '';
      try {
        existing = await readFile(file, 'utf8');
      } catch {
        existing = '';
      }
      const prefix = existing === '' || existing.endsWith('\n') ? '' : '\n';
      await appendFile(file, `${prefix}${line}\n`, { mode: 0o600 });
      entries.push(...parseKnownHosts(line).map((e) => ({ ...e, line: -1 })));
    });
    this.appendChain = step.catch(() => undefined);
    return step;
  }
}
