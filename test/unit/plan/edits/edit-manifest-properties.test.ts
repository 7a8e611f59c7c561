/**
 * Properties of editManifest over generated edits on every fixture (and
 * their CRLF twins): applying edits twice equals applying them once, lines
 * no edit touches stay byte-identical, what an edit says is what the
 * manifest then says, and nothing throws.
 */
import { posix } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { editManifest, readPodFlags } from '../../../../src/plan/edits/static-pod-manifest.js';
import type { FlagEdit, PodFlags } from '../../../../src/plan/edits/static-pod-manifest.js';
import { changedLines } from './support/changed-lines.js';
import { ALL_MANIFESTS, fixture } from './support/fixtures.js';
import { runs } from '../../support/property-runs.js';

const manifests = ALL_MANIFESTS.flatMap(({ name, container }) => {
  const text = fixture(name);
  return [
    { name, container, text, block: !name.endsWith('.json') },
    { name: `${name} (CRLF)`, container, text: text.replace(/\n/g, '\r\n'), block: !name.endsWith('.json') },
  ];
});

const manifest = fc.constantFrom(...manifests);

/** Flags the fixtures have (once, twice, bare, `--flag value`, single-dash) and flags they lack. */
const flagName = fc.constantFrom(
  '--profiling',
  '--authorization-mode',
  '--enable-admission-plugins',
  '--disable-admission-plugins',
  '--token-auth-file',
  '--audit-log-maxage',
  '--secure-port',
  '--bind-address',
  '--peer-auto-tls',
  '--data-dir',
  '--kubeconfig',
  '--feature-gates',
  '--zz-new-flag',
  '--aa-new-flag',
);

/** Values YAML must quote, as well as ordinary ones. */
const value = fc.oneof(
  fc.constantFrom(
    'false',
    'true',
    'Node,RBAC',
    '30',
    '',
    '/etc/kubernetes/pki/ca.crt',
    'a: b',
    '#x',
    ' x #y',
    '"q"',
    "it's",
    '[a]',
    '{b}',
    '*',
    '&a',
    '!t',
    '@',
    '%',
    'null',
    '~',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
);

const element = fc.oneof(
  fc.constantFrom('Node', 'RBAC', 'AlwaysAllow', 'NodeRestriction', 'NamespaceLifecycle', 'X=true'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9=.]{0,8}$/),
);

const mountPath = fc.oneof(
  fc.constantFrom(
    '/etc/kubernetes/pki/ca.crt',
    '/var/log/kubernetes/audit/audit.log',
    '/etc/kubernetes/audit/policy.yaml',
    '/var/lib/etcd/member',
    '/etc/kubernetes/scheduler.conf',
    '/var/log/x.log',
  ),
  fc.array(fc.stringMatching(/^[a-z0-9._-]{1,6}$/), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
);

const flagEdit: fc.Arbitrary<FlagEdit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), flag: flagName, value }),
  fc.record({ kind: fc.constant('remove' as const), flag: flagName }),
  fc.record({ kind: fc.constant('add-element' as const), flag: flagName, element, position: fc.constantFrom('start' as const, 'end' as const) }),
  fc.record({ kind: fc.constant('remove-element' as const), flag: flagName, element }),
  fc.record({
    kind: fc.constant('mount' as const),
    path: mountPath,
    mount: fc.constantFrom('file' as const, 'parent-directory' as const),
    hostPathType: fc.constantFrom('File' as const, 'FileOrCreate' as const, 'Directory' as const, 'DirectoryOrCreate' as const),
    readOnly: fc.boolean(),
  }),
);

function flagsOf(text: string, container: string): PodFlags {
  const flags = readPodFlags(text, container);
  if (flags.kind === 'problem') throw new Error(flags.problem);
  return flags;
}

const RUNS = runs(300);

describe('editManifest properties', () => {
  it('applying the same edits twice equals applying them once, and the second time reports no change', () => {
    fc.assert(
      fc.property(manifest, fc.array(flagEdit, { maxLength: 6 }), (m, edits) => {
        const once = editManifest(m.text, edits, { container: m.container });
        const twice = editManifest(once.text, edits, { container: m.container });
        expect(twice.text).toBe(once.text);
        expect(twice.changed).toBe(false);
      }),
      RUNS,
    );
  });

  it('stays idempotent when a flag that needs quotes lands first in the list (a counterexample fast-check found)', () => {
    const m = manifests.find((x) => x.name === 'args-kube-scheduler.yaml (CRLF)')!;
    const edits: FlagEdit[] = [
      { kind: 'remove', flag: '--profiling' },
      { kind: 'set', flag: '--profiling', value: 'false' },
      { kind: 'set', flag: '--enable-admission-plugins', value: 'a: b' },
    ];
    const once = editManifest(m.text, edits, { container: m.container });
    expect(once.text).toContain('- "--enable-admission-plugins=a: b"');
    expect(once.text).toContain('- --profiling=false\r\n');
    const twice = editManifest(once.text, edits, { container: m.container });
    expect(twice.text).toBe(once.text);
    expect(twice.changed).toBe(false);
  });

  it('stays idempotent when a flag is removed and set again beside a flag the same batch removes (a counterexample fast-check found)', () => {
    const m = manifests.find((x) => x.name === 'commented-kube-apiserver.yaml (CRLF)')!;
    const edits: FlagEdit[] = [
      { kind: 'remove', flag: '--authorization-mode' },
      { kind: 'set', flag: '--authorization-mode', value: 'false' },
      { kind: 'remove', flag: '--audit-log-maxage' },
    ];
    const once = editManifest(m.text, edits, { container: m.container });
    // Set where it stood, with its quotes and comment: the batch leaves one value, so the flag is not moved.
    expect(once.text).toContain(`- "--anonymous-auth=true"\r\n        - '--authorization-mode=false'   # keep Node first\r\n`);
    expect(once.text).not.toContain('--audit-log-maxage');
    const twice = editManifest(once.text, edits, { container: m.container });
    expect(twice.text).toBe(once.text);
    expect(twice.changed).toBe(false);
  });

  it('never throws, and always leaves a manifest whose flags read back', () => {
    fc.assert(
      fc.property(manifest, fc.array(flagEdit, { maxLength: 6 }), (m, edits) => {
        const result = editManifest(m.text, edits, { container: m.container });
        // The one problem these fixtures can meet: a writable mount wanted exactly where a read-only one is (kubeadm's pki).
        for (const problem of result.problems) expect(problem).toMatch(/^mount .*: cannot mount .* already mounts volume \S+ there read-only/);
        flagsOf(result.text, m.container);
      }),
      RUNS,
    );
  });

  it('a flag edit changes only lines of that flag, and the flag then reads as the edit says', () => {
    const flagOnly = flagEdit.filter((e): e is Exclude<FlagEdit, { kind: 'mount' }> => e.kind !== 'mount');
    fc.assert(
      fc.property(manifest, flagOnly, (m, edit) => {
        const before = flagsOf(m.text, m.container);
        const { text } = editManifest(m.text, [edit], { container: m.container });
        const after = flagsOf(text, m.container);
        const occurrences = after.occurrences[edit.flag] ?? [];
        if (edit.kind === 'set') expect(occurrences.map((o) => [o.form, o.value])).toEqual([['equals', edit.value]]);
        if (edit.kind === 'remove') expect(occurrences).toEqual([]);
        if (edit.kind === 'add-element') expect(after.flags[edit.flag]?.split(',').map((e) => e.trim())).toContain(edit.element);
        if (edit.kind === 'remove-element')
          expect(
            occurrences.every(
              (o) =>
                !o.value
                  .split(',')
                  .map((e) => e.trim())
                  .includes(edit.element),
            ),
          ).toBe(true);
        const withoutFlag = (flags: PodFlags) =>
          flags.argv.filter((_, i) => !(flags.occurrences[edit.flag] ?? []).some((o) => o.index === i || (o.form === 'separate' && o.index + 1 === i)));
        expect(withoutFlag(after)).toEqual(withoutFlag(before));
        if (!m.block) return;
        const separateValues = (before.occurrences[edit.flag] ?? []).filter((o) => o.form === 'separate').map((o) => o.value);
        const bare = edit.flag.slice(1);
        const { removed, added } = changedLines(m.text, text);
        for (const line of removed) expect(line.includes(bare) || separateValues.some((v) => line.includes(v))).toBe(true);
        for (const line of added) expect(line).toContain(edit.flag);
      }),
      RUNS,
    );
  });

  it('a mount edit removes no line and adds only volume and mount lines; the path is then mounted', () => {
    const mountOnly = flagEdit.filter((e): e is Extract<FlagEdit, { kind: 'mount' }> => e.kind === 'mount');
    fc.assert(
      fc.property(manifest, mountOnly, (m, edit) => {
        const { text, changed } = editManifest(m.text, [edit], { container: m.container });
        if (!m.block) return;
        const { removed, added } = changedLines(m.text, text);
        expect(removed).toEqual([]);
        for (const line of added) expect(line.trim()).toMatch(/^(- )?(volumeMounts:|volumes:|hostPath:|mountPath: |name: |path: |type: |readOnly: true)/);
        const path = posix.normalize(edit.path).replace(/(.)\/$/, '$1');
        if (changed) expect(text).toContain(`mountPath: ${edit.mount === 'file' ? path : posix.dirname(path)}`);
      }),
      RUNS,
    );
  });
});
