import fc from 'fast-check';
import { escapeLines, escapeName, isPrintable } from '../../../src/model/escape-name.js';
import { StalePlanError } from '../../../src/model/errors.js';

describe('escapeName', () => {
  it('renders C0 controls, ESC, DEL and C1 controls visibly', () => {
    expect(escapeName('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(escapeName('\u001b[2J\u001b]0;x\u0007')).toBe('\\x1b[2J\\x1b]0;x\\x07');
    expect(escapeName('\u0000\u007f\u0085\u009b')).toBe('\\x00\\x7f\\x85\\x9b');
  });

  it('renders line separators and bidirectional overrides visibly (no reordered or broken lines)', () => {
    expect(escapeName('a\u2028b\u202ec\u2066')).toBe('a\\u2028b\\u202ec\\u2066');
  });

  it('leaves ordinary names, spaces, quotes and non-ASCII letters alone', () => {
    for (const name of ['/etc/kubernetes/admin.conf', 'my file', `it's "quoted"`, '/données/ключ', 'back\\slash']) expect(escapeName(name)).toBe(name);
  });

  it('never leaves a control character, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        // eslint-disable-next-line no-control-regex
        expect(escapeName(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        expect(isPrintable(escapeName(s))).toBe(true);
      }),
    );
  });

  it('keeps the line breaks of multi-line text and escapes within each line', () => {
    expect(escapeLines('one\u001b[31m\ntwo')).toBe('one\\x1b[31m\ntwo');
  });

  it('is what a stale-plan error uses for the targets it names', () => {
    expect(new StalePlanError(['cp-1:/etc/x\n  cp-1:/fake']).message).toBe(
      'The plan is stale: 1 target changed since it was made:\n  cp-1:/etc/x\\n  cp-1:/fake',
    );
  });
});
