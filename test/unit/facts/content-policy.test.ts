import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { containsPrivateKey, isKeyFileName } from '../../../src/facts/content-policy.js';

describe('the content policy', () => {
  it('recognises key material by file name', () => {
    for (const path of [
      '/etc/kubernetes/pki/sa.key',
      '/etc/kubernetes/pki/etcd/server.key',
      '/etc/ssl/node-key.pem',
      '/var/lib/kubelet/pki/kubelet-client-current.pem',
      '/var/lib/kubelet/pki/kubelet-server-2025-01-01.pem',
      '/x/bundle.p12',
    ]) {
      expect(isKeyFileName(path)).toBe(true);
    }
    for (const path of ['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/admin.conf', '/etc/kubernetes/keys.d/x.yaml', '/a.key/b.yaml']) {
      expect(isKeyFileName(path)).toBe(false);
    }
  });

  it('finds a private key whether written out or base64-encoded at any offset', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.constantFrom('RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY'), (prefix, label) => {
        const pem = `-----BEGIN ${label}-----\nMIIE\n-----END ${label}-----\n`;
        expect(containsPrivateKey(`${prefix}${pem}`)).toBe(true);
        expect(containsPrivateKey(Buffer.from(`${prefix}${pem}`).toString('base64'))).toBe(true);
      }),
    );
    expect(containsPrivateKey('-----BEGIN CERTIFICATE-----\nMIIC\n')).toBe(false);
  });
});
