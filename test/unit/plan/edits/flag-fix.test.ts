import { describe, expect, it } from '@jest/globals';
import type { Requirement, StaticPodFlagStep } from '../../../../src/playbook/types.js';
import { fixFor, requirementSatisfied, resolveRequirement } from '../../../../src/plan/edits/static-pod-manifest.js';
import type { ResolvedRequirement } from '../../../../src/plan/edits/static-pod-manifest.js';

function step(flag: string, requirement: Requirement, needsFile?: StaticPodFlagStep['needsFile']): StaticPodFlagStep {
  return { kind: 'static-pod-flag', component: 'kube-apiserver', flag, requirement, needsFile, when: undefined };
}

function resolved(requirement: Requirement): ResolvedRequirement {
  const result = resolveRequirement(requirement, {});
  if (result.kind !== 'resolved') throw new Error(result.kind);
  return result.requirement;
}

describe('requirementSatisfied, with kube-bench semantics', () => {
  it('equals: true/false case-insensitively, anything else exactly; absent only with allowAbsent', () => {
    const profilingOff = resolved({ op: 'equals', value: 'false', allowAbsent: false });
    expect(requirementSatisfied(profilingOff, 'false')).toBe(true);
    expect(requirementSatisfied(profilingOff, 'False')).toBe(true);
    expect(requirementSatisfied(profilingOff, 'true')).toBe(false);
    expect(requirementSatisfied(profilingOff, undefined)).toBe(false);
    expect(requirementSatisfied(resolved({ op: 'equals', value: false, allowAbsent: true }), undefined)).toBe(true);
    const bind = resolved({ op: 'equals', value: '127.0.0.1', allowAbsent: false });
    expect(requirementSatisfied(bind, '127.0.0.1')).toBe(true);
    expect(requirementSatisfied(bind, '127.0.0.01')).toBe(false);
  });

  it('not-equals: none of the values; absent only with allowAbsent', () => {
    const notTrue = resolved({ op: 'not-equals', values: ['true'], fixValue: 'false', allowAbsent: true });
    expect(requirementSatisfied(notTrue, 'TRUE')).toBe(false);
    expect(requirementSatisfied(notTrue, 'false')).toBe(true);
    expect(requirementSatisfied(notTrue, undefined)).toBe(true);
  });

  it('at-least: integers only, as kube-bench gte (30s is not a number)', () => {
    const age = resolved({ op: 'at-least', value: 30 });
    expect(requirementSatisfied(age, '30')).toBe(true);
    expect(requirementSatisfied(age, '365')).toBe(true);
    expect(requirementSatisfied(age, '29')).toBe(false);
    expect(requirementSatisfied(age, '30s')).toBe(false);
    expect(requirementSatisfied(age, undefined)).toBe(false);
  });

  it('present: any non-empty value (stricter than kube-bench, which accepts --flag=)', () => {
    const present = resolved({ op: 'present', setIfAbsent: '/x' });
    expect(requirementSatisfied(present, '/etc/other')).toBe(true);
    expect(requirementSatisfied(present, '')).toBe(false);
    expect(requirementSatisfied(present, undefined)).toBe(false);
    expect(requirementSatisfied(resolved({ op: 'absent' }), undefined)).toBe(true);
    expect(requirementSatisfied(resolved({ op: 'absent' }), '')).toBe(false);
  });

  it('contains-element: a whole element, stricter than kube-bench has (a substring test)', () => {
    const node = resolved({ op: 'contains-element', element: 'Node', insert: 'start' });
    expect(requirementSatisfied(node, 'Node,RBAC')).toBe(true);
    expect(requirementSatisfied(node, 'RBAC, Node')).toBe(true);
    expect(requirementSatisfied(node, 'NodeX,RBAC')).toBe(false);
    expect(requirementSatisfied(node, undefined)).toBe(false);
  });

  it('not-contains-element: kube-bench nothave exactly, a substring test, so never looser than kube-bench', () => {
    const noAlwaysAllow = resolved({ op: 'not-contains-element', element: 'AlwaysAllow' });
    expect(requirementSatisfied(noAlwaysAllow, 'Node,RBAC')).toBe(true);
    expect(requirementSatisfied(noAlwaysAllow, 'Node,AlwaysAllow')).toBe(false);
    expect(requirementSatisfied(noAlwaysAllow, 'AlwaysAllowed')).toBe(false);
    expect(requirementSatisfied(noAlwaysAllow, undefined)).toBe(true);
  });

  it('elements-within: kube-bench valid_elements (trimmed elements, all allowed, absent fails)', () => {
    const ciphers = resolved({ op: 'elements-within', allowed: ['A', 'B', 'C'] });
    expect(requirementSatisfied(ciphers, 'A, C')).toBe(true);
    expect(requirementSatisfied(ciphers, 'A,D')).toBe(false);
    expect(requirementSatisfied(ciphers, '')).toBe(false);
    expect(requirementSatisfied(ciphers, undefined)).toBe(false);
  });
});

describe('resolveRequirement', () => {
  it('takes values from parameters and path variables', () => {
    expect(resolveRequirement({ op: 'at-least', value: { param: 'age' } }, { age: 90 })).toEqual({
      kind: 'resolved',
      requirement: { op: 'at-least', value: 90 },
    });
    expect(resolveRequirement({ op: 'present', setIfAbsent: '{pki}/ca.crt' }, {}, { pki: ['/etc/kubernetes/pki/'] })).toEqual({
      kind: 'resolved',
      requirement: { op: 'present', setIfAbsent: '/etc/kubernetes/pki/ca.crt' },
    });
    expect(resolveRequirement({ op: 'elements-within', allowed: { param: 'ciphers' } }, { ciphers: ['A', 'B'] })).toEqual({
      kind: 'resolved',
      requirement: { op: 'elements-within', allowed: ['A', 'B'] },
    });
    expect(resolveRequirement({ op: 'equals', value: { param: 'on' }, allowAbsent: false }, { on: true })).toMatchObject({ requirement: { value: 'true' } });
  });

  it('names a missing parameter or path variable instead of guessing', () => {
    expect(resolveRequirement({ op: 'present', setIfAbsent: { param: 'kubeletCertificateAuthority' } }, {})).toEqual({
      kind: 'needs-parameter',
      parameter: 'kubeletCertificateAuthority',
    });
    expect(resolveRequirement({ op: 'present', setIfAbsent: '{pki}/ca.crt' }, {}, {})).toEqual({ kind: 'needs-variable', variables: ['pki'] });
    expect(resolveRequirement({ op: 'present', setIfAbsent: '{pki}/ca.crt' }, {}, { pki: ['/a', '/b'] })).toMatchObject({ kind: 'invalid' });
    expect(resolveRequirement({ op: 'at-least', value: { param: 'age' } }, { age: 'thirty' })).toMatchObject({
      kind: 'invalid',
      reason: 'parameter age is not an integer',
    });
  });
});

describe('fixFor', () => {
  it('is satisfied when the single --flag=value complies', () => {
    expect(fixFor(step('--profiling', { op: 'equals', value: 'false', allowAbsent: false }), 'false')).toEqual({ kind: 'satisfied' });
    expect(fixFor(step('--token-auth-file', { op: 'absent' }), undefined)).toEqual({ kind: 'satisfied' });
  });

  it('maps each requirement to its edit and predicts the value it leaves', () => {
    expect(fixFor(step('--profiling', { op: 'equals', value: 'false', allowAbsent: false }), undefined)).toEqual({
      kind: 'edits',
      edits: [{ kind: 'set', flag: '--profiling', value: 'false' }],
      after: 'false',
    });
    expect(fixFor(step('--auto-tls', { op: 'not-equals', values: ['true'], fixValue: 'false', allowAbsent: true }), 'true')).toMatchObject({
      edits: [{ kind: 'set', value: 'false' }],
    });
    expect(fixFor(step('--audit-log-maxage', { op: 'at-least', value: { param: 'age' } }), '7', { age: 30 })).toMatchObject({
      edits: [{ kind: 'set', value: '30' }],
      after: '30',
    });
    expect(fixFor(step('--token-auth-file', { op: 'absent' }), '/t.csv')).toEqual({
      kind: 'edits',
      edits: [{ kind: 'remove', flag: '--token-auth-file' }],
      after: undefined,
    });
    expect(fixFor(step('--enable-admission-plugins', { op: 'contains-element', element: 'NodeRestriction', insert: 'end' }), 'NamespaceLifecycle')).toEqual({
      kind: 'edits',
      edits: [{ kind: 'add-element', flag: '--enable-admission-plugins', element: 'NodeRestriction', position: 'end' }],
      after: 'NamespaceLifecycle,NodeRestriction',
    });
    expect(fixFor(step('--authorization-mode', { op: 'not-contains-element', element: 'AlwaysAllow' }), 'AlwaysAllow,RBAC')).toMatchObject({
      edits: [{ kind: 'remove-element', element: 'AlwaysAllow' }],
      after: 'RBAC',
    });
    expect(fixFor(step('--tls-cipher-suites', { op: 'elements-within', allowed: ['A', 'B'] }), 'A,RC4')).toMatchObject({
      edits: [{ kind: 'set', value: 'A,B' }],
    });
  });

  it('keeps an existing value for present (set only when missing)', () => {
    const audit = step('--audit-log-path', { op: 'present', setIfAbsent: { param: 'auditLogPath' } });
    expect(fixFor(audit, '/var/log/mine.log', {})).toEqual({ kind: 'satisfied' });
    expect(fixFor(audit, undefined, {})).toEqual({ kind: 'needs-parameter', parameter: 'auditLogPath' });
  });

  it('adds the mount a file flag needs, for the value it sets', () => {
    const caFile = step('--client-ca-file', { op: 'present', setIfAbsent: '{pki}/ca.crt' }, { mount: 'file', hostPathType: 'File', readOnly: true });
    expect(fixFor(caFile, undefined, {}, { pki: ['/etc/kubernetes/pki'] })).toEqual({
      kind: 'edits',
      edits: [
        { kind: 'set', flag: '--client-ca-file', value: '/etc/kubernetes/pki/ca.crt' },
        { kind: 'mount', path: '/etc/kubernetes/pki/ca.crt', mount: 'file', hostPathType: 'File', readOnly: true },
      ],
      after: '/etc/kubernetes/pki/ca.crt',
    });
    expect(fixFor(caFile, undefined, {}, {})).toEqual({ kind: 'needs-variable', variables: ['pki'] });
    const relative = step(
      '--audit-log-path',
      { op: 'present', setIfAbsent: 'audit.log' },
      { mount: 'parent-directory', hostPathType: 'DirectoryOrCreate', readOnly: false },
    );
    expect(fixFor(relative, undefined)).toMatchObject({ kind: 'unfixable', reason: expect.stringContaining('not an absolute path') });
  });

  it('is unsatisfied until kube-bench and the component agree on duplicates, keeping a compliant last value', () => {
    const profiling = step('--profiling', { op: 'equals', value: 'false', allowAbsent: false });
    const dup = [
      { value: 'true', form: 'equals' as const, singleDash: false },
      { value: 'false', form: 'equals' as const, singleDash: false },
    ];
    expect(fixFor(profiling, dup)).toMatchObject({ edits: [{ kind: 'set', value: 'false' }] });
    const same = [dup[1], dup[1]].filter((o) => o !== undefined);
    expect(fixFor(profiling, same)).toEqual({ kind: 'satisfied' });
  });

  it('rewrites forms kube-bench cannot read, keeping their compliant value', () => {
    const maxAge = step('--audit-log-maxage', { op: 'at-least', value: 30 });
    expect(fixFor(maxAge, [{ value: '90', form: 'separate', singleDash: false }])).toMatchObject({ edits: [{ kind: 'set', value: '90' }], after: '90' });
    const plugins = step('--enable-admission-plugins', { op: 'contains-element', element: 'NodeRestriction', insert: 'end' });
    expect(fixFor(plugins, [{ value: 'NodeRestriction', form: 'separate', singleDash: false }])).toMatchObject({
      edits: [{ kind: 'set', value: 'NodeRestriction' }],
    });
    const tls = step('--peer-auto-tls', { op: 'equals', value: 'false', allowAbsent: true });
    expect(fixFor(tls, [{ value: 'false', form: 'equals', singleDash: true }])).toMatchObject({ edits: [{ kind: 'set', value: 'false' }] });
    expect(fixFor(step('--token-auth-file', { op: 'absent' }), [{ value: '/t', form: 'equals', singleDash: true }])).toMatchObject({
      edits: [{ kind: 'remove' }],
    });
  });

  it('says so when removing whole elements cannot satisfy a substring test', () => {
    const noAlwaysAllow = step('--authorization-mode', { op: 'not-contains-element', element: 'AlwaysAllow' });
    expect(fixFor(noAlwaysAllow, 'Node,AlwaysAllowed')).toMatchObject({ kind: 'unfixable', reason: expect.stringContaining('substring') });
  });
});
