/**
 * The wire format between the gathering script and the parser.
 *
 * The script prints the header line, then sections. A section is a marker
 * line `@@<name>[ <arg>...]` followed by zero or more lines of base64 (the
 * section's payload). Every byte that comes from the node (names, contents,
 * command lines, command output) travels inside base64, whose alphabet has
 * no `@`, so a payload line can never be taken for a marker: the delimiter
 * is a constant, not a random per-run boundary. Marker arguments are only
 * decimal pids and constant words of the script. The stream ends with
 * `@@end <truncated>`; without it the output is incomplete.
 */

export const FACTS_FORMAT_VERSION = 1;
export const FACTS_HEADER = `#cisfix-facts ${FACTS_FORMAT_VERSION}`;
export const SECTION_MARK = '@@';

/**
 * Section names. Payloads are base64 of:
 * - `host`: `root\0proc\0uname\0os-release\0accounts`: the script's
 *   CISFIX_FACTS_ROOT and proc dir, `uname -s -n -r -m`, the os-release
 *   file, and `name:id:members` lines of passwd, a line `@`, then of group;
 * - `proc <pid> <comm>`: /proc/<pid>/cmdline (NUL-separated argv);
 * - `env <pid> <lines>`: lines of the process's environment as kube-bench's
 *   audit_env prints them (NUL-separated entries as lines), only those
 *   environment-policy.ts keeps, each ending in a newline, credentials
 *   redacted; `<lines>` counts every line of the whole text, kept or not;
 * - `kubelet-version`: `how\0path\0` then the output of `kubelet --version`;
 * - `absent`: NUL-terminated paths the script looked for and did not find;
 * - `stat` / `stat-follow`: STAT_FIELDS records (lstat / stat through symlinks);
 * - `sha256-files`: NUL-terminated paths given to sha256sum, in order;
 * - `sha256`: `sha256sum` output for them (a file it could not read is missing);
 * - `content-files`: NUL-terminated paths whose content follows, in order;
 * - `content`: lines; `F<n>` starts the n-th (1-based) content file, each
 *   following line is one line of it behind a space (redacted), `W` says the
 *   file was withheld for holding a private key. A file with no `F` line is
 *   empty (or vanished). Whether the last line had a newline is not told;
 * - `content-withheld`: `path\0reason\0` pairs;
 * - `listed`: `dir\0depth\0class\0` per listed directory;
 * - `journal <units>`: k3s's journal for the units (joined by `+`):
 *   `component\0truncated\0line\0` per component (journal-lines.ts).
 */
export type SectionName =
  | 'host'
  | 'proc'
  | 'env'
  | 'kubelet-version'
  | 'absent'
  | 'stat'
  | 'stat-follow'
  | 'sha256-files'
  | 'sha256'
  | 'content-files'
  | 'content'
  | 'content-withheld'
  | 'listed'
  | 'end'
  | 'journal';

export const SECTION_NAMES: readonly SectionName[] = [
  'host',
  'proc',
  'env',
  'kubelet-version',
  'absent',
  'stat',
  'stat-follow',
  'sha256-files',
  'sha256',
  'content-files',
  'content',
  'content-withheld',
  'listed',
  'end',
  'journal',
];

/**
 * GNU stat --printf directives of one record, each field NUL-terminated:
 * name, raw mode (hex), uid, gid, user, group, size, device, inode, and
 * `%N` (with QUOTING_STYLE=literal: `name -> target` for a symlink).
 */
export const STAT_FIELDS = ['%n', '%f', '%u', '%g', '%U', '%G', '%s', '%d', '%i', '%N'] as const;

/** Separates passwd lines from group lines in the `accounts` section. */
export const ACCOUNTS_SEPARATOR = '@';
