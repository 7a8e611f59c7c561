import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { buildCommand, quoteShellArg } from '../../../src/transport/shell-quote.js';
import { runs } from '../support/property-runs.js';

/** Run `printf %s <quoted>` in a real POSIX shell and return what the shell saw. */
function roundTrip(shell: string, value: string): string {
  return execFileSync(shell, ['-c', `printf %s ${quoteShellArg(value)}`], { encoding: 'utf8' });
}

const nasty = [
  "it's",
  'a b',
  '$(touch /tmp/pwned)',
  '`id`',
  'a;rm -rf /',
  'line1\nline2',
  '*',
  '"dq"',
  '\\',
  '$HOME',
  'ünïcødé ☃',
  "'",
  "''",
  '',
  '-n',
  '!x',
  '{a,b}',
  '~root',
];

describe('quoteShellArg', () => {
  it.each(['/bin/sh', '/bin/bash', '/bin/dash'])('makes %s pass every tricky value through literally', (shell) => {
    for (const value of nasty) expect(roundTrip(shell, value)).toBe(value);
  });

  it('round-trips any string without NUL through a real shell (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
        (value) => {
          expect(roundTrip('/bin/sh', value)).toBe(value);
        },
      ),
      runs(200),
    );
  });

  it('keeps the argument one word even when it is full of separators (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' ', '\t', '\n', ';', '&', '|', "'", '"', '$', '(', ')', 'x'), { maxLength: 20 }), (chars) => {
        const value = chars.join('');
        const count = execFileSync('/bin/sh', ['-c', `set -- ${quoteShellArg(value)}; printf %s "$#"`], { encoding: 'utf8' });
        expect(count).toBe('1');
      }),
      runs(200),
    );
  });

  it('leaves plain words unquoted so logs stay readable', () => {
    expect(quoteShellArg('/etc/kubernetes/manifests/kube-apiserver.yaml')).toBe('/etc/kubernetes/manifests/kube-apiserver.yaml');
  });

  it('refuses a NUL byte, which no argv can carry', () => {
    expect(() => quoteShellArg('a\0b')).toThrow(/NUL/);
  });

  it('builds a command whose arguments arrive as separate literal words', () => {
    const cmd = buildCommand('printf "%s|"', 'a b', "c'd", '$(x)');
    expect(execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' })).toBe("a b|c'd|$(x)|");
  });
});
