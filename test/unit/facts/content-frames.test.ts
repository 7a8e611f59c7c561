import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { assembleContent, parseContentFrames } from '../../../src/facts/content-frames.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const lines = (...l: string[]): Buffer[] => l.map((x) => Buffer.from(x));

describe('parseContentFrames', () => {
  it('assigns lines to the numbered file and notes withheld ones', () => {
    const frames = parseContentFrames(['/a', '/b', '/c'], Buffer.from('F1\n x\n \nF3\nW\n'));
    expect(frames.get('/a')).toEqual({ kind: 'lines', lines: lines('x', '') });
    expect(frames.has('/b')).toBe(false);
    expect(frames.get('/c')).toEqual({ kind: 'withheld' });
  });

  it('refuses lines outside a frame and frames for unknown files', () => {
    expect(() => parseContentFrames(['/a'], Buffer.from(' x\n'))).toThrow(/before any file frame/);
    expect(() => parseContentFrames(['/a'], Buffer.from('F2\n'))).toThrow(/unknown file 2/);
    expect(() => parseContentFrames(['/a'], Buffer.from('F1\nx\n'))).toThrow(/without a frame tag/);
  });
});

describe('assembleContent', () => {
  it('restores or omits the final newline, whichever matches the file hash', () => {
    expect(assembleContent(lines('a', 'b'), sha('a\nb\n'))).toEqual({ bytes: Buffer.from('a\nb\n'), verbatim: true });
    expect(assembleContent(lines('a', 'b'), sha('a\nb'))).toEqual({ bytes: Buffer.from('a\nb'), verbatim: true });
    expect(assembleContent([], sha(''))).toEqual({ bytes: Buffer.alloc(0), verbatim: true });
  });

  it('marks redacted or changed content as not verbatim', () => {
    expect(assembleContent(lines('token: <redacted by cis-fix>'), sha('token: s3cret\n'))).toMatchObject({ verbatim: false });
    expect(assembleContent(lines('a'), null)).toMatchObject({ verbatim: false });
  });
});
