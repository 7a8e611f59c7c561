import { parse } from 'yaml';
import { indexControls, mergeControlFile, mergeKeyedFile } from '../../../scripts/dev/playbook-merge.mjs';

// The pure merge of scripts/dev/kube-bench-playbooks.mjs: what the generator
// writes from kube-bench's YAML, merged into the playbook already in the tree.
// The generator's own output style is used for `generated` (two-space
// indentation, flow maps without padding); the existing files carry what an
// engineer wrote by hand (folded scalars, padded flow maps, comments).

const HEAD = "# Section 1 (kube-bench target: master).\n# Written from kube-bench's cfg/x/master.yaml by scripts/dev/kube-bench-playbooks.mjs.\n";

function controlFile(controls: string, head = HEAD): string {
  return `${head}benchmark: x\nsections:\n  - id: "1.1"\n    title: Files\ncontrols:\n${controls}`;
}

const gen111 = [
  '  - id: "1.1.1"',
  '    section: "1.1"',
  '    title: Ensure the file mode is 600',
  '    assessment: Automated',
  '    roles: [control-plane]',
  '    kubeBench:',
  '      target: master',
  '      scored: true',
  '      tests:',
  '        items:',
  '          - flag: permissions',
  '            compare: {op: bitmask, value: "600"}',
  '    manual:',
  '      reason: The generator cannot fix this.',
  '      guidance: chmod 600 the file',
  '',
].join('\n');

const gen112 = [
  '  - id: "1.1.2"',
  '    section: "1.1"',
  '    title: Ensure the owner is root',
  '    assessment: Automated',
  '    roles: [control-plane]',
  '    kubeBench:',
  '      target: master',
  '      scored: true',
  '    manual:',
  '      reason: The generator cannot fix this.',
  '      guidance: chown root the file',
  '',
].join('\n');

// 1.1.1 as an engineer left it: an ensure step instead of `manual`, comments, a folded note.
const handmade111 = [
  '  - id: "1.1.1"',
  '    section: "1.1"',
  '    title: Ensure the file mode is 600',
  '    assessment: Automated',
  '    roles: [control-plane]',
  '    kubeBench:',
  '      target: master',
  '      scored: true',
  '      tests:',
  '        items:',
  '          - flag: permissions',
  '            compare: {op: bitmask, value: "600"}',
  '    # Fixed since the facts gather this file.',
  '    ensure:',
  '      - kind: file-mode',
  '        path: { param: somePath }   # why: the path is a decision',
  '        maxMode: "600"',
  '    notes: >-',
  '      A folded note written by hand, wrapped at a width',
  '      the generator would never choose.',
  '',
].join('\n');

function merge(generated: string, existing: Record<string, string>, name = '1-files.yaml', more: { dropVanished?: boolean; generatedIds?: string[] } = {}) {
  const index = indexControls(Object.entries(existing).map(([file, text]) => ({ name: file, text })));
  const ids = more.generatedIds ?? (parse(generated) as { controls: { id: string }[] }).controls.map((c) => c.id);
  return mergeControlFile({ name, generated, index, generatedIds: new Set(ids), dropVanished: more.dropVanished });
}

describe('mergeControlFile', () => {
  it('gives back the existing file byte for byte when kube-bench has not changed', () => {
    const existing = controlFile(handmade111 + gen112);
    const { text, report } = merge(controlFile(gen111 + gen112), { '1-files.yaml': existing });
    expect(text).toBe(existing);
    expect(report).toEqual({ kept: ['1.1.1', '1.1.2'], added: [], vanished: [], guidance: [], audits: [] });
  });

  it('rewrites what comes from kube-bench and keeps the hand-made keys with their comments and form', () => {
    const existing = controlFile(handmade111 + gen112);
    const generated = controlFile(
      gen111.replace('Ensure the file mode is 600', 'Ensure the file mode is 600 or stricter').replace('scored: true', 'scored: false') + gen112,
    );
    const { text } = merge(generated, { '1-files.yaml': existing });
    expect(text).toBe(existing.replace('Ensure the file mode is 600\n', 'Ensure the file mode is 600 or stricter\n').replace('scored: true', 'scored: false'));
  });

  it("gives a control new in kube-bench the generator's default", () => {
    const existing = controlFile(handmade111);
    const { text, report } = merge(controlFile(gen111 + gen112), { '1-files.yaml': existing });
    expect(text).toBe(controlFile(handmade111 + gen112));
    expect(report.added).toEqual(['1.1.2']);
  });

  it("keeps a control's hand-made keys when kube-bench moves it to another section file", () => {
    const { text } = merge(controlFile(gen112 + gen111), { '1-files.yaml': controlFile(gen112), '2-other.yaml': controlFile(handmade111) });
    expect(text).toBe(controlFile(gen112 + handmade111));
  });

  it('keeps a control kube-bench dropped where it was, and reports it; --drop-vanished removes it', () => {
    const existing = controlFile(handmade111 + gen112);
    const kept = merge(controlFile(gen112), { '1-files.yaml': existing });
    expect(kept.text).toBe(existing);
    expect(kept.report.vanished).toEqual(['1.1.1']);
    const dropped = merge(controlFile(gen112), { '1-files.yaml': existing }, '1-files.yaml', { dropVanished: true });
    expect(dropped.text).toBe(controlFile(gen112));
    expect(dropped.report.vanished).toEqual(['1.1.1']);
  });

  it('does not count a control as dropped when it only moved to another file', () => {
    const { text, report } = merge(controlFile(gen112), { '1-files.yaml': controlFile(handmade111 + gen112) }, '1-files.yaml', {
      generatedIds: ['1.1.1', '1.1.2'],
    });
    expect(text).toBe(controlFile(gen112));
    expect(report.vanished).toEqual([]);
  });

  it('keeps the order an engineer gave the keys, and puts a key kube-bench now implies after its predecessor', () => {
    const reordered = gen112.replace('    manual:\n', '    notes: before kubeBench on purpose\n    manual:\n');
    const moved = reordered.split('\n');
    // notes + manual (4 lines) moved above kubeBench.
    const lines = [...moved.slice(0, 5), ...moved.slice(8, 12), ...moved.slice(5, 8), ''];
    const existing = controlFile(lines.join('\n'));
    const generated = controlFile(gen112.replace('    roles: [control-plane]\n', '    scope: cluster\n'));
    const { text } = merge(generated, { '1-files.yaml': existing });
    expect(text).toBe(existing.replace('    roles: [control-plane]\n', '    scope: cluster\n'));
  });

  it('keeps comments above a regenerated key, between controls and below the generated head', () => {
    const head = `${HEAD}# A note someone added under the generated head.\n`;
    const existing = controlFile(handmade111.replace('    title:', '    # the CIS title\n    title:') + '\n  # the next control is odd\n' + gen112, head);
    const generated = controlFile(gen111.replace('is 600\n', 'is 600!\n') + gen112);
    const { text } = merge(generated, { '1-files.yaml': existing });
    expect(text).toBe(existing.replace('is 600\n', 'is 600!\n'));
  });

  it("moves hand-made keys to the generator's indentation", () => {
    const flush = (s: string) =>
      s
        .split('\n')
        .map((l) => l.slice(2))
        .join('\n');
    const existing = controlFile(flush(handmade111));
    const { text } = merge(controlFile(gen111), { '1-files.yaml': existing });
    expect(text).toBe(controlFile(handmade111));
  });

  it("reports a kept guidance that differs from kube-bench's remediation", () => {
    const existing = controlFile(gen111 + gen112.replace('chown root the file', 'chown root:root /etc/x (written by hand)'));
    const { text, report } = merge(controlFile(gen111 + gen112), { '1-files.yaml': existing });
    expect(text).toBe(existing);
    expect(report.guidance).toEqual(['1.1.2']);
  });

  it('keeps a structured audit written by hand, and its roles, where the generator can only write a script', () => {
    const control = (roles: string, audit: string[], flag: string) =>
      [
        '  - id: "4.2.1"',
        '    section: "4.2"',
        '    title: Ensure anonymous auth is off',
        '    assessment: Automated',
        `    roles: ${roles}`,
        '    kubeBench:',
        '      target: node',
        '      scored: true',
        '      audit:',
        ...audit,
        '      tests:',
        '        items:',
        `          - flag: ${flag}`,
        '    manual:',
        '      reason: No fix.',
        '      guidance: Do it by hand.',
        '',
      ].join('\n');
    const script = ['        source: script', '        summary: a one-line shell script using journalctl, grep'];
    const journal = ['        source: journal', '        units: [k3s]', '        line: Running kube-apiserver', '        fallback: "--anonymous-auth=false"'];
    const existing = controlFile(control('[control-plane]', journal, '--anonymous-auth'));
    const { text, report } = merge(controlFile(control('[control-plane, etcd, worker]', script, '--anonymous-auth-new')), { '1-files.yaml': existing });
    expect(text).toBe(controlFile(control('[control-plane]', journal, '--anonymous-auth-new')));
    expect(report.audits).toEqual(['4.2.1']);
    // A script audit in the file is the generator's own: it is rewritten like the rest.
    const other = ['        source: script', '        summary: an old summary'];
    const regenerated = merge(controlFile(control('[worker]', script, 'x')), { '1-files.yaml': controlFile(control('[control-plane]', other, 'x')) });
    expect(regenerated.text).toBe(controlFile(control('[worker]', script, 'x')));
    expect(regenerated.report.audits).toEqual([]);
  });

  it('says where two files define the same control', () => {
    expect(() =>
      indexControls([
        { name: 'a.yaml', text: controlFile(gen111) },
        { name: 'b.yaml', text: controlFile(gen111) },
      ]),
    ).toThrow('control 1.1.1 is in both a.yaml and b.yaml');
  });
});

describe('mergeKeyedFile', () => {
  it('keeps the keys the generator does not write in benchmark.yaml', () => {
    const generated = '# head\nid: x\nversion: "1.8"\nkubernetesVersions:\n  from: "1.28"\n';
    const existing = '# head\nid: x\nversion: "1.7"\nkubernetesVersions:\n  from: "1.28"\nnodeReplacement: >-\n  Set it in the\n  launch template.\n';
    expect(mergeKeyedFile({ name: 'benchmark.yaml', generated, existing })).toBe(existing.replace('"1.7"', '"1.8"'));
  });

  it('writes the generated file when there is none', () => {
    expect(mergeKeyedFile({ name: 'benchmark.yaml', generated: 'id: x\n', existing: undefined })).toBe('id: x\n');
  });

  it("regenerates kube-bench's variables, keeps hand-made keys in them and hand-made variables, adds new ones", () => {
    const generated = [
      'variables:',
      '  kubeletConfig:',
      '    description: the config',
      '    kubeBench: $kubeletconf',
      '    type: file',
      '    candidates:',
      '      - /etc/new/config.yaml',
      '  proxyConfig:',
      '    description: new in kube-bench',
      '    type: file',
      '',
    ].join('\n');
    const existing = [
      'variables:',
      '  kubeletConfig:',
      '    description: the config',
      '    kubeBench: $kubeletconf',
      '    type: file',
      '    resolve: all   # every file counts',
      '    candidates:',
      '      - /etc/old/config.yaml',
      '  # Named by hand so steps can use it.',
      '  adminKubeconfig:',
      '    description: by hand',
      '    type: file',
      '',
    ].join('\n');
    expect(mergeKeyedFile({ name: 'variables.yaml', generated, existing, nested: ['variables'] })).toBe(
      [
        'variables:',
        '  kubeletConfig:',
        '    description: the config',
        '    kubeBench: $kubeletconf',
        '    type: file',
        '    resolve: all   # every file counts',
        '    candidates:',
        '      - /etc/new/config.yaml',
        '  proxyConfig:',
        '    description: new in kube-bench',
        '    type: file',
        '  # Named by hand so steps can use it.',
        '  adminKubeconfig:',
        '    description: by hand',
        '    type: file',
        '',
      ].join('\n'),
    );
  });
});
