import { describe, expect, it } from '@jest/globals';
import { editManifest, readPodFlags, unifiedDiff } from '../../../../src/plan/edits/static-pod-manifest.js';
import type { FlagEdit, ManifestEditResult } from '../../../../src/plan/edits/static-pod-manifest.js';
import { changedLines } from './support/changed-lines.js';
import { fixture, KUBEADM, ODD } from './support/fixtures.js';

const APISERVER = fixture(KUBEADM['kube-apiserver']);
const SCHEDULER = fixture(KUBEADM['kube-scheduler']);
const COMMENTED = fixture(ODD.commented);

function edit(text: string, edits: FlagEdit[], container = 'kube-apiserver'): ManifestEditResult {
  const result = editManifest(text, edits, { container });
  expect(result.problems).toEqual([]);
  return result;
}

function flag(text: string, name: string, container = 'kube-apiserver'): string | undefined {
  const flags = readPodFlags(text, container);
  if (flags.kind === 'problem') throw new Error(flags.problem);
  return flags.flags[name];
}

/** The diff without its header, for compact expectations. */
function hunks(before: string, after: string): string {
  return unifiedDiff('m', before, after).split('\n').slice(2).join('\n');
}

describe('editManifest: set', () => {
  it('writes a new --flag=value at its alphabetical place among kubeadm sorted flags, touching no other line', () => {
    const { text, changed } = edit(APISERVER, [{ kind: 'set', flag: '--profiling', value: 'false' }]);
    expect(changed).toBe(true);
    expect(hunks(APISERVER, text)).toBe(
      [
        '@@ -26,6 +26,7 @@',
        '     - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
        '     - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
        '     - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
        '+    - --profiling=false',
        '     - --proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt',
        '     - --proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key',
        '     - --requestheader-allowed-names=front-proxy-client',
        '',
      ].join('\n'),
    );
  });

  it('replaces a value in place', () => {
    const { text } = edit(APISERVER, [{ kind: 'set', flag: '--secure-port', value: '6444' }]);
    expect(changedLines(APISERVER, text)).toEqual({ removed: ['    - --secure-port=6443'], added: ['    - --secure-port=6444'] });
  });

  it('leaves exactly one occurrence where the first was, since kube-bench reads the first and the component the last', () => {
    const { text } = edit(COMMENTED, [{ kind: 'set', flag: '--token-auth-file', value: '/etc/kubernetes/t.csv' }]);
    expect(changedLines(COMMENTED, text)).toEqual({
      removed: ['        - --token-auth-file=/etc/kubernetes/tokens.csv', '        - --token-auth-file=/etc/kubernetes/tokens-old.csv'],
      added: ['        - --token-auth-file=/etc/kubernetes/t.csv'],
    });
  });

  it('rewrites a bare flag and a "--flag value" pair as --flag=value, the only form kube-bench reads', () => {
    const { text } = edit(COMMENTED, [
      { kind: 'set', flag: '--profiling', value: 'false' },
      { kind: 'set', flag: '--audit-log-maxage', value: '30' },
    ]);
    expect(changedLines(COMMENTED, text)).toEqual({
      removed: ['        - --profiling', '        - --audit-log-maxage', '        - "7"'],
      added: ['        - --profiling=false', '        - --audit-log-maxage=30'],
    });
  });

  it('keeps the quoting style of the element it replaces', () => {
    const { text } = edit(COMMENTED, [{ kind: 'set', flag: '--anonymous-auth', value: 'false' }]);
    expect(changedLines(COMMENTED, text)).toEqual({ removed: ['        - "--anonymous-auth=true"'], added: ['        - "--anonymous-auth=false"'] });
  });

  it('puts a new flag after the last one that sorts before it when they are not sorted, in the indentation of its siblings', () => {
    const { text } = edit(COMMENTED, [{ kind: 'set', flag: '--audit-log-path', value: '/var/log/kubernetes/audit/audit.log' }]);
    expect(changedLines(COMMENTED, text)).toEqual({ removed: [], added: ['        - --audit-log-path=/var/log/kubernetes/audit/audit.log'] });
    expect(text).toContain(
      '        - --audit-log-maxage\n        - "7"\n        - --audit-log-path=/var/log/kubernetes/audit/audit.log\n        - --disable-admission-plugins=',
    );
    const first = edit(COMMENTED, [{ kind: 'set', flag: '--admission-control-config-file', value: '/a.yaml' }]).text;
    // Right after the line before it: a comment heading the next flag stays with that flag.
    expect(first).toContain(
      '        - kube-apiserver\n        - --admission-control-config-file=/a.yaml\n        # --- authentication ---\n        - "--anonymous-auth=true"\n',
    );
  });

  it('places re-added flags where they were, whatever the order of the edits', () => {
    const a: FlagEdit = { kind: 'set', flag: '--zz-a', value: '1' };
    const b: FlagEdit = { kind: 'set', flag: '--bind-address', value: '127.0.0.1' };
    const once = edit(COMMENTED, [a, b]).text;
    expect(edit(COMMENTED, [b, a]).text).toBe(once);
    expect(edit(once, [{ kind: 'remove', flag: '--zz-a' }, a, { kind: 'remove', flag: '--bind-address' }, b]).text).toBe(once);
  });

  it('quotes a value that YAML would otherwise misread', () => {
    const { text } = edit(APISERVER, [{ kind: 'set', flag: '--service-node-port-range', value: '30000-32767 #x' }]);
    expect(flag(text, '--service-node-port-range')).toBe('30000-32767 #x');
    expect(changedLines(APISERVER, text).added).toEqual(['    - "--service-node-port-range=30000-32767 #x"']);
  });

  it("rewrites etcd's single-dash flag, which kube-bench does not see", () => {
    const json = fixture(ODD.json);
    const { text } = edit(json, [{ kind: 'set', flag: '--peer-auto-tls', value: 'false' }], 'etcd');
    expect(flag(text, '--peer-auto-tls', 'etcd')).toBe('false');
    expect(text).toContain('"--peer-auto-tls=false"');
  });
});

describe('editManifest: where new flags go', () => {
  const ARGS = fixture(ODD.args);

  it('adds to args when the flags are there, at their alphabetical place', () => {
    const { text } = edit(ARGS, [{ kind: 'set', flag: '--bind-address', value: '127.0.0.1' }], 'kube-scheduler');
    expect(hunks(ARGS, text)).toContain('     args:\n+    - --bind-address=127.0.0.1\n     - --kubeconfig=/etc/kubernetes/scheduler.conf\n');
  });

  it('writes under an args: key that has become empty, and takes the binary from the image when there is no command', () => {
    const emptied = edit(
      ARGS,
      [
        { kind: 'remove', flag: '--kubeconfig' },
        { kind: 'remove', flag: '--leader-elect' },
      ],
      'kube-scheduler',
    ).text;
    expect(emptied).toContain('    command: [kube-scheduler]\n    args:\n  hostNetwork: true\n');
    const refilled = edit(emptied, [{ kind: 'set', flag: '--profiling', value: 'false' }], 'kube-scheduler').text;
    expect(refilled).toContain('    args:\n    - --profiling=false\n  hostNetwork: true\n');
    const noCommand = 'kind: Pod\nspec:\n  containers:\n  - name: etcd\n    image: etcd\n';
    const created = edit(noCommand, [{ kind: 'set', flag: '--auto-tls', value: 'false' }], 'etcd').text;
    expect(created).toBe('kind: Pod\nspec:\n  containers:\n  - name: etcd\n    image: etcd\n    args:\n    - --auto-tls=false\n');
    expect(flag(created, '--auto-tls', 'etcd')).toBe('false');
  });
});

describe('editManifest: remove', () => {
  it('removes every occurrence and only those lines', () => {
    const { text } = edit(COMMENTED, [{ kind: 'remove', flag: '--token-auth-file' }]);
    expect(changedLines(COMMENTED, text)).toEqual({
      removed: ['        - --token-auth-file=/etc/kubernetes/tokens.csv', '        - --token-auth-file=/etc/kubernetes/tokens-old.csv'],
      added: [],
    });
  });

  it('removes the value element of a "--flag value" pair with it', () => {
    const { text } = edit(COMMENTED, [{ kind: 'remove', flag: '--audit-log-maxage' }]);
    expect(changedLines(COMMENTED, text).removed).toEqual(['        - --audit-log-maxage', '        - "7"']);
    expect(readPodFlags(text, 'kube-apiserver')).toMatchObject({ argv: expect.not.arrayContaining(['7']) });
  });

  it('changes nothing when the flag is absent', () => {
    expect(edit(APISERVER, [{ kind: 'remove', flag: '--token-auth-file' }])).toEqual({ text: APISERVER, changed: false, problems: [] });
  });

  it('removes a last element that has a trailing comment and no final newline', () => {
    const text = 'kind: Pod\nspec:\n  containers:\n  - name: a\n    command:\n    - a\n    - --x=1 # last';
    const result = edit(text, [{ kind: 'remove', flag: '--x' }], 'a');
    expect(result.text).toBe('kind: Pod\nspec:\n  containers:\n  - name: a\n    command:\n    - a');
  });
});

describe('editManifest: list elements', () => {
  it('--enable-admission-plugins gains NodeRestriction and keeps the rest', () => {
    const base = edit(APISERVER, [{ kind: 'set', flag: '--enable-admission-plugins', value: 'NamespaceLifecycle,LimitRanger' }]).text;
    const { text } = edit(base, [{ kind: 'add-element', flag: '--enable-admission-plugins', element: 'NodeRestriction', position: 'end' }]);
    expect(flag(text, '--enable-admission-plugins')).toBe('NamespaceLifecycle,LimitRanger,NodeRestriction');
  });

  it('adds nothing twice: kubeadm NodeRestriction stays as it is', () => {
    expect(edit(APISERVER, [{ kind: 'add-element', flag: '--enable-admission-plugins', element: 'NodeRestriction', position: 'end' }]).changed).toBe(false);
  });

  it('--authorization-mode keeps Node,RBAC order when adding Node at the start and RBAC at the end', () => {
    const result = edit(APISERVER, [
      { kind: 'add-element', flag: '--authorization-mode', element: 'Node', position: 'start' },
      { kind: 'add-element', flag: '--authorization-mode', element: 'RBAC', position: 'end' },
    ]);
    expect(result.changed).toBe(false);
    const withWebhook = edit(APISERVER, [{ kind: 'set', flag: '--authorization-mode', value: 'RBAC,Webhook' }]).text;
    expect(
      flag(edit(withWebhook, [{ kind: 'add-element', flag: '--authorization-mode', element: 'Node', position: 'start' }]).text, '--authorization-mode'),
    ).toBe('Node,RBAC,Webhook');
  });

  it('replaces AlwaysAllow by Node,RBAC when the edits of 1.2.6 apply in order', () => {
    const drifted = edit(APISERVER, [{ kind: 'set', flag: '--authorization-mode', value: 'AlwaysAllow' }]).text;
    const { text } = edit(drifted, [
      { kind: 'remove-element', flag: '--authorization-mode', element: 'AlwaysAllow' },
      { kind: 'add-element', flag: '--authorization-mode', element: 'Node', position: 'start' },
      { kind: 'add-element', flag: '--authorization-mode', element: 'RBAC', position: 'end' },
    ]);
    expect(text).toBe(APISERVER);
  });

  it('creates the flag when it is absent', () => {
    const { text } = edit(SCHEDULER, [{ kind: 'add-element', flag: '--feature-gates', element: 'A=true', position: 'end' }], 'kube-scheduler');
    expect(changedLines(SCHEDULER, text)).toEqual({ removed: [], added: ['    - --feature-gates=A=true'] });
  });

  it('removing an element keeps the others in order; the flag goes when it empties', () => {
    const { text } = edit(COMMENTED, [{ kind: 'remove-element', flag: '--disable-admission-plugins', element: 'NamespaceLifecycle' }]);
    expect(flag(text, '--disable-admission-plugins')).toBe('ServiceAccount,DefaultStorageClass');
    const emptied = edit(text, [
      { kind: 'remove-element', flag: '--disable-admission-plugins', element: 'ServiceAccount' },
      { kind: 'remove-element', flag: '--disable-admission-plugins', element: 'DefaultStorageClass' },
    ]).text;
    expect(flag(emptied, '--disable-admission-plugins')).toBeUndefined();
    expect(changedLines(COMMENTED, emptied)).toEqual({
      removed: ['        - --disable-admission-plugins=ServiceAccount,NamespaceLifecycle,DefaultStorageClass'],
      added: [],
    });
  });

  it('removing an element that is not there changes nothing, even a substring of another element', () => {
    expect(edit(APISERVER, [{ kind: 'remove-element', flag: '--authorization-mode', element: 'Nod' }]).changed).toBe(false);
    expect(edit(APISERVER, [{ kind: 'remove-element', flag: '--token-auth-file', element: 'x' }]).changed).toBe(false);
  });

  it('merges into the value the component uses (the last occurrence) and collapses duplicates', () => {
    const text = 'kind: Pod\nspec:\n  containers:\n  - name: a\n    command:\n    - a\n    - --m=A\n    - --z=1\n    - --m=B,C\n';
    const result = edit(text, [{ kind: 'add-element', flag: '--m', element: 'D', position: 'end' }], 'a');
    expect(result.text).toBe('kind: Pod\nspec:\n  containers:\n  - name: a\n    command:\n    - a\n    - --m=B,C,D\n    - --z=1\n');
  });
});

describe('editManifest: mount', () => {
  const auditLog: FlagEdit = {
    kind: 'mount',
    path: '/var/log/kubernetes/audit/audit.log',
    mount: 'parent-directory',
    hostPathType: 'DirectoryOrCreate',
    readOnly: false,
  };
  const policy: FlagEdit = { kind: 'mount', path: '/etc/kubernetes/audit/policy.yaml', mount: 'file', hostPathType: 'File', readOnly: true };

  it('adds a hostPath volume and a volumeMount in the style of their siblings', () => {
    const { text } = edit(APISERVER, [policy]);
    expect(changedLines(APISERVER, text)).toEqual({
      removed: [],
      added: [
        '    - mountPath: /etc/kubernetes/audit/policy.yaml',
        '      name: cis-fix-etc-kubernetes-audit-policy-yaml',
        '      readOnly: true',
        '  - hostPath:',
        '      path: /etc/kubernetes/audit/policy.yaml',
        '      type: File',
        '    name: cis-fix-etc-kubernetes-audit-policy-yaml',
      ],
    });
  });

  it("mounts a log file's directory writable", () => {
    const { text } = edit(APISERVER, [auditLog]);
    expect(changedLines(APISERVER, text).added).toEqual([
      '    - mountPath: /var/log/kubernetes/audit',
      '      name: cis-fix-var-log-kubernetes-audit',
      '  - hostPath:',
      '      path: /var/log/kubernetes/audit',
      '      type: DirectoryOrCreate',
      '    name: cis-fix-var-log-kubernetes-audit',
    ]);
  });

  it('is not duplicated when applied again', () => {
    const once = edit(APISERVER, [policy, auditLog]).text;
    expect(edit(once, [policy, auditLog, policy])).toEqual({ text: once, changed: false, problems: [] });
  });

  it('is skipped when a mount of the same host directory above the path covers it (kubeadm pki)', () => {
    expect(edit(APISERVER, [{ kind: 'mount', path: '/etc/kubernetes/pki/ca.crt', mount: 'file', hostPathType: 'File', readOnly: true }]).changed).toBe(false);
  });

  it('is not skipped when the covering mount is read-only and the component must write', () => {
    const readOnlyVarLog = COMMENTED.replace('          mountPath: /var/log\n', '          mountPath: /var/log\n          readOnly: true\n');
    expect(edit(COMMENTED, [auditLog]).changed).toBe(false);
    expect(edit(readOnlyVarLog, [auditLog]).changed).toBe(true);
  });

  it('copies the key order of sibling mounts and volumes', () => {
    const { text } = edit(COMMENTED, [policy]);
    expect(changedLines(COMMENTED, text).added).toEqual([
      '        - name: cis-fix-etc-kubernetes-audit-policy-yaml',
      '          mountPath: /etc/kubernetes/audit/policy.yaml',
      '          readOnly: true',
      '    - name: cis-fix-etc-kubernetes-audit-policy-yaml',
      '      hostPath:',
      '        path: /etc/kubernetes/audit/policy.yaml',
      '        type: File',
    ]);
  });

  it('creates volumeMounts and volumes when the pod has none, indented as the manifest indents', () => {
    const args = fixture(ODD.args);
    const { text } = edit(args, [policy], 'kube-scheduler');
    expect(hunks(args, text)).toBe(
      [
        '@@ -14,4 +14,13 @@',
        '     args:',
        '     - --kubeconfig=/etc/kubernetes/scheduler.conf',
        '     - --leader-elect=true',
        '+    volumeMounts:',
        '+    - mountPath: /etc/kubernetes/audit/policy.yaml',
        '+      name: cis-fix-etc-kubernetes-audit-policy-yaml',
        '+      readOnly: true',
        '   hostNetwork: true',
        '+  volumes:',
        '+  - hostPath:',
        '+      path: /etc/kubernetes/audit/policy.yaml',
        '+      type: File',
        '+    name: cis-fix-etc-kubernetes-audit-policy-yaml',
        '',
      ].join('\n'),
    );
  });

  it('adds both keys after a container that ends the spec, container key first, also without a final newline', () => {
    const bare = 'kind: Pod\nspec:\n  containers:\n    - name: a\n      command: [a]';
    expect(edit(bare, [policy], 'a').text).toBe(
      [
        'kind: Pod',
        'spec:',
        '  containers:',
        '    - name: a',
        '      command: [a]',
        '      volumeMounts:',
        '        - mountPath: /etc/kubernetes/audit/policy.yaml',
        '          name: cis-fix-etc-kubernetes-audit-policy-yaml',
        '          readOnly: true',
        '  volumes:',
        '    - hostPath:',
        '        path: /etc/kubernetes/audit/policy.yaml',
        '        type: File',
        '      name: cis-fix-etc-kubernetes-audit-policy-yaml',
      ].join('\n'),
    );
  });

  it('reuses an existing hostPath volume of the same path instead of adding a second', () => {
    const text = SCHEDULER.replace('    volumeMounts:\n    - mountPath: /etc/kubernetes/scheduler.conf\n      name: kubeconfig\n      readOnly: true\n', '');
    const result = edit(
      text,
      [{ kind: 'mount', path: '/etc/kubernetes/scheduler.conf', mount: 'file', hostPathType: 'FileOrCreate', readOnly: true }],
      'kube-scheduler',
    );
    expect(changedLines(text, result.text)).toEqual({
      removed: [],
      added: ['    volumeMounts:', '    - mountPath: /etc/kubernetes/scheduler.conf', '      name: kubeconfig', '      readOnly: true'],
    });
    expect(result.text).toBe(SCHEDULER);
  });

  it('gives the volume a hashed name when the plain one is taken by another path', () => {
    const taken = APISERVER.replace(
      /^ {4}name: usr-share-ca-certificates\n/m,
      '    name: usr-share-ca-certificates\n  - emptyDir: {}\n    name: cis-fix-etc-kubernetes-audit-policy-yaml\n',
    );
    const { text } = edit(taken, [policy]);
    expect(changedLines(taken, text).added).toContainEqual(expect.stringMatching(/^ {4}name: cis-fix-etc-kubernetes-audit-policy-yaml-[0-9a-f]{8}$/));
  });

  it('reports a problem when the mount path is taken by a volume of another host path', () => {
    const clash = APISERVER.replace('    - mountPath: /etc/ssl/certs', '    - mountPath: /etc/kubernetes/audit/policy.yaml');
    const result = editManifest(clash, [policy], { container: 'kube-apiserver' });
    expect(result).toEqual({
      text: clash,
      changed: false,
      problems: [expect.stringContaining('already mounts volume ca-certs there from host path /etc/ssl/certs')],
    });
  });
});

describe('editManifest: formatting and bad input', () => {
  it('keeps comments, blank lines, quoting and flow mappings of a hand-written manifest', () => {
    const { text } = edit(COMMENTED, [
      { kind: 'set', flag: '--anonymous-auth', value: 'false' },
      { kind: 'remove', flag: '--token-auth-file' },
      { kind: 'add-element', flag: '--enable-admission-plugins', element: 'AlwaysPullImages', position: 'end' },
      { kind: 'set', flag: '--audit-policy-file', value: '/etc/kubernetes/audit/policy.yaml' },
      { kind: 'mount', path: '/etc/kubernetes/audit/policy.yaml', mount: 'file', hostPathType: 'File', readOnly: true },
    ]);
    for (const line of COMMENTED.split('\n').filter((l) => l.includes('#') || l === '' || l.includes('{'))) expect(text.split('\n')).toContain(line);
    expect(changedLines(COMMENTED, text).removed).toEqual([
      '        - "--anonymous-auth=true"',
      '        - --enable-admission-plugins=NodeRestriction,LimitRanger',
      '        - --token-auth-file=/etc/kubernetes/tokens.csv',
      '        - --token-auth-file=/etc/kubernetes/tokens-old.csv',
    ]);
  });

  it('keeps CRLF line endings and writes new lines with them', () => {
    const crlf = APISERVER.replace(/\n/g, '\r\n');
    const { text } = edit(crlf, [
      { kind: 'set', flag: '--profiling', value: 'false' },
      { kind: 'mount', path: '/etc/kubernetes/audit/policy.yaml', mount: 'file', hostPathType: 'File', readOnly: true },
      { kind: 'remove', flag: '--secure-port' },
    ]);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(flag(text, '--profiling')).toBe('false');
  });

  it('edits a JSON manifest as JSON, on the lines of the changed list only', () => {
    const json = fixture(ODD.json);
    const { text } = edit(json, [{ kind: 'set', flag: '--client-cert-auth', value: 'true' }], 'etcd');
    expect(changedLines(json, text)).toEqual({
      removed: ['        "command": ["etcd", "--data-dir=/var/lib/etcd", "-peer-auto-tls=true", "--cert-file=/etc/kubernetes/pki/etcd/server.crt"],'],
      added: [
        '        "command": ["etcd", "--data-dir=/var/lib/etcd", "-peer-auto-tls=true", "--cert-file=/etc/kubernetes/pki/etcd/server.crt", "--client-cert-auth=true"],',
      ],
    });
    const mount = editManifest(json, [{ kind: 'mount', path: '/etc/kubernetes/pki/etcd/ca.crt', mount: 'file', hostPathType: 'File', readOnly: true }], {
      container: 'etcd',
    });
    expect(mount.problems).toEqual([]);
    const parsed = JSON.parse(mount.text) as { spec: { containers: { volumeMounts: unknown[] }[]; volumes: unknown[] } };
    expect(parsed.spec.containers[0]?.volumeMounts).toContainEqual({
      mountPath: '/etc/kubernetes/pki/etcd/ca.crt',
      name: 'cis-fix-etc-kubernetes-pki-etcd-ca-crt',
      readOnly: true,
    });
    expect(parsed.spec.volumes).toContainEqual({
      hostPath: { path: '/etc/kubernetes/pki/etcd/ca.crt', type: 'File' },
      name: 'cis-fix-etc-kubernetes-pki-etcd-ca-crt',
    });
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('returns a problem for invalid YAML instead of throwing', () => {
    expect(editManifest('spec:\n  containers: [\n', [{ kind: 'set', flag: '--a', value: 'b' }])).toEqual({
      text: 'spec:\n  containers: [\n',
      changed: false,
      problems: [expect.stringContaining('not valid YAML')],
    });
  });

  it('skips an invalid edit with a problem and applies the others', () => {
    const result = editManifest(APISERVER, [
      { kind: 'set', flag: 'profiling', value: 'false' },
      { kind: 'add-element', flag: '--authorization-mode', element: 'A,B', position: 'end' },
      { kind: 'mount', path: 'relative/path', mount: 'file', hostPathType: 'File', readOnly: true },
      { kind: 'set', flag: '--profiling', value: 'false' },
    ]);
    expect(result.problems).toEqual([
      'set profiling=false: "profiling" is not a flag name (expected --name)',
      'add A,B to --authorization-mode: "A,B" is not a single list element (it holds a comma)',
      'mount relative/path: cannot mount "relative/path": not an absolute path',
    ]);
    expect(flag(result.text, '--profiling')).toBe('false');
  });

  it('refuses to put flags into a shell command line', () => {
    const result = editManifest(fixture(ODD.args), [{ kind: 'set', flag: '--v', value: '2' }], { container: 'log-shipper' });
    expect(result.changed).toBe(false);
    expect(result.problems).toEqual([expect.stringContaining('runs its component through sh')]);
  });
});
