import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mountVolumeName } from '../../../../src/plan/edits/mount-volume-name.js';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('mountVolumeName', () => {
  it('spells the path after cis-fix-', () => {
    expect(mountVolumeName('/var/log/kubernetes/audit')).toBe('cis-fix-var-log-kubernetes-audit');
    expect(mountVolumeName('/etc/kubernetes/audit/policy.yaml')).toBe('cis-fix-etc-kubernetes-audit-policy-yaml');
    expect(mountVolumeName('/')).toBe('cis-fix-root');
  });

  it('ends in a hash of the path when too long or when asked to disambiguate', () => {
    const long = `/${'very-long-directory-name/'.repeat(4)}file`;
    expect(mountVolumeName(long)).toMatch(/^cis-fix-very-long-directory-name-.*-[0-9a-f]{8}$/);
    expect(mountVolumeName('/a/b', true)).toMatch(/^cis-fix-a-b-[0-9a-f]{8}$/);
    expect(mountVolumeName('/A/b', true)).not.toBe(mountVolumeName('/a/b', true));
  });

  it('is always a valid volume name (a DNS-1123 label) and deterministic', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (path, disambiguate) => {
        const name = mountVolumeName(`/${path}`, disambiguate);
        expect(name).toMatch(DNS_LABEL);
        expect(mountVolumeName(`/${path}`, disambiguate)).toBe(name);
      }),
    );
  });
});
