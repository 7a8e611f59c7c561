/**
 * The fact-gathering script: one POSIX sh program, sent on stdin to
 * `/bin/sh -s` on each node (one exec per node, DESIGN.md §6).
 *
 * The program is gather-facts.sh, a real shell file beside this module
 * (checked by shellcheck in `npm run lint`; `npm run build` copies it to
 * dist/). In front of it goes a prelude of constants rendered here from the
 * tables of candidate-paths.ts, file-flags.ts, listing-specs.ts,
 * content-policy.ts, environment-policy.ts and output-format.ts: shell variable assignments only,
 * every value quoted by quoteShellArg. Both halves are constant text, built
 * once at module load, never from anything a user or node supplies.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BugError } from '../model/errors.js';
import { quoteShellArg } from '../transport/shell-quote.js';
import {
  ADMIN_CONF,
  CONFIG_CANDIDATE_LISTS,
  KUBELET_CONF,
  KUBELET_DROP_IN_DIRS,
  KUBELET_ENV_FILES,
  KUBELET_UNIT_FILES,
  ETCD_ENV_FILES,
  ETCD_UNIT_FILES,
  OS_RELEASE_FILES,
  STAT_ONLY_CANDIDATE_LISTS,
  SUPER_ADMIN_CONF,
  type CandidateList,
} from './candidate-paths.js';
import {
  DROP_IN_EXTENSIONS,
  EMBEDDED_PEM_PREFIX,
  KEY_FILE_PATTERNS,
  MANIFEST_EXTENSIONS,
  MAX_CONTENT_BYTES,
  PRIVATE_KEY_MARKERS,
  REDACTED_KEYS,
  REDACTION_MARK,
} from './content-policy.js';
import { FILE_NAME_ERE, NOT_SECRET_NAMES } from './assignment-redaction.js';
import { ENV_PREFIXES, KUBE_BENCH_ENV_NAMES, SECRET_ENV_PATTERNS, SECRET_WORDS } from './environment-policy.js';
import { FILE_FLAGS, KUBELET_CONFIG_FILE_FIELDS, type FileFlagRole } from './file-flags.js';
import { FIXED_LISTINGS, MAX_LISTED_ENTRIES } from './listing-specs.js';
import { K3S_LISTINGS, K3S_STAT_FILES } from './k3s-paths.js';
import { JOURNAL_MARKER_PATHS, JOURNAL_UNIT_SETS, journalAwkProgram, unitSetWord } from './journal-lines.js';
import { RANCHER_CONFIG_FILES, RANCHER_MARKER_PATHS } from './rancher-paths.js';
import { ACCOUNTS_SEPARATOR, FACTS_HEADER, SECTION_MARK, STAT_FIELDS } from './output-format.js';

/** The command names (/proc/PID/comm, at most 15 bytes) whose processes are gathered. */
export const GATHERED_COMMS: readonly string[] = [
  'kube-apiserver',
  'kube-controller', // kube-controller-manager, truncated by the kernel
  'kube-scheduler',
  'etcd',
  'kubelet',
  'kube-proxy',
  'hyperkube',
];

/** The shell program, beside this module in src/ (under jest) and in dist/ (built, installed). */
export const GATHER_SCRIPT_FILE: string = fileURLToPath(new URL('./gather-facts.sh', import.meta.url));

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Table words are split on spaces and matched as literals: only plain names may be in them. */
function plainWord(word: string, what: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(word)) throw new BugError(`gathering script: ${what} ${JSON.stringify(word)} is not a plain word`);
  return word;
}

/** `*` globs joined by `|` for the script's `matches`: no `|` inside a pattern. */
function patterns(globs: readonly string[], what: string): string {
  for (const glob of globs) if (!/^[A-Za-z0-9_.*[\]-]+$/.test(glob)) throw new BugError(`gathering script: ${what} pattern ${JSON.stringify(glob)}`);
  return globs.join('|');
}

/** Quoted words for `eval "set -- $LIST"` in the script. */
function words(values: readonly string[]): string {
  return values.map(quoteShellArg).join(' ');
}

function allPaths(lists: readonly CandidateList[]): string[] {
  return unique(lists.flatMap((list) => [...list.cisFix, ...(list.default ? [list.default] : [])]));
}

function roleAction(role: FileFlagRole): string {
  switch (role.kind) {
    case 'config':
      return 'config';
    case 'file':
      return 'file';
    case 'dir':
      return `dir:${role.depth}:${role.listing}`;
  }
}

/** `name=action` words for the script's `role` look-up. */
function roleTable(table: Readonly<Record<string, FileFlagRole>>): string {
  return Object.entries(table)
    .map(([name, role]) => `${plainWord(name, 'flag or field')}=${roleAction(role)}`)
    .join(' ');
}
/**
 * The awk program that prints the content of every file it is given, framed
 * (output-format.ts, `content`), with credentials redacted, or `W` instead
 * of a file that still holds private key material. Each file is buffered
 * whole before any of it is printed, so the check sees all of it first.
 * Only what mawk, gawk and busybox awk share: match/substr, ERE literals,
 * no character classes, no dynamic regexes.
 */
function redactionProgram(): string {
  const keys = REDACTED_KEYS.join('|');
  const markers = PRIVATE_KEY_MARKERS.join('|');
  // assignment-redaction.ts, line for line: a credential's value in `NAME=value` and in systemd's `Environment=` words.
  const secretName = `(${SECRET_WORDS.join('|')})|KEY$|KEY_DATA$`;
  const fileName = FILE_NAME_ERE.replaceAll('/', '\\/');
  return [
    `BEGIN { MARK = "${REDACTION_MARK}"; split("${NOT_SECRET_NAMES.join(' ')}", ns, " "); for (i in ns) NOT_SECRET[ns[i]] = 1 }`,
    'function secret(name, value,   n, v) {',
    '  n = toupper(name)',
    '  if (n in NOT_SECRET) return 0',
    `  if (n !~ /${secretName}/) return 0`,
    '  v = value; sub(/^["\x27]/, "", v); sub(/["\x27]$/, "", v)',
    '  if (v == "" || v == MARK) return 0',
    `  if (n ~ /KEY$/ && v ~ /${fileName}/) return 0`,
    '  return 1',
    '}',
    'function redact_assignments(line,   out, rest, name, value, q) {',
    '  if (match(line, /^[ \\t]*Environment=/)) {',
    '    out = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1)',
    '    while (match(rest, /(^|[ \\t"])[A-Za-z_][A-Za-z0-9_]*=/)) {',
    '      q = (substr(rest, RSTART, 1) == "\\"")',
    '      name = substr(rest, RSTART, RLENGTH - 1); sub(/^[ \\t"]/, "", name)',
    '      out = out substr(rest, 1, RSTART + RLENGTH - 1); rest = substr(rest, RSTART + RLENGTH)',
    '      if (q) match(rest, /^[^"]*/); else if (substr(rest, 1, length(MARK)) == MARK) { RSTART = 1; RLENGTH = length(MARK) } else match(rest, /^[^ \\t"]*/)',
    '      value = substr(rest, 1, RLENGTH); rest = substr(rest, RLENGTH + 1)',
    '      out = out (secret(name, value) ? MARK : value)',
    '    }',
    '    line = out rest',
    '  }',
    '  if (match(line, /^[ \\t]*#?[ \\t]*(export[ \\t]+)?[A-Za-z_][A-Za-z0-9_]*=/)) {',
    '    out = substr(line, 1, RLENGTH); name = substr(out, 1, RLENGTH - 1); sub(/^.*[ \\t#]/, "", name)',
    '    if (secret(name, substr(line, RLENGTH + 1))) line = out MARK',
    '  }',
    '  return line',
    '}',
    'function flush(  i) {',
    '  if (idx == 0) return',
    '  print "F" idx',
    '  if (bad) print "W"',
    '  else for (i = 1; i <= n; i++) print " " buf[i]',
    '  idx = 0; n = 0; bad = 0',
    '}',
    'FNR == 1 {',
    '  flush()',
    '  for (i = last + 1; i < ARGC; i++) if (ARGV[i] == FILENAME) break',
    '  idx = i; last = i',
    '}',
    '{',
    '  line = $0; out = ""',
    `  while (match(line, /${EMBEDDED_PEM_PREFIX}[A-Za-z0-9+\\/=]*/)) {`,
    '    out = out substr(line, 1, RSTART - 1) MARK',
    '    line = substr(line, RSTART + RLENGTH)',
    '  }',
    '  line = out line; out = ""',
    `  while (match(line, /(^|[^A-Za-z0-9_-])"?(${keys})"?[ \\t]*:[ \\t]*"[^"]*"/)) {`,
    '    s = RSTART; l = RLENGTH; m = substr(line, s, l)',
    '    match(m, /"[^"]*"$/)',
    '    out = out substr(line, 1, s - 1) substr(m, 1, RSTART - 1) "\\"" MARK "\\""',
    '    line = substr(line, s + l)',
    '  }',
    '  line = out line',
    `  if (match(line, /^[ \\t]*(- )?"?(${keys})"?[ \\t]*:/) && substr(line, RLENGTH + 1) ~ /^[ \\t]*[^ \\t"]/) line = substr(line, 1, RLENGTH) " " MARK`,
    '  line = redact_assignments(line)',
    `  if (line ~ /${markers}/) bad = 1`,
    '  buf[++n] = line',
    '}',
    'END { flush() }',
  ].join('\n');
}

/** The constants gather-facts.sh reads, as shell assignments (documented at the top of the .sh file). */
export function renderPrelude(): string {
  const configFiles = unique([
    ...allPaths(CONFIG_CANDIDATE_LISTS),
    ADMIN_CONF,
    SUPER_ADMIN_CONF,
    ...KUBELET_UNIT_FILES,
    ...KUBELET_ENV_FILES,
    ...ETCD_UNIT_FILES,
    ...ETCD_ENV_FILES,
    ...RANCHER_CONFIG_FILES,
  ]);
  const constants: readonly (readonly [string, string])[] = [
    ['HEADER', FACTS_HEADER],
    ['MARK', SECTION_MARK],
    ['ACCOUNTS_SEP', ACCOUNTS_SEPARATOR],
    ['MAXN', String(MAX_LISTED_ENTRIES)],
    ['MAXC', String(MAX_CONTENT_BYTES)],
    ['FMT', STAT_FIELDS.map((field) => `${field}\\0`).join('')],
    ['PROCESS_NAMES', GATHERED_COMMS.map((c) => plainWord(c, 'process name')).join(' ')],
    ['FLAG_ROLES', roleTable(FILE_FLAGS)],
    ['FIELD_ROLES', roleTable(KUBELET_CONFIG_FILE_FIELDS)],
    ['KEY_NAMES', patterns(KEY_FILE_PATTERNS, 'key file')],
    [
      'MANIFEST_NAMES',
      patterns(
        // Any case: k3s/RKE2 read config.yaml.d/*.YAML too (util.HasSuffixI), and the kubelet reads every manifest name.
        MANIFEST_EXTENSIONS.map((ext) => `*.${ext.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`)}`),
        'manifest',
      ),
    ],
    [
      'DROP_IN_NAMES',
      patterns(
        DROP_IN_EXTENSIONS.map((ext) => `*.${ext}`),
        'drop-in',
      ),
    ],
    ['CONFIG_FILES', words(configFiles)],
    ['STAT_ONLY_FILES', words([...allPaths(STAT_ONLY_CANDIDATE_LISTS), ...RANCHER_MARKER_PATHS])],
    ['KUBELET_CONF_FILES', words(KUBELET_CONF.cisFix)],
    ['KUBELET_UNIT_FILES', words(KUBELET_UNIT_FILES)],
    ['KUBELET_DROP_IN_DIRS', words(KUBELET_DROP_IN_DIRS)],
    ['OS_RELEASE_FILES', words(OS_RELEASE_FILES)],
    ['ENV_NAMES', KUBE_BENCH_ENV_NAMES.map((n) => plainWord(n, 'environment variable')).join(' ')],
    ['ENV_PREFIXES', ENV_PREFIXES.map((n) => plainWord(n, 'environment prefix')).join(' ')],
    ['SECRET_ENV', patterns(SECRET_ENV_PATTERNS, 'secret environment')],
    ['REDACTION', REDACTION_MARK],
    ['LISTINGS', words(FIXED_LISTINGS.flatMap((l) => [l.dir, String(l.depth), l.listing]))],
    ['JOURNAL_UNIT_SETS', JOURNAL_UNIT_SETS.map((units) => unitSetWord(units.map((u) => plainWord(u, 'unit')))).join(' ')],
    ['JOURNAL_MARKERS', words(JOURNAL_MARKER_PATHS)],
    ['K3S_FILES', words(K3S_STAT_FILES)],
    ['K3S_LISTINGS', words(K3S_LISTINGS.flatMap((l) => [l.dir, String(l.depth), l.listing]))],
  ];
  // The awk program's `$` are awk's, not the shell's: say so to shellcheck, which the tests run on the whole script.
  const awk = `# shellcheck disable=SC2016 # an awk program: its $ are awk's\nREDACT_AWK=${quoteShellArg(redactionProgram())}`;
  return [
    "# cis-fix gathering script: constants generated from cis-fix's tables (src/facts/gather-script.ts),",
    '# then the program (src/facts/gather-facts.sh).',
    ...constants.map(([name, value]) => `${name}=${quoteShellArg(value)}`),
    awk,
    `# shellcheck disable=SC2016 # an awk program: its $ are awk's\nJOURNAL_AWK=${quoteShellArg(journalAwkProgram())}`,
    '',
  ].join('\n');
}

function readProgram(): string {
  try {
    return readFileSync(GATHER_SCRIPT_FILE, 'utf8');
  } catch (error) {
    throw new BugError(
      `the gathering script ${GATHER_SCRIPT_FILE} is missing: this cis-fix installation is incomplete (reinstall it; from a checkout, run npm run build)`,
      { cause: error },
    );
  }
}

/** The script, as sent to every node: the prelude, then gather-facts.sh. */
export const GATHER_SCRIPT: string = `${renderPrelude()}${readProgram()}`;
