import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * OpenSSH known_hosts handling (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain
 * host patterns (with `*`, `?` and `!` negation), `[host]:port` for non-22
 * ports, hashed `|1|salt|hmac` entries, and the `@revoked` marker.
 * `@cert-authority` lines are skipped: cis-fix does not accept host
 * certificates, so such a line can never make a key trusted.
 *
 * Pure: parsing and matching take text and return data; reading and appending
 * the file happens in ssh.ts.
 */

export interface KnownHostEntry {
  readonly line: number;
  readonly marker: 'revoked' | undefined;
  readonly hostPatterns: string;
  readonly keyType: string;
  /** The public key blob, base64 as written in the file. */
  readonly keyBase64: string;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@cert-authority') return;
      if (m !== '@revoked') return; // unknown marker: ignore the line, as OpenSSH does
      marker = 'revoked';
    }
    const [hostPatterns, keyType, keyBase64] = fields;
    if (!hostPatterns || !keyType || !keyBase64) return;
    entries.push({ line: index + 1, marker, hostPatterns, keyType, keyBase64 });
  });
  return entries;
}

/** The name a known_hosts file uses for host:port: bare for 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Does the host-pattern field of an entry match `name` (as built by knownHostsName)? */
export function hostPatternsMatch(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , saltB64, hashB64] = field.split('|');
    if (!saltB64 || !hashB64) return false;
    const digest = createHmac('sha1', Buffer.from(saltB64, 'base64')).update(name).digest('base64');
    return digest === hashB64;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(body).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Key type name inside an SSH public key blob (first length-prefixed string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's SHA256 fingerprint: `SHA256:` + unpadded base64 of the blob's digest. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export type HostKeyVerdict =
  | { readonly kind: 'trusted'; readonly entry: KnownHostEntry }
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry }
  | { readonly kind: 'changed'; readonly knownLines: readonly number[] }
  | { readonly kind: 'unknown' };

/**
 * Decide whether `blob` is the key known for host:port. "changed" means the
 * host is known with other keys; "unknown" means it is not known at all.
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const offered = blob.toString('base64');
  const forHost = entries.filter((e) => hostPatternsMatch(e.hostPatterns, name));
  const revoked = entries.find((e) => e.marker === 'revoked' && e.keyBase64 === offered);
  if (revoked) return { kind: 'revoked', entry: revoked };
  const trusted = forHost.find((e) => e.marker === undefined && e.keyBase64 === offered);
  if (trusted) return { kind: 'trusted', entry: trusted };
  const known = forHost.filter((e) => e.marker === undefined);
  if (known.length > 0) return { kind: 'changed', knownLines: known.map((e) => e.line) };
  return { kind: 'unknown' };
}

/** Key types the file knows for host:port, to ask the server for those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entries.filter((e) => e.marker === undefined && hostPatternsMatch(e.hostPatterns, name)).map((e) => e.keyType))];
}

/** A new known_hosts line for host:port; hashed when the file already uses hashed names. */
export function formatKnownHostLine(host: string, port: number, blob: Buffer, hashed: boolean): string {
  const name = knownHostsName(host, port);
  const field = hashed ? hashHostName(name, randomBytes(20)) : name;
  return `${field} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`;
}

export function hashHostName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}
