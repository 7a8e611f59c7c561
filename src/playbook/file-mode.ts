/**
 * The semantics of `file-mode` steps, which are kube-bench's `bitmask` test:
 * a mode satisfies `maxMode` when it has no bit outside it. Modes here are
 * the permission bits as numbers (0o644), including setuid/setgid/sticky.
 */

/** Parses "600" / "0600" (as written in playbooks) to 0o600. Throws on anything else: playbooks are validated first. */
export function parseMode(text: string): number {
  if (!/^0?[0-7]{3,4}$/.test(text)) throw new RangeError(`not an octal mode: ${text}`);
  return parseInt(text, 8);
}

/** "0644" for 0o644; "4755" for setuid bits. */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** kube-bench's bitmask: (max & actual) == actual. 0o400 is within 0o600; 0o500 is not (owner execute); setuid never is. */
export function modeWithin(actual: number, maxMode: number): boolean {
  return (maxMode & actual) === actual;
}

/**
 * The mode a file gets: the current mode with every bit outside `maxMode`
 * cleared. Never adds a bit, so a mode is only ever tightened, and applying
 * it twice gives the same mode.
 */
export function tightenMode(actual: number, maxMode: number): number {
  return actual & maxMode;
}
