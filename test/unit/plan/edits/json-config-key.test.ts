/**
 * setJsonConfigKey / setKubeletConfigKey on JSON: a key set in a JSON
 * kubelet configuration (the EKS node image's kubelet-config.json) in place,
 * as JSON: the result is valid JSON and every byte outside the edit stays.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { setJsonConfigKey } from '../../../../src/plan/edits/json-config-key.js';
import { setKubeletConfigKey } from '../../../../src/plan/edits/kubelet-config-key.js';

/** As the EKS AL2 node image leaves it after bootstrap.sh (jq, 2 spaces), with drifts a hand-edit made. */
const EKS = `{
  "kind": "KubeletConfiguration",
  "apiVersion": "kubelet.config.k8s.io/v1beta1",
  "address": "0.0.0.0",
  "authentication": {
    "anonymous": {
      "enabled": true
    },
    "webhook": {
      "cacheTTL": "2m0s",
      "enabled": true
    },
    "x509": {
      "clientCAFile": "/etc/kubernetes/pki/ca.crt"
    }
  },
  "authorization": {
    "mode": "AlwaysAllow",
    "webhook": {
      "cacheAuthorizedTTL": "5m0s",
      "cacheUnauthorizedTTL": "30s"
    }
  },
  "clusterDomain": "cluster.local",
  "readOnlyPort": 10255,
  "featureGates": {
    "RotateKubeletServerCertificate": false
  },
  "clusterDNS": [
    "10.100.0.10"
  ],
  "maxPods": 17
}
`;

function edited(text: string, key: string, value: Parameters<typeof setJsonConfigKey>[2], path?: string): string {
  const result = setKubeletConfigKey(text, key, value, path);
  if (result.kind !== 'edited') throw new Error(`expected an edit, got ${JSON.stringify(result)}`);
  return result.after;
}

describe('setKubeletConfigKey on a JSON file', () => {
  it('replaces an existing value and nothing else', () => {
    expect(edited(EKS, 'authentication.anonymous.enabled', false)).toBe(
      EKS.replace('"enabled": true\n    },\n    "webhook"', '"enabled": false\n    },\n    "webhook"'),
    );
    expect(edited(EKS, 'readOnlyPort', 0)).toBe(EKS.replace('"readOnlyPort": 10255', '"readOnlyPort": 0'));
    expect(edited(EKS, 'authorization.mode', 'Webhook')).toBe(EKS.replace('"AlwaysAllow"', '"Webhook"'));
  });

  it('appends a new key to its object with the file indentation, keeping the rest byte for byte', () => {
    const after = edited(EKS, 'streamingConnectionIdleTimeout', '4h0m0s');
    expect(after).toBe(EKS.replace('"maxPods": 17\n}', '"maxPods": 17,\n  "streamingConnectionIdleTimeout": "4h0m0s"\n}'));
    const nested = edited(EKS, 'featureGates.CPUManager', true);
    expect(nested).toBe(EKS.replace('"RotateKubeletServerCertificate": false\n  }', '"RotateKubeletServerCertificate": false,\n    "CPUManager": true\n  }'));
    const parent = edited('{\n    "kind": "KubeletConfiguration"\n}\n', 'authentication.anonymous.enabled', false);
    expect(parent).toBe(
      '{\n    "kind": "KubeletConfiguration",\n    "authentication": {\n        "anonymous": {\n            "enabled": false\n        }\n    }\n}\n',
    );
  });

  it('keeps CRLF line ends, tabs, a missing final newline, and a one-line file on one line', () => {
    expect(edited('{\r\n\t"kind": "KubeletConfiguration"\r\n}', 'readOnlyPort', 0)).toBe('{\r\n\t"kind": "KubeletConfiguration",\r\n\t"readOnlyPort": 0\r\n}');
    const compact = edited('{"kind":"KubeletConfiguration","authentication":{"anonymous":{"enabled":true}}}', 'authentication.anonymous.enabled', false);
    expect(compact).toBe('{"kind":"KubeletConfiguration","authentication":{"anonymous":{"enabled":false}}}');
    expect(edited('{"kind":"KubeletConfiguration"}', 'rotateCertificates', true)).not.toContain('\n');
  });

  it('never writes YAML into a JSON file: a new list is a JSON array', () => {
    const after = edited(EKS, 'tlsCipherSuites', ['TLS_A', 'TLS_B']);
    expect(JSON.parse(after)).toMatchObject({ tlsCipherSuites: ['TLS_A', 'TLS_B'] });
    expect(after).toContain('"tlsCipherSuites": [\n    "TLS_A",\n    "TLS_B"\n  ]');
  });

  it('changes nothing when the key has the value, and refuses what is not JSON or has no object to hold the key', () => {
    expect(setKubeletConfigKey(EKS, 'address', '0.0.0.0', '/etc/kubernetes/kubelet/kubelet-config.json')).toEqual({ kind: 'unchanged' });
    expect(setKubeletConfigKey('{"a": 1,}', 'a', 2, '/x/kubelet-config.json')).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringContaining('not valid JSON'),
    });
    expect(setKubeletConfigKey('kind: KubeletConfiguration\n', 'a', 2, '/x/config.json')).toMatchObject({ kind: 'unsupported' });
    expect(setKubeletConfigKey(EKS, 'clusterDomain.x', 2)).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('not an object') });
  });
});

describe('setJsonConfigKey properties', () => {
  const segment = fc.constantFrom('authentication', 'anonymous', 'enabled', 'readOnlyPort', 'featureGates', 'Gate', 'clusterDNS', 'zz', 'maxPods');
  const key = fc.array(segment, { minLength: 1, maxLength: 3 });
  const value = fc.oneof(
    fc.boolean(),
    fc.integer({ min: -5, max: 70000 }),
    fc.constantFrom('4h0m0s', 'Webhook', 'with "quotes" and \\ slashes'),
    fc.array(fc.constantFrom('A', 'B'), { minLength: 0, maxLength: 2 }),
  );
  const base = fc.constantFrom(EKS, '{"kind":"KubeletConfiguration","featureGates":{}}', '{\n    "kind": "KubeletConfiguration"\n}');

  it('yields valid JSON holding the old data with exactly that key set; setting it again changes nothing', () => {
    fc.assert(
      fc.property(base, key, value, (text, parts, v) => {
        const result = setJsonConfigKey(text, parts, v);
        if (result.kind !== 'edited') return;
        const data = JSON.parse(result.after) as Record<string, unknown>;
        let cursor: unknown = data;
        for (const part of parts) cursor = (cursor as Record<string, unknown>)[part];
        expect(cursor).toEqual(v);
        expect(setJsonConfigKey(result.after, parts, v)).toEqual({ kind: 'unchanged' });
      }),
    );
  });

  it('keeps every untouched property byte for byte', () => {
    fc.assert(
      fc.property(base, key, value, (text, parts, v) => {
        const result = setJsonConfigKey(text, parts, v);
        if (result.kind !== 'edited') return;
        // Each top-level property other than the edited one appears in the result with its exact text.
        const top = JSON.parse(text) as Record<string, unknown>;
        for (const [k, val] of Object.entries(top)) {
          if (k === parts[0]) continue;
          if (text.includes('\n')) {
            const pretty = JSON.stringify({ [k]: val }, null, /\n( +)"/.exec(text)?.[1] ?? '  ')
              .slice(2, -2)
              .trim();
            if (text.includes(pretty)) expect(result.after).toContain(pretty);
          } else {
            expect(result.after).toContain(JSON.stringify({ [k]: val }).slice(1, -1));
          }
        }
      }),
    );
  });
});
