import { describe, expect, it } from '@jest/globals';
import { modeString, parseSha256Output, parseStatRecords } from '../../../src/facts/stat-records.js';

function record(name: string, hexMode: string, described = name): string[] {
  return [name, hexMode, '0', '0', 'root', 'root', '12', '64768', '4242', described];
}

describe('parseStatRecords', () => {
  it('reports modes as stat -c %a does, special bits included', () => {
    expect(modeString(0o100600)).toBe('600');
    expect(modeString(0o100400)).toBe('400');
    expect(modeString(0o102600)).toBe('2600');
    expect(modeString(0o104755)).toBe('4755');
    expect(modeString(0o041777)).toBe('1777');
    expect(modeString(0o100000)).toBe('0');
  });

  it('tells files, directories, symlinks and others apart from the raw mode', () => {
    const records = parseStatRecords([...record('/f', '8180'), ...record('/d', '41ed'), ...record('/l', 'a1ff', '/l -> ../t'), ...record('/s', 'c1ed')]);
    expect(records.map((r) => [r.name, r.stat.type, r.stat.mode, r.symlinkTarget])).toEqual([
      ['/f', 'file', '600', null],
      ['/d', 'dir', '755', null],
      ['/l', 'symlink', '777', '../t'],
      ['/s', 'other', '755', null],
    ]);
  });

  it('reads symlink targets with arrows, quotes and newlines, and the older quoted %N form', () => {
    const [literal, quoted] = parseStatRecords([...record('/a -> b', 'a1ff', "/a -> b -> it's\nodd"), ...record('/q', 'a1ff', "'/q' -> 'it'\\''s'")]);
    expect(literal?.symlinkTarget).toBe("it's\nodd");
    expect(quoted?.symlinkTarget).toBe("it's");
  });

  it('maps UNKNOWN owner names to null and refuses a ragged record', () => {
    const [r] = parseStatRecords(['/x', '81a4', '4242', '4242', 'UNKNOWN', 'UNKNOWN', '1', '1', '1', '/x']);
    expect(r?.stat).toMatchObject({ uid: 4242, user: null, group: null });
    expect(() => parseStatRecords(['/x', '81a4'])).toThrow(/not a multiple of 10/);
    expect(() => parseStatRecords(record('/x', 'zz'))).toThrow(/not hex/);
  });
});

describe('parseSha256Output', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const c = 'c'.repeat(64);

  it('matches GNU-escaped names, raw busybox names and skipped files to the right paths', () => {
    const files = ['/plain', '/new\nline', '/back\\slash', '/unreadable', '/last'];
    const gnu = `${a}  /plain\n\\${b}  /new\\nline\n\\${c}  /back\\\\slash\n${a}  /last\n`;
    const busybox = `${a}  /plain\n${b}  /new\nline\n${c}  /back\\slash\n${a}  /last\n`;
    for (const output of [gnu, busybox]) {
      expect(Object.fromEntries(parseSha256Output(files, output))).toEqual({
        '/plain': a,
        '/new\nline': b,
        '/back\\slash': c,
        '/last': a,
      });
    }
  });

  it("does not let a name with an embedded record steal another file's hash", () => {
    const files = ['/x', `/x\n${b}  /y`, '/y'];
    const output = `${a}  /x\n${c}  /x\n${b}  /y\n${b}  /y\n`;
    expect(Object.fromEntries(parseSha256Output(files, output))).toEqual({ '/x': a, [`/x\n${b}  /y`]: c, '/y': b });
  });
});
