import fc from 'fast-check';
import { FileMode } from '../../../src/model/file-mode.js';

describe('FileMode', () => {
  it('parses the mode texts stat and playbooks write: three digits, a leading zero, a special-bits digit, a lone zero', () => {
    expect(FileMode.parse('644').bits).toBe(0o644);
    expect(FileMode.parse('0644').bits).toBe(0o644);
    expect(FileMode.parse('600').bits).toBe(0o600);
    expect(FileMode.parse('2755').bits).toBe(0o2755);
    expect(FileMode.parse('1777').bits).toBe(0o1777);
    expect(FileMode.parse('0').bits).toBe(0);
    expect(FileMode.parse('0000').bits).toBe(0);
  });

  it('rejects anything else with a RangeError that names the text and the forms it takes', () => {
    for (const text of ['', '680', '0o644', ' 644', '644\n', '00644', '-644', 'rw-r--r--', '6.4', '0x1a4', '12345']) {
      expect(() => FileMode.parse(text)).toThrow(RangeError);
      expect(FileMode.tryParse(text)).toBeUndefined();
    }
    expect(() => FileMode.parse('680')).toThrow('"680" is not a file mode: expected 1 to 4 octal digits, like "600" or "0644"');
  });

  it('is made from permission bits 0 to 0o7777 only', () => {
    expect(FileMode.of(0o4755).bits).toBe(0o4755);
    expect(FileMode.of(0).toString()).toBe('0');
    for (const bits of [-1, 0o10000, 0o100644, 1.5, Number.NaN]) expect(() => FileMode.of(bits)).toThrow(RangeError);
  });

  it('prints the canonical text of the plan file as stat -c %a does, without leading zeros', () => {
    expect(FileMode.parse('0600').toString()).toBe('600');
    expect(FileMode.parse('0040').toString()).toBe('40');
    expect(FileMode.of(0o2755).toString()).toBe('2755');
    expect(`${FileMode.of(0o644)}`).toBe('644');
    expect(JSON.stringify({ mode: FileMode.of(0o600) })).toBe('{"mode":"600"}');
  });

  it('displays four digits, as diffs show a mode', () => {
    expect(FileMode.parse('600').display()).toBe('0600');
    expect(FileMode.parse('0').display()).toBe('0000');
    expect(FileMode.parse('2644').display()).toBe('2644');
    expect(FileMode.parse('40').display()).toBe('0040');
  });

  it('round-trips every mode through its canonical text and its displayed text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o7777 }), (bits) => {
        const mode = FileMode.of(bits);
        expect(FileMode.parse(mode.toString()).equals(mode)).toBe(true);
        expect(FileMode.parse(mode.display()).equals(mode)).toBe(true);
      }),
    );
  });

  it("is at most a maximum exactly as kube-bench's bitmask decides, setuid, setgid and sticky bits included", () => {
    const max = FileMode.parse('600');
    expect(FileMode.of(0o600).isAtMost(max)).toBe(true);
    expect(FileMode.of(0o400).isAtMost(max)).toBe(true);
    expect(FileMode.of(0).isAtMost(max)).toBe(true);
    expect(FileMode.of(0o640).isAtMost(max)).toBe(false);
    expect(FileMode.of(0o500).isAtMost(max)).toBe(false);
    expect(FileMode.of(0o2600).isAtMost(max)).toBe(false);
    expect(FileMode.of(0o1777).isAtMost(FileMode.of(0o777))).toBe(false);
    expect(FileMode.of(0o755).isAtMost(FileMode.of(0o4755))).toBe(true);
  });

  it('is only ever tightened: 0644 becomes 0600, 0400 stays 0400, and special bits outside the maximum are cleared', () => {
    expect(FileMode.of(0o644).tightenedTo(FileMode.parse('600')).display()).toBe('0600');
    expect(FileMode.of(0o400).tightenedTo(FileMode.parse('600')).display()).toBe('0400');
    expect(FileMode.of(0o4755).tightenedTo(FileMode.parse('0700')).display()).toBe('0700');
    expect(FileMode.of(0o2644).tightenedTo(FileMode.parse('600')).toString()).toBe('600');
    expect(FileMode.of(0o1777).tightenedTo(FileMode.of(0o1755)).toString()).toBe('1755');
  });

  it('tightens to a mode within the maximum that never gains a bit, and tightening twice changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o7777 }), fc.integer({ min: 0, max: 0o7777 }), (bits, maxBits) => {
        const mode = FileMode.of(bits);
        const max = FileMode.of(maxBits);
        const tightened = mode.tightenedTo(max);
        expect(tightened.isAtMost(max)).toBe(true);
        expect(tightened.isAtMost(mode)).toBe(true);
        expect(tightened.tightenedTo(max).equals(tightened)).toBe(true);
        expect(mode.isAtMost(max)).toBe(mode.tightenedTo(max).equals(mode));
      }),
    );
  });

  it('equals another mode by its bits, whatever text it was parsed from, and never changes', () => {
    expect(FileMode.parse('0600').equals(FileMode.parse('600'))).toBe(true);
    expect(FileMode.parse('600').equals(FileMode.parse('640'))).toBe(false);
    expect(FileMode.parse('0600')).toEqual(FileMode.of(0o600));
    expect(FileMode.of(0o600)).not.toEqual(FileMode.of(0o640));
    expect(Object.isFrozen(FileMode.of(0o600))).toBe(true);
  });
});
