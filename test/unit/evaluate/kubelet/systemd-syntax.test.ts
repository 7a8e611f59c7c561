/**
 * systemd's unit, word and environment-file syntax as cis-fix parses it,
 * and the source spans that let a word be edited where it was written.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEnvironmentFile } from '../../../../src/evaluate/kubelet/environment-file.js';
import { sourcedSlice } from '../../../../src/evaluate/kubelet/sourced-text.js';
import { splitWords } from '../../../../src/evaluate/kubelet/systemd-words.js';
import { parseUnitDirectives } from '../../../../src/evaluate/kubelet/unit-directives.js';
import { fixture } from './support/kubelet-node.js';

const words = (text: string, mode: 'unit' | 'variable' = 'unit') => splitWords(sourcedSlice(text, 0, text.length), mode);

describe('parseUnitDirectives', () => {
  it('reads the kubeadm drop-in: sections, comments skipped, values stripped, line numbers', () => {
    const directives = parseUnitDirectives(fixture('lab-drifted/10-kubeadm.conf'));
    expect(directives.map((d) => [d.section, d.key, d.line])).toEqual([
      ['Service', 'Environment', 3],
      ['Service', 'Environment', 4],
      ['Service', 'EnvironmentFile', 6],
      ['Service', 'EnvironmentFile', 9],
      ['Service', 'ExecStart', 10],
      ['Service', 'ExecStart', 11],
    ]);
    expect(directives[4]?.value.text).toBe('');
    expect(directives[5]?.value.text).toBe('/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS');
  });

  it("joins a backslash-continued line, skipping comment lines inside it, and keeps each character's offset", () => {
    const text = '[Service]\nExecStart=/usr/bin/kubelet \\\n# a comment\n  --a=1 \\\n  --b=2\nRestart=always\n';
    const [exec, restart] = parseUnitDirectives(text);
    expect(exec?.value.text).toBe('/usr/bin/kubelet    --a=1    --b=2');
    expect(exec?.line).toBe(2);
    const at = exec?.value.text.indexOf('--b=2') ?? -1;
    expect(text.slice(exec?.value.offsets[at], (exec?.value.offsets[at] ?? 0) + 5)).toBe('--b=2');
    expect(restart).toMatchObject({ key: 'Restart', line: 6 });
  });

  it("records each assignment's section and tolerates CRLF line ends", () => {
    const directives = parseUnitDirectives('[Unit]\r\nDescription=x\r\n[Service]\r\nExecStart=/bin/k --x\r\n');
    expect(directives.map((d) => `${d.section}.${d.key}=${d.value.text}`)).toEqual(['Unit.Description=x', 'Service.ExecStart=/bin/k --x']);
  });
});

describe('splitWords', () => {
  it('groups quotes anywhere in a word and decodes C escapes in unit values', () => {
    expect(words('"KUBELET_A=--x --y" B=1 --c="d e" \'f g\' h\\si').map((w) => w.text)).toEqual(['KUBELET_A=--x --y', 'B=1', '--c=d e', 'f g', 'h i']);
  });

  it('keeps backslashes literal-next (no C escapes) when splitting a variable value', () => {
    expect(words('--a=x\\ y --b', 'variable').map((w) => w.text)).toEqual(['--a=x y', '--b']);
  });

  it('spans cover the raw word, quotes included', () => {
    const text = 'A="--x --y" --z';
    expect(words(text).map((w) => text.slice(w.span.start, w.span.end))).toEqual(['A="--x --y"', '--z']);
  });

  it('is whitespace splitting for plain words (property)', () => {
    const plainWord = fc.stringMatching(/^[A-Za-z0-9=:/._,-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(plainWord, { maxLength: 8 }), fc.array(fc.constantFrom(' ', '  ', '\t'), { minLength: 9, maxLength: 9 }), (list, gaps) => {
        const text = list.map((w, i) => `${gaps[i] ?? ' '}${w}`).join('');
        const split = words(text, 'variable');
        expect(split.map((w) => w.text)).toEqual(list);
        for (const w of split) expect(text.slice(w.span.start, w.span.end)).toBe(w.text);
      }),
    );
  });
});

describe('parseEnvironmentFile', () => {
  it("reads kubeadm-flags.env with the value's offsets in the file", () => {
    const text = fixture('lab-drifted/kubeadm-flags.env');
    const [assignment] = parseEnvironmentFile(text);
    expect(assignment?.name).toBe('KUBELET_KUBEADM_ARGS');
    expect(assignment?.line).toBe(1);
    const value = assignment?.value;
    expect(value?.text.endsWith('--authorization-mode=AlwaysAllow')).toBe(true);
    const at = value?.text.indexOf('--authorization-mode') ?? -1;
    expect(text.slice(value?.offsets[at] ?? 0).startsWith('--authorization-mode=AlwaysAllow"')).toBe(true);
  });

  it('follows systemd quoting: single verbatim, double with escapes, unquoted trimmed, continuation, comments, later wins', () => {
    const text = [
      '# comment with = sign',
      '; another',
      "A='x \\n y'",
      'B="say \\"hi\\" \\$HOME \\q"',
      'C=  spaced value   ',
      'D=first \\',
      'second',
      'no equals sign here',
      'A=again',
      'E="multi',
      'line"',
      '',
    ].join('\n');
    const byName = Object.fromEntries(parseEnvironmentFile(text).map((a) => [a.name, a.value.text]));
    expect(byName).toEqual({ A: 'again', B: 'say "hi" $HOME \\q', C: 'spaced value', D: 'first second', E: 'multi\nline' });
  });

  it('keeps a last line without a newline, and an empty value', () => {
    expect(parseEnvironmentFile('KUBELET_EXTRA_ARGS=\nX=1').map((a) => [a.name, a.value.text])).toEqual([
      ['KUBELET_EXTRA_ARGS', ''],
      ['X', '1'],
    ]);
  });
});
