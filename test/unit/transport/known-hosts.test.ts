import { generateKeyPairSync } from 'node:crypto';
import {
  fingerprintOf,
  formatKnownHostLine,
  hashHostName,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/transport/known-hosts.js';

/** An SSH wire-format ed25519 public key: string "ssh-ed25519", string key (RFC 8709). */
function newEd25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(der.length - 32);
  const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
}

const keyA = newEd25519Blob();
const keyB = newEd25519Blob();
const line = (host: string, blob: Buffer) => `${host} ssh-ed25519 ${blob.toString('base64')}`;

describe('verifyHostKey', () => {
  it('trusts a key listed for the plain host name', () => {
    const entries = parseKnownHosts(`${line('198.18.0.10', keyA)}\n`);
    expect(verifyHostKey(entries, '198.18.0.10', 22, keyA).kind).toBe('trusted');
  });

  it('calls a different key for a known host changed, and an unlisted host unknown', () => {
    const entries = parseKnownHosts(line('198.18.0.10', keyA));
    expect(verifyHostKey(entries, '198.18.0.10', 22, keyB)).toEqual({ kind: 'changed', knownLines: [1] });
    expect(verifyHostKey(entries, '198.18.0.11', 22, keyA).kind).toBe('unknown');
  });

  it('matches [host]:port entries only on that port', () => {
    const entries = parseKnownHosts(line('[198.18.0.10]:2222', keyA));
    expect(verifyHostKey(entries, '198.18.0.10', 2222, keyA).kind).toBe('trusted');
    expect(verifyHostKey(entries, '198.18.0.10', 22, keyA).kind).toBe('unknown');
  });

  it('matches hashed |1| entries written by ssh-keygen -H', () => {
    const hashed = hashHostName('[cp-1.example]:2200', Buffer.from('0123456789abcdefghij'));
    const entries = parseKnownHosts(`${hashed} ssh-ed25519 ${keyA.toString('base64')}`);
    expect(verifyHostKey(entries, 'cp-1.example', 2200, keyA).kind).toBe('trusted');
    expect(verifyHostKey(entries, 'cp-2.example', 2200, keyA).kind).toBe('unknown');
  });

  it('honours wildcards and negations in host patterns', () => {
    const entries = parseKnownHosts(line('*.prod.example,!bad.prod.example', keyA));
    expect(verifyHostKey(entries, 'cp-1.prod.example', 22, keyA).kind).toBe('trusted');
    expect(verifyHostKey(entries, 'bad.prod.example', 22, keyA).kind).toBe('unknown');
  });

  it('refuses a key marked @revoked even when another line trusts it', () => {
    const entries = parseKnownHosts(`${line('198.18.0.10', keyA)}\n@revoked * ssh-ed25519 ${keyA.toString('base64')}\n`);
    expect(verifyHostKey(entries, '198.18.0.10', 22, keyA).kind).toBe('revoked');
  });

  it('never trusts a key because of an @cert-authority line', () => {
    const entries = parseKnownHosts(`@cert-authority * ssh-ed25519 ${keyA.toString('base64')}\n`);
    expect(verifyHostKey(entries, '198.18.0.10', 22, keyA).kind).toBe('unknown');
  });

  it('skips comments and blank lines and keeps line numbers of the file', () => {
    const entries = parseKnownHosts(`# comment\n\n${line('h', keyA)}\n`);
    expect(entries[0]?.line).toBe(3);
  });
});

describe('fingerprints and new lines', () => {
  it('prints the fingerprint the way OpenSSH does', () => {
    expect(fingerprintOf(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOfBlob(keyA)).toBe('ssh-ed25519');
  });

  it('writes a hashed line that verifies, when asked for hashed names', () => {
    const written = formatKnownHostLine('198.18.0.10', 2222, keyA, true);
    expect(written.startsWith('|1|')).toBe(true);
    expect(verifyHostKey(parseKnownHosts(written), '198.18.0.10', 2222, keyA).kind).toBe('trusted');
  });

  it('lists the key types known for a host so the server is asked for those first', () => {
    const entries = parseKnownHosts(`${line('h', keyA)}\nh ssh-rsa AAAA\nother ecdsa-sha2-nistp256 AAAA\n`);
    expect(knownKeyTypes(entries, 'h', 22)).toEqual(['ssh-ed25519', 'ssh-rsa']);
  });
});
