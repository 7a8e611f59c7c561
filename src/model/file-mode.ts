/**
 * A file's permission bits (setuid, setgid and sticky included): the one
 * place where mode text becomes a number and back. Plans, journals, facts
 * and playbooks keep modes as text; code parses them here at the edge and
 * formats them here when it writes or prints one.
 *
 * The texts that occur: `stat -c %a` prints "600", "2755", "1777" and "0"
 * (no leading zeros; the plan file and journals store exactly that), and
 * playbooks write "600" or "0600". `toString()` gives the stat form,
 * `display()` the four-digit form of diffs ("mode 0644 -> 0600").
 *
 * A class rather than a branded number: a branded number still admits
 * `mode & x`, `mode.toString()` (decimal!) and `===` against a raw number,
 * exactly the ad-hoc arithmetic this type replaces; a class only offers the
 * operations below. The bits are a readonly field of a frozen instance, so a
 * FileMode never changes, and Jest's toEqual still compares two of them by
 * value (it would not see an ES `#private` field).
 *
 * kube-bench's `bitmask` test is "(max & actual) == actual": `isAtMost`.
 * cis-fix only ever tightens a mode: `tightenedTo` clears the bits a maximum
 * forbids and never adds one.
 */

const ALL_BITS = 0o7777;

export class FileMode {
  private constructor(readonly bits: number) {
    Object.freeze(this);
  }

  /** "600", "0644", "2755", "0" (one to four octal digits, as stat and playbooks write them) as a FileMode. */
  static parse(text: string): FileMode {
    const mode = FileMode.tryParse(text);
    if (mode === undefined) throw new RangeError(`${JSON.stringify(text)} is not a file mode: expected 1 to 4 octal digits, like "600" or "0644"`);
    return mode;
  }

  /** Like `parse`, but undefined for text that is no mode: for checks that report a bad mode rather than throw. */
  static tryParse(text: string): FileMode | undefined {
    return /^[0-7]{1,4}$/.test(text) ? new FileMode(Number.parseInt(text, 8)) : undefined;
  }

  /** The mode with these permission bits (0o644); anything outside 0o7777 is a RangeError. */
  static of(bits: number): FileMode {
    if (!Number.isInteger(bits) || bits < 0 || bits > ALL_BITS) throw new RangeError(`${bits} is not a file mode: expected permission bits from 0 to 0o7777`);
    return new FileMode(bits);
  }

  /** The canonical text, as `stat -c %a` prints it and the plan file stores it: "600", "2755", "0". */
  toString(): string {
    return this.bits.toString(8);
  }

  /** JSON holds modes as their canonical text, never as an object. */
  toJSON(): string {
    return this.toString();
  }

  /** Four digits, as diffs and findings show a mode: "0600", "2755". */
  display(): string {
    return this.toString().padStart(4, '0');
  }

  /** Whether this mode has no bit outside `max` (kube-bench's bitmask): 0400 is at most 0600; 0500 and 2600 are not. */
  isAtMost(max: FileMode): boolean {
    return (this.bits & ~max.bits) === 0;
  }

  /** This mode with every bit outside `max` cleared: never adds a bit, and tightening twice changes nothing. */
  tightenedTo(max: FileMode): FileMode {
    return new FileMode(this.bits & max.bits);
  }

  equals(other: FileMode): boolean {
    return this.bits === other.bits;
  }
}
