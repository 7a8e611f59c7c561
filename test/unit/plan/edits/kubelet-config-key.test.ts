/**
 * setKubeletConfigKey: one key set in a KubeletConfiguration, every other
 * byte of the file untouched.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { setKubeletConfigKey } from '../../../../src/plan/edits/kubelet-config-key.js';
import { fixture } from '../../evaluate/kubelet/support/kubelet-node.js';

function edited(text: string, key: string, value: Parameters<typeof setKubeletConfigKey>[2]): string {
  const result = setKubeletConfigKey(text, key, value);
  if (result.kind !== 'edited') throw new Error(`expected an edit, got ${JSON.stringify(result)}`);
  return result.after;
}

/** Lines of `after` that are not in `before`, and lines of `before` that are gone, in order. */
function lineChanges(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

const kubeadm = fixture('lab-drifted/config.yaml');
const commented = fixture('commented-config/config.yaml');

describe('setKubeletConfigKey', () => {
  it('replaces an existing value in place and keeps its trailing comment', () => {
    const after = edited(commented, 'authentication.anonymous.enabled', false);
    expect(lineChanges(commented, after)).toEqual({
      removed: ['    enabled: true   # TODO(platform): turn off once the probe agent uses a token'],
      added: ['    enabled: false   # TODO(platform): turn off once the probe agent uses a token'],
    });
    expect(lineChanges(commented, edited(commented, 'readOnlyPort', 0))).toEqual({
      removed: ['readOnlyPort: 10255 # legacy metrics scraping'],
      added: ['readOnlyPort: 0 # legacy metrics scraping'],
    });
  });

  it("inserts a new key in key order in kubeadm's sorted file, indented like its siblings", () => {
    expect(lineChanges(kubeadm, edited(kubeadm, 'seccompDefault', true))).toEqual({ removed: [], added: ['seccompDefault: true'] });
    const after = edited(kubeadm, 'featureGates.RotateKubeletServerCertificate', true);
    expect(after).toContain('evictionPressureTransitionPeriod: 0s\nfeatureGates:\n  RotateKubeletServerCertificate: true\nfileCheckFrequency: 0s\n');
  });

  it('appends to the end of an unsorted mapping, before a trailing comment, and creates missing parents', () => {
    const after = edited(commented, 'tlsCipherSuites', ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384']);
    // The file indents its sequences (clusterDNS), so the new one is indented too.
    expect(
      after.endsWith(
        '  memory.available: "100Mi"\ntlsCipherSuites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n# end of file\n',
      ),
    ).toBe(true);
    // A one-key mapping counts as sorted: the new parent goes before `kind`.
    expect(edited('kind: KubeletConfiguration\n', 'authentication.x509.clientCAFile', '/etc/kubernetes/pki/ca.crt')).toBe(
      'authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nkind: KubeletConfiguration\n',
    );
  });

  it("adds to an existing nested mapping with the file's own indentation", () => {
    const fourSpaces = 'authentication:\n    anonymous:\n        enabled: true\nkind: KubeletConfiguration\n';
    expect(edited(fourSpaces, 'authentication.webhook.enabled', true)).toBe(
      'authentication:\n    anonymous:\n        enabled: true\n    webhook:\n        enabled: true\nkind: KubeletConfiguration\n',
    );
  });

  it('turns an empty flow mapping into a block, and extends a non-empty one in place', () => {
    expect(edited(kubeadm, 'memorySwap.swapBehavior', 'NoSwap')).toContain('\nmemorySwap:\n  swapBehavior: NoSwap\nnodeStatusReportFrequency');
    expect(edited('featureGates: {A: true}\n', 'featureGates.RotateKubeletServerCertificate', true)).toBe(
      'featureGates: {A: true, RotateKubeletServerCertificate: true}\n',
    );
  });

  it("replaces a block list keeping the file's sequence indentation", () => {
    expect(edited(commented, 'clusterDNS', ['10.96.0.10', '10.96.0.11'])).toContain('clusterDNS:\n  - 10.96.0.10\n  - 10.96.0.11\nclusterDomain');
  });

  it('quotes strings that YAML 1.1 would read as something else', () => {
    expect(edited('kind: KubeletConfiguration\n', 'x', 'on')).toBe('kind: KubeletConfiguration\nx: "on"\n');
    expect(edited('kind: KubeletConfiguration\n', 'streamingConnectionIdleTimeout', '4h0m0s')).toBe(
      'kind: KubeletConfiguration\nstreamingConnectionIdleTimeout: 4h0m0s\n',
    );
  });

  it('keeps CRLF line ends and a missing final newline', () => {
    expect(edited('a: 1\r\nc:\r\n  d: 2\r\n', 'c.b', 'x')).toBe('a: 1\r\nc:\r\n  b: x\r\n  d: 2\r\n');
    expect(edited('a: 1', 'b', 0)).toBe('a: 1\nb: 0');
  });

  it('rewrites JSON configs with their indentation', () => {
    expect(edited('{\n    "kind": "KubeletConfiguration",\n    "readOnlyPort": 10255\n}\n', 'readOnlyPort', 0)).toBe(
      '{\n    "kind": "KubeletConfiguration",\n    "readOnlyPort": 0\n}\n',
    );
  });

  it('changes nothing when the key already has the value, and refuses what it cannot edit safely', () => {
    expect(setKubeletConfigKey(kubeadm, 'authentication.anonymous.enabled', true)).toEqual({ kind: 'unchanged' });
    expect(setKubeletConfigKey('a: 1\n---\nb: 2\n', 'a', 2)).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringContaining('more than one YAML document'),
    });
    expect(setKubeletConfigKey('authentication: webhook\n', 'authentication.anonymous.enabled', false)).toMatchObject({ kind: 'unsupported' });
    expect(setKubeletConfigKey('a: [unclosed\n', 'a', 1)).toMatchObject({ kind: 'unsupported' });
  });
});

describe('setKubeletConfigKey properties', () => {
  const keySegment = fc.constantFrom('authentication', 'anonymous', 'enabled', 'readOnlyPort', 'featureGates', 'Gate', 'evictionHard', 'zz', 'aa');
  const key = fc.array(keySegment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
  const value = fc.oneof(
    fc.boolean(),
    fc.integer({ min: -5, max: 70000 }),
    fc.constantFrom('4h0m0s', 'Webhook', '/etc/kubernetes/pki/ca.crt', 'yes', '0'),
    fc.array(fc.constantFrom('A', 'B', 'C'), { minLength: 1, maxLength: 3 }),
  );
  const base = fc.constantFrom(kubeadm, commented, 'kind: KubeletConfiguration\n');

  it('sets exactly the key: the data equals the old data with that key, and setting it again changes nothing', () => {
    fc.assert(
      fc.property(base, key, value, (text, k, v) => {
        const result = setKubeletConfigKey(text, k, v);
        if (result.kind !== 'edited') return;
        const data = parseDocument(result.after, { version: '1.1' }).toJS() as Record<string, unknown>;
        let cursor: unknown = data;
        for (const part of k.split('.')) cursor = (cursor as Record<string, unknown>)[part];
        expect(cursor).toEqual(v);
        expect(setKubeletConfigKey(result.after, k, v)).toEqual({ kind: 'unchanged' });
      }),
    );
  });

  it("only inserts lines for a new key, and only rewrites the old value's lines for an existing one", () => {
    fc.assert(
      fc.property(base, key, value, (text, k, v) => {
        const result = setKubeletConfigKey(text, k, v);
        if (result.kind !== 'edited') return;
        const { removed } = lineChanges(text, result.after);
        const parts = k.split('.');
        const document = parseDocument(text, { version: '1.1' });
        const node = document.getIn(parts, true) as { range?: [number, number, number] } | undefined;
        if (node === undefined || node.range === undefined) {
          expect(removed).toEqual([]);
          return;
        }
        // The old value spans from its key's line to its last line: nothing outside that may change.
        const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
        const lines = text.split('\n');
        const first = lineOf(node.range[0]);
        const last = lineOf(Math.max(node.range[0], node.range[1] - 1));
        const allowed = lines.slice(Math.max(0, first - 1), last + 1);
        for (const line of removed) expect(allowed).toContain(line);
      }),
    );
  });
});
