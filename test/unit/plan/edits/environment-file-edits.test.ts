/**
 * Byte-exact edits of a systemd environment file: only the assignment an
 * edit is about changes; comments, blank lines, other assignments and line
 * endings stay; quoting follows the old line; every edit is idempotent.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEnvironmentFile } from '../../../../src/evaluate/kubelet/environment-file.js';
import { quoteEnvironmentValue, removeVariable, setVariable } from '../../../../src/plan/edits/environment-file-edits.js';
import { applySplices } from '../../../../src/plan/edits/text-splice.js';

const FILE = `## etcd(1) daemon options
# comment ETCD_CLIENT_CERT_AUTH="false" in a comment stays
ETCD_NAME="cp-1"
ETCD_CLIENT_CERT_AUTH="false"
  ETCD_AUTO_TLS=true
ETCD_PEER_AUTO_TLS='true'

; another comment
ETCD_DATA_DIR=/var/lib/etcd
`;

const set = (text: string, name: string, value: string) => applySplices(text, setVariable(text, name, value));
const valueOf = (text: string, name: string) =>
  parseEnvironmentFile(text)
    .filter((a) => a.name === name)
    .pop()?.value.text;

describe('environment file edits', () => {
  it('rewrites the assignment in place, keeping its quoting and every other byte', () => {
    expect(set(FILE, 'ETCD_CLIENT_CERT_AUTH', 'true')).toBe(FILE.replace('ETCD_CLIENT_CERT_AUTH="false"\n', 'ETCD_CLIENT_CERT_AUTH="true"\n'));
    expect(set(FILE, 'ETCD_AUTO_TLS', 'false')).toBe(FILE.replace('  ETCD_AUTO_TLS=true', '  ETCD_AUTO_TLS=false'));
    expect(set(FILE, 'ETCD_PEER_AUTO_TLS', 'false')).toBe(FILE.replace("ETCD_PEER_AUTO_TLS='true'", "ETCD_PEER_AUTO_TLS='false'"));
  });

  it('appends a variable the file does not set, on a line of its own even without a final newline', () => {
    expect(set(FILE, 'ETCD_PEER_CLIENT_CERT_AUTH', 'true')).toBe(`${FILE}ETCD_PEER_CLIENT_CERT_AUTH="true"\n`);
    expect(set('A=1', 'B', '2')).toBe('A=1\nB="2"');
    expect(set('A=1\r\n', 'B', '2')).toBe('A=1\r\nB="2"\r\n');
  });

  it('edits the assignment systemd uses (the last one) and changes nothing when it already holds the value', () => {
    const twice = 'X=1\nX=2\n';
    expect(set(twice, 'X', '3')).toBe('X=1\nX=3\n');
    expect(setVariable(FILE, 'ETCD_NAME', 'cp-1')).toEqual([]);
  });

  it('removes every assignment of a variable, whole lines only', () => {
    expect(applySplices(FILE, removeVariable(FILE, 'ETCD_AUTO_TLS'))).toBe(FILE.replace('  ETCD_AUTO_TLS=true\n', ''));
    expect(removeVariable(FILE, 'ETCD_MISSING')).toEqual([]);
  });

  it('quotes a value so that systemd reads back exactly that value', () => {
    expect(quoteEnvironmentValue('a b', 'plain')).toBe('"a b"');
    expect(quoteEnvironmentValue('say "$HOME"', 'double')).toBe('"say \\"\\$HOME\\""');
    expect(quoteEnvironmentValue("it's", 'single')).toBe('"it\'s"');
  });

  it('is idempotent and reads back the value set, for any value and any file (property)', () => {
    const value = fc.string({ maxLength: 20 }).filter((v) => !v.includes('\n') && !v.includes('\r') && v.trim() === v);
    fc.assert(
      fc.property(value, fc.constantFrom('ETCD_NAME', 'ETCD_CLIENT_CERT_AUTH', 'ETCD_AUTO_TLS', 'ETCD_PEER_AUTO_TLS', 'ETCD_NEW'), (v, name) => {
        const once = set(FILE, name, v);
        expect(valueOf(once, name)).toBe(v);
        expect(set(once, name, v)).toBe(once);
        // Every other assignment reads as before.
        for (const a of parseEnvironmentFile(FILE)) if (a.name !== name) expect(valueOf(once, a.name)).toBe(valueOf(FILE, a.name));
      }),
    );
  });
});
