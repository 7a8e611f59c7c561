/**
 * Properties of the real gathering script over generated names and contents
 * (fast-check; each run builds one fake tree and runs the script once).
 */

import { createHash } from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { redactAssignments } from '../../../src/facts/assignment-redaction.js';
import { containsPrivateKey, EMBEDDED_PEM_PREFIX, REDACTED_KEYS } from '../../../src/facts/content-policy.js';
import { FakeNode } from './support/fake-node.js';
import { gatherFrom } from './support/run-script.js';
import { runs } from '../support/property-runs.js';

jest.setTimeout(120_000);

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Any text a file system takes as a name: no '/', no NUL, not . or .., at most 200 bytes. */
const fileName = fc
  .oneof(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 24 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }))
  .filter((n) => !n.includes('/') && !n.includes('\0') && n !== '.' && n !== '..' && Buffer.byteLength(n) <= 200);

/** Text that the redaction rules leave alone (those are tested with fixed cases). */
const plainContent = fc
  .oneof(fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }))
  .filter(
    (t) =>
      !t.includes('\0') &&
      !containsPrivateKey(t) &&
      !t.includes(EMBEDDED_PEM_PREFIX) &&
      !REDACTED_KEYS.some((key) => new RegExp(`${key}"?[ \\t]*:`).test(t)) &&
      redactAssignments(t) === t,
  );

/** Lines of an environment file or unit drop-in: assignments (some named like credentials), Environment= lines, anything else. */
const NAMES = ['ETCD_NAME', 'ETCDCTL_PASSWORD', 'API_KEY', 'ETCD_KEY_FILE', 'ETCD_INITIAL_CLUSTER_TOKEN', 'my_secret', 'KUBELET_EXTRA_ARGS', 'X_KEY_DATA'];
const value = fc.stringMatching(/^[A-Za-z0-9 ="'./:+_-]{0,24}$/);
const assignmentLine = fc.oneof(
  fc.tuple(fc.constantFrom('', '#', '# ', 'export ', '  '), fc.constantFrom(...NAMES), value).map(([lead, name, v]) => `${lead}${name}=${v}`),
  fc
    .array(fc.tuple(fc.constantFrom(...NAMES), value, fc.boolean()), { minLength: 1, maxLength: 3 })
    .map(
      (words) =>
        `Environment=${words.map(([name, v, quoted]) => (quoted ? `"${name}=${v.replaceAll('"', '')}"` : `${name}=${v.replace(/["' ]/g, '')}`)).join(' ')}`,
    ),
  fc.constantFrom('[Service]', 'ExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS', ''),
);

describe('the gathering script on generated trees', () => {
  it('redacts credential assignments on the node exactly as the parser would, and sends none', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(assignmentLine, { minLength: 1, maxLength: 12 }), async (lines) => {
        const node = new FakeNode();
        try {
          const content = `${lines.join('\n')}\n`;
          node.file('/etc/default/etcd', { content, mode: 0o600 });
          const facts = await gatherFrom(node, '/bin/dash');
          const expected = redactAssignments(content);
          expect(facts.paths['/etc/default/etcd']).toMatchObject({ content: { kind: 'text', text: expected, verbatim: expected === content } });
          expect(facts.notes.filter((n) => n.includes('should have'))).toEqual([]);
        } finally {
          node.remove();
        }
      }),
      runs(8),
    );
  });

  it('lists and hashes files of any name exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fileName, { minLength: 1, maxLength: 12 }), async (names) => {
        const node = new FakeNode();
        try {
          names.forEach((name, i) => node.file(`/etc/kubernetes/pki/${name}`, { content: `file ${i}\n`, mode: 0o600 }));
          const facts = await gatherFrom(node, '/bin/dash');
          const paths = names.map((n) => `/etc/kubernetes/pki/${n}`);
          expect(facts.listings['/etc/kubernetes/pki']?.entries).toEqual([...paths].sort());
          paths.forEach((p, i) => expect(facts.paths[p]).toMatchObject({ exists: true, mode: '600', sha256: sha256(`file ${i}\n`) }));
        } finally {
          node.remove();
        }
      }),
      runs(8),
    );
  });

  it('returns the content of configuration files byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plainContent, { minLength: 1, maxLength: 10 }), async (contents) => {
        const node = new FakeNode();
        try {
          contents.forEach((content, i) => node.file(`/etc/systemd/system/kubelet.service.d/${i}.conf`, content));
          const facts = await gatherFrom(node, '/bin/dash');
          contents.forEach((content, i) =>
            expect(facts.paths[`/etc/systemd/system/kubelet.service.d/${i}.conf`]).toMatchObject({
              content: { kind: 'text', text: content, verbatim: true },
            }),
          );
        } finally {
          node.remove();
        }
      }),
      runs(8),
    );
  });
});
