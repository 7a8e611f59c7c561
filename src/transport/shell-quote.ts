/**
 * The one quoting function for remote commands (DESIGN.md §3). Every value
 * that is not a constant of cis-fix goes through `quoteShellArg` before it
 * becomes part of a command line run by a POSIX shell on a node.
 *
 * Single quotes make the shell take every byte literally except the single
 * quote itself, which is written as '\'' (close, escaped quote, reopen).
 * This holds for spaces, `$()`, backticks, `;`, globs, newlines and any
 * non-ASCII bytes. NUL cannot be passed in an argv at all, so it is refused.
 */
export function quoteShellArg(value: string): string {
  if (value.includes('\0')) {
    throw new TypeError('a shell argument cannot contain a NUL byte');
  }
  // Plain words stay readable in logs; anything else is single-quoted.
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `program` must be a constant of cis-fix; each argument is quoted. */
export function buildCommand(program: string, ...args: readonly string[]): string {
  return [program, ...args.map(quoteShellArg)].join(' ');
}
