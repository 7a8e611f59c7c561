/**
 * Removing words from environment files and unit lines: exactly the words,
 * one separator each, every other byte untouched.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEnvironmentFile } from '../../../../src/evaluate/kubelet/environment-file.js';
import { splitWords } from '../../../../src/evaluate/kubelet/systemd-words.js';
import { wordRemovalEdits } from '../../../../src/plan/edits/kubelet-word-edits.js';
import { applySplices } from '../../../../src/plan/edits/text-splice.js';

/** Remove the words at `indexes` from variable `name` of an environment file. */
function removeFromVariable(text: string, name: string, indexes: readonly number[]): string {
  const assignment = parseEnvironmentFile(text).find((a) => a.name === name);
  if (!assignment) throw new Error(`no ${name}`);
  const spans = splitWords(assignment.value, 'variable').map((w) => w.span);
  return applySplices(
    text,
    wordRemovalEdits(
      text,
      indexes.map((index) => ({ list: spans, index })),
    ),
  );
}

const valueOf = (text: string, name: string) =>
  splitWords(parseEnvironmentFile(text).find((a) => a.name === name)?.value ?? { text: '', offsets: [] }, 'variable').map((w) => w.text);

describe('wordRemovalEdits', () => {
  const flags =
    'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10 --authorization-mode=AlwaysAllow"\n';

  it('removes a last, first or middle word with the one separator that joined it', () => {
    expect(removeFromVariable(flags, 'KUBELET_KUBEADM_ARGS', [2])).toBe(
      'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
    );
    expect(removeFromVariable('A="--a --b --c"\n', 'A', [0])).toBe('A="--b --c"\n');
    expect(removeFromVariable('A="--a --b --c"\n', 'A', [1])).toBe('A="--a --c"\n');
    expect(removeFromVariable('A="--a --b --c"\n', 'A', [0, 1])).toBe('A="--c"\n');
    expect(removeFromVariable('A="--a --b --c"\n', 'A', [0, 2])).toBe('A="--b"\n');
  });

  it('leaves an empty value when the only word goes, quoted or not', () => {
    expect(removeFromVariable('KUBELET_EXTRA_ARGS="--hostname-override=n1"\n', 'KUBELET_EXTRA_ARGS', [0])).toBe('KUBELET_EXTRA_ARGS=""\n');
    expect(removeFromVariable('KUBELET_EXTRA_ARGS=--hostname-override=n1\n', 'KUBELET_EXTRA_ARGS', [0])).toBe('KUBELET_EXTRA_ARGS=\n');
  });

  it('keeps a line continuation when the separator after the word can go instead', () => {
    const text = 'ExecStart=/usr/bin/kubelet $A \\\n  --read-only-port=10255 --v=2\n';
    const spans = [0, 1, 2, 3].map((i) => {
      const words = ['/usr/bin/kubelet', '$A', '--read-only-port=10255', '--v=2'];
      const start = text.indexOf(words[i] as string);
      return { start, end: start + (words[i] as string).length };
    });
    expect(applySplices(text, wordRemovalEdits(text, [{ list: spans, index: 2 }]))).toBe('ExecStart=/usr/bin/kubelet $A \\\n  --v=2\n');
    expect(
      applySplices(
        text,
        wordRemovalEdits(text, [
          { list: spans, index: 2 },
          { list: spans, index: 3 },
        ]),
      ),
    ).toBe('ExecStart=/usr/bin/kubelet $A\n');
  });

  it('removes a quoted word whole, quotes included', () => {
    expect(removeFromVariable('A=\'--x "--y=a b" --z\'\n', 'A', [1])).toBe("A='--x --z'\n");
  });

  it('keeps the kept words and every other line (property)', () => {
    const word = fc.stringMatching(/^--[a-z][a-z-]{0,10}=[A-Za-z0-9:/._-]{0,10}$/);
    const otherLine = fc.constantFrom('# comment', 'OTHER="--x --y"', '', 'X=1');
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.array(otherLine, { maxLength: 3 }),
        fc.array(otherLine, { maxLength: 3 }),
        fc.constantFrom('"', "'", ''),
        fc.constantFrom(' ', '  ', '\t'),
        (words, remove, before, after, quote, gap) => {
          const text = [...before, `VAR=${quote}${words.join(gap)}${quote}`, ...after, ''].join('\n');
          const indexes = words.map((_, i) => i).filter((i) => remove[i]);
          const edited = removeFromVariable(text, 'VAR', indexes);
          expect(valueOf(edited, 'VAR')).toEqual(words.filter((_, i) => !remove[i]));
          const lines = edited.split('\n');
          expect(lines.slice(0, before.length)).toEqual(before);
          expect(lines.slice(before.length + 1)).toEqual([...after, '']);
          expect(removeFromVariable(text, 'VAR', [])).toBe(text);
        },
      ),
    );
  });
});
