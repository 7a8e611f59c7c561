/**
 * The fact-gathering script: one POSIX sh program, sent on stdin to
 * `/bin/sh -s` on each node (one exec per node, DESIGN.md §6).
 *
 * It is constant text: generated once, at module load, from the constant
 * tables of candidate-paths.ts, file-flags.ts, listing-specs.ts and
 * content-policy.ts, and never from anything a user or node supplies. It
 * only reads; it writes nothing on the node.
 *
 * Portability: POSIX sh as dash and busybox ash implement it (`local` is not
 * used; nothing bash-only), plus GNU coreutils (stat --printf, base64,
 * sha256sum, uname, cut, tr, timeout when present), awk and sed -E. No
 * python, node or jq.
 *
 * Cost: the number of processes does not grow with the number of files
 * stat'ed or listed: one `stat` for all metadata, one `stat -L` for all
 * symlinks, one `sha256sum` for all regular files, one `awk` for all
 * configuration file contents; only matched component processes cost two
 * processes each. Directory walks and the unit/config scans use shell
 * builtins only.
 *
 * CISFIX_FACTS_ROOT and CISFIX_FACTS_PROC, read once at the top, let tests
 * and the lab point the script at a fake node tree instead of / and /proc.
 * Paths in the output carry that root prefix; the parser strips it.
 */

import { quoteShellArg } from '../transport/shell-quote.js';
import {
  ADMIN_CONF,
  CONFIG_CANDIDATE_LISTS,
  KUBELET_CONF,
  KUBELET_DROP_IN_DIRS,
  KUBELET_ENV_FILES,
  KUBELET_UNIT_FILES,
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
import { FILE_FLAGS, KUBELET_CONFIG_FILE_FIELDS, type FileFlagRole } from './file-flags.js';
import { FIXED_LISTINGS, MAX_LISTED_ENTRIES } from './listing-specs.js';
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

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function words(values: readonly string[]): string {
  return values.map(quoteShellArg).join(' ');
}

function allPaths(lists: readonly CandidateList[]): string[] {
  return unique(lists.flatMap((list) => [...list.cisFix, ...(list.default ? [list.default] : [])]));
}

function roleAction(role: FileFlagRole): string {
  switch (role.kind) {
    case 'config':
      return 'FR=config';
    case 'file':
      return 'FR=file';
    case 'dir':
      return `FR=dir; FD=${role.depth}; FC=${role.listing}`;
  }
}

/** `case` arms mapping names to FR/FD/FC, grouped by identical action. */
function roleCases(table: Readonly<Record<string, FileFlagRole>>): string {
  const byAction = new Map<string, string[]>();
  for (const [name, role] of Object.entries(table)) {
    const action = roleAction(role);
    byAction.set(action, [...(byAction.get(action) ?? []), name]);
  }
  return [...byAction.entries()].map(([action, names]) => `    ${names.join('|')}) ${action} ;;`).join('\n');
}

function extensionPattern(extensions: readonly string[]): string {
  return extensions.map((ext) => `*.${ext}`).join('|');
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
  return [
    `BEGIN { MARK = "${REDACTION_MARK}" }`,
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
    `  if (line ~ /${markers}/) bad = 1`,
    '  buf[++n] = line',
    '}',
    'END { flush() }',
  ].join('\n');
}

function renderGatherScript(): string {
  const statFormat = STAT_FIELDS.map((field) => `${field}\\0`).join('');
  const configFiles = unique([
    ...allPaths(CONFIG_CANDIDATE_LISTS),
    ADMIN_CONF,
    SUPER_ADMIN_CONF,
    ...KUBELET_UNIT_FILES,
    ...KUBELET_ENV_FILES,
  ]);
  const statOnly = allPaths(STAT_ONLY_CANDIDATE_LISTS);
  const listings = FIXED_LISTINGS.map((l) => `list "$R"${quoteShellArg(l.dir)} ${l.depth} ${l.listing}`).join('\n');
  const kubeletConfigFields = Object.keys(KUBELET_CONFIG_FILE_FIELDS);
  const kubeletConfigScan = kubeletConfigFields
    .map((field) => `    case $l in *${field}*) kv ${field} "$l"; on_value ${field} "$V" ;; esac`)
    .join('\n');

  return `# cis-fix: gather the facts of one node (format in src/facts/output-format.ts).
# Read-only. Every byte taken from the node is printed as base64.
LC_ALL=C
export LC_ALL
QUOTING_STYLE=literal
export QUOTING_STYLE
R=\${CISFIX_FACTS_ROOT:-}
R=\${R%/}
P=\${CISFIX_FACTS_PROC:-/proc}
NL='
'
SOH=$(printf '\\001')
MAXN=${MAX_LISTED_ENTRIES}
MAXC=${MAX_CONTENT_BYTES}
FMT='${statFormat}'

die() { printf 'cis-fix facts: %s\\n' "$1" >&2; exit 3; }
for t in awk base64 cut sed sha256sum stat tr uname; do
  command -v "$t" >/dev/null 2>&1 || die "$t not found on the node (GNU coreutils, awk and sed are required)"
done
stat --printf= -- / >/dev/null 2>&1 || die 'stat does not support --printf (GNU coreutils stat is required)'

sec() { printf '${SECTION_MARK}%s\\n' "$1"; }

# Path lists are strings of single-quoted words, replayed with
# eval "set -- $LIST": the only way to hand names with spaces, quotes or
# newlines from sh to one command without a process per name.
shq() {
  Q=
  _s=$1
  while :; do
    case $_s in
      *\\'*) Q=$Q\${_s%%\\'*}"'\\\\''"; _s=\${_s#*\\'} ;;
      *) break ;;
    esac
  done
  Q="'$Q$_s'"
}
STAT=
ABSENT=
FOLLOW=
HASH=
CONTENT=
LISTED=
N=0
TRUNC=0

# want PATH [nohash]: stat PATH (or note it absent); follow it if it is a symlink; hash it if it is a regular file.
want() {
  shq "$1"
  case " $STAT $ABSENT " in *" $Q "*) return 0 ;; esac
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then ABSENT="$ABSENT $Q"; return 0; fi
  STAT="$STAT $Q"
  if [ -L "$1" ]; then FOLLOW="$FOLLOW $Q"; fi
  if [ "$2" != nohash ] && [ -f "$1" ]; then HASH="$HASH $Q"; fi
  return 0
}

# content PATH: gather PATH's content (content-policy.ts): regular files whose name is not a key's.
content() {
  [ -f "$1" ] || return 0
  case \${1##*/} in ${KEY_FILE_PATTERNS.join('|')}) return 0 ;; esac
  shq "$1"
  case " $CONTENT " in *" $Q "*) return 0 ;; esac
  CONTENT="$CONTENT $Q"
}

# walk DIR DEPTH CLASS: every entry, dot-files included, DEPTH levels deep, never through symlinks.
# No 'local' (not POSIX): the caller's loop list is fixed when its loop starts, and $e is not used after the recursion.
walk() {
  for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    if [ "$N" -ge "$MAXN" ]; then TRUNC=1; return 0; fi
    N=$((N + 1))
    shq "$e"
    STAT="$STAT $Q"
    if [ -L "$e" ]; then FOLLOW="$FOLLOW $Q"; fi
    if [ "$3" != data ] && [ -f "$e" ]; then HASH="$HASH $Q"; fi
    case $3 in
      manifests) case \${e##*/} in .*) ;; ${extensionPattern(MANIFEST_EXTENSIONS)}) content "$e" ;; esac ;;
      conf-d) case \${e##*/} in ${extensionPattern(DROP_IN_EXTENSIONS)}) content "$e" ;; esac ;;
    esac
    if [ "$2" -gt 1 ] && [ -d "$e" ] && [ ! -L "$e" ]; then walk "$e" $(($2 - 1)) "$3"; fi
  done
}

# list DIR DEPTH CLASS: stat DIR and walk it, once per directory.
list() {
  shq "$1"
  case " $LISTED " in *" $Q "*) return 0 ;; esac
  LISTED="$LISTED $Q $2 $3"
  want "$1"
  if [ -d "$1" ]; then walk "$1" "$2" "$3"; fi
  return 0
}

# Roles of flags and kubelet config fields that name files (file-flags.ts).
flag_role() {
  FR=
  case $1 in
${roleCases(FILE_FLAGS)}
  esac
}
field_role() {
  FR=
  case $1 in
${roleCases(KUBELET_CONFIG_FILE_FIELDS)}
  esac
}

# follow NAME VALUE: act on an absolute VALUE of a flag or field whose role is in FR.
follow() {
  case $2 in /*) ;; *) return 0 ;; esac
  case $FR in
    config) want "$R$2"; content "$R$2" ;;
    file) want "$R$2" ;;
    dir) list "$R\${2%/}" "$FD" "$FC" ;;
  esac
  if [ "$COMM" = kubelet ] && [ "$1" = --config ]; then shq "$R$2"; KCONF="$KCONF $Q"; fi
  return 0
}
# Argument lines carry newlines as \\001 (see ARGS below): restore them.
on_flag() {
  flag_role "$1"
  v=$2
  while :; do
    case $v in
      *"$SOH"*) v=\${v%%"$SOH"*}$NL\${v#*"$SOH"} ;;
      *) break ;;
    esac
  done
  follow "$1" "$v"
}
on_value() { field_role "$1"; follow "$1" "$2"; }

# scan_args: follow file-naming flags in $ARGS (one argv element per line), --f=v and --f v alike
# (and etcd's Go-style -f=v).
scan_args() {
  pending=
  while IFS= read -r a; do
    if [ -n "$pending" ]; then
      case $a in
        -*) ;;
        *) on_flag "$pending" "$a"; pending=; continue ;;
      esac
      pending=
    fi
    case $a in
      --*=*) on_flag "\${a%%=*}" "\${a#*=}" ;;
      --*) flag_role "$a"; if [ -n "$FR" ]; then pending=$a; fi ;;
      -[a-z]?*=*) on_flag "-\${a%%=*}" "\${a#*=}" ;;
      -[a-z]?*) flag_role "-$a"; if [ -n "$FR" ]; then pending=-$a; fi ;;
    esac
  done <<EOF_ARGS
$ARGS
EOF_ARGS
}

# kv KEY LINE: V = the scalar after 'KEY:' or '"KEY":' on LINE (YAML or JSON), else empty.
SPACE='[[:space:]]'
NOTSPACE='[![:space:]]'
STOP='[,}[:space:]]'
kv() {
  V=\${2#*"$1"}
  if [ "$V" = "$2" ]; then V=; return 0; fi
  V=\${V#\\"}
  V=\${V#"\${V%%$NOTSPACE*}"}
  case $V in :*) V=\${V#:} ;; *) V=; return 0 ;; esac
  V=\${V#"\${V%%$NOTSPACE*}"}
  case $V in
    \\"*) V=\${V#\\"}; V=\${V%%\\"*} ;;
    \\'*) V=\${V#\\'}; V=\${V%%\\'*} ;;
    *) V=\${V%%$STOP*} ;;
  esac
}

# scan_kubelet_config FILE: follow the file-naming fields of a KubeletConfiguration (builtins only).
scan_kubelet_config() {
  [ -f "$1" ] || return 0
  COMM=
  while IFS= read -r l || [ -n "$l" ]; do
${kubeletConfigScan}
  done < "$1"
}

# scan_unit FILE: follow EnvironmentFile= of a systemd unit or drop-in ('-' = optional).
scan_unit() {
  [ -f "$1" ] || return 0
  while IFS= read -r l || [ -n "$l" ]; do
    l=\${l#"\${l%%$NOTSPACE*}"}
    case $l in EnvironmentFile*=*) ;; *) continue ;; esac
    k=\${l%%=*}
    k=\${k%"\${k##*$NOTSPACE}"}
    [ "$k" = EnvironmentFile ] || continue
    v=\${l#*=}
    v=\${v#"\${v%%$NOTSPACE*}"}
    v=\${v%"\${v##*$NOTSPACE}"}
    v=\${v#-}
    v=\${v#\\"}
    v=\${v%\\"}
    case $v in /*) want "$R$v"; content "$R$v" ;; esac
  done < "$1"
}

# Trusted: owned by root and not writable by group or others. A process that
# merely calls itself "kubelet" must not get root to run its program.
trusted_bin() {
  s=$(stat -L -c '%u %a' -- "$1" 2>/dev/null) || return 1
  case $s in "0 "*) ;; *) return 1 ;; esac
  case \${s#0 } in *[2367]? | *[2367]) return 1 ;; esac
  return 0
}

echo '${FACTS_HEADER}'
# Who the node is: root and proc dirs, uname, os-release (read by the shell,
# so no NUL can break the framing), and accounts: names and ids only
# (fields 1, 3, 4 of passwd and group), never a password field.
sec host
{
  printf '%s\\0%s\\0' "$R" "$P"
  uname -s -n -r -m
  printf '\\0'
  for f in ${OS_RELEASE_FILES.map((p) => `"$R"${quoteShellArg(p)}`).join(' ')}; do
    if [ -f "$f" ]; then
      while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < "$f"
      break
    fi
  done
  printf '\\0'
  if [ -z "$R" ] && command -v getent >/dev/null 2>&1; then
    { getent passwd; echo '${ACCOUNTS_SEPARATOR}'; getent group; } | cut -d: -f1,3,4
  else
    { cat "$R/etc/passwd"; echo '${ACCOUNTS_SEPARATOR}'; cat "$R/etc/group"; } 2>/dev/null | cut -d: -f1,3,4
  fi
} | base64

# Component processes, by /proc/PID/comm (builtin reads, no process per pid).
PROCS=
for d in "$P"/[0-9]*; do
  pid=\${d##*/}
  case $pid in *[!0-9]*) continue ;; esac
  c=
  { IFS= read -r c < "$d/comm"; } 2>/dev/null
  case $c in
    ${GATHERED_COMMS.join('|')}) PROCS="$PROCS $pid:$c" ;;
  esac
done
KCONF=
KPIDS=
for pc in $PROCS; do
  pid=\${pc%%:*}
  COMM=\${pc#*:}
  sec "proc $pid $COMM"
  base64 < "$P/$pid/cmdline" 2>/dev/null
  # One argument per line; a newline inside an argument travels as \\001.
  ARGS=$(tr '\\n\\0' '\\001\\n' < "$P/$pid/cmdline" 2>/dev/null)
  scan_args
  case $COMM in
    etcd)
      sec "etcd-env $pid"
      tr '\\0' '\\n' < "$P/$pid/environ" 2>/dev/null \\
        | sed -n -E -e '/^ETCD_[A-Za-z0-9_]*(PASSWORD|TOKEN|SECRET|KEY=)/d' -e '/^ETCD_[A-Za-z0-9_]*=/p' | base64
      ;;
    kubelet) KPIDS="$KPIDS $pid" ;;
  esac
done
COMM=

# Configuration files kube-bench may pick, and what only needs a stat.
for f in ${words(configFiles)}; do
  want "$R$f"
  content "$R$f"
done
for f in ${words(statOnly)}; do
  want "$R$f"
done

# The kubelet's config: the file its --config names, else kube-bench's first existing candidate.
if [ -z "$KCONF" ]; then
  for f in ${words(KUBELET_CONF.cisFix)}; do
    if [ -e "$R$f" ]; then shq "$R$f"; KCONF=$Q; break; fi
  done
fi
eval "set -- $KCONF"
for f; do scan_kubelet_config "$f"; done

${listings}

# Environment files named by the kubelet unit and its drop-ins.
for f in ${words(KUBELET_UNIT_FILES)}; do
  scan_unit "$R$f"
done
for d in ${words(KUBELET_DROP_IN_DIRS)}; do
  for f in "$R$d"/*.conf; do scan_unit "$f"; done
done

# kubelet --version, from the running kubelet's binary, else from PATH (real root only).
KBIN=
KHOW=
for pid in $KPIDS; do
  if trusted_bin "$P/$pid/exe"; then KBIN=$P/$pid/exe; KHOW="process $pid"; break; fi
done
if [ -z "$KBIN" ] && [ -z "$R" ]; then
  f=$(command -v kubelet 2>/dev/null)
  case $f in /*) if trusted_bin "$f"; then KBIN=$f; KHOW=path; fi ;; esac
fi
if [ -n "$KBIN" ]; then
  sec kubelet-version
  TO=
  if command -v timeout >/dev/null 2>&1; then TO='timeout 10'; fi
  { printf '%s\\0%s\\0' "$KHOW" "$KBIN"; $TO "$KBIN" --version 2>&1 </dev/null; } | base64
fi

# Metadata of everything at once.
if [ -n "$ABSENT" ]; then
  eval "set -- $ABSENT"
  sec absent
  printf '%s\\0' "$@" | base64
fi
eval "set -- $STAT"
sec stat
stat --printf="$FMT" -- "$@" 2>/dev/null | base64
if [ -n "$FOLLOW" ]; then
  eval "set -- $FOLLOW"
  sec stat-follow
  stat -L --printf="$FMT" -- "$@" 2>/dev/null | base64
fi
if [ -n "$HASH" ]; then
  eval "set -- $HASH"
  sec sha256-files
  printf '%s\\0' "$@" | base64
  sec sha256
  sha256sum -- "$@" 2>/dev/null | base64
fi

# Contents: one stat for all sizes, then one awk for every file small enough.
eval "set -- $CONTENT"
SIZES=
if [ $# -gt 0 ]; then SIZES=$(stat -L -c %s -- "$@" 2>/dev/null); fi
cnt=0
rest=$SIZES$NL
while [ -n "$rest" ]; do rest=\${rest#*"$NL"}; cnt=$((cnt + 1)); done
# A file that vanished meanwhile shifts the lines: then ask per file.
if [ "$cnt" -ne $# ]; then SIZES=; fi
SMALL=
LARGE=
for f; do
  size=\${SIZES%%"$NL"*}
  SIZES=\${SIZES#*"$NL"}
  case $size in ''|*[!0-9]*) size=$(stat -L -c %s -- "$f" 2>/dev/null) ;; esac
  case $size in ''|*[!0-9]*) continue ;; esac
  shq "$f"
  if [ "$size" -gt "$MAXC" ]; then LARGE="$LARGE $Q"; else SMALL="$SMALL $Q"; fi
done
if [ -n "$LARGE" ]; then
  eval "set -- $LARGE"
  sec content-withheld
  printf '%s\\0too-large\\0' "$@" | base64
fi
if [ -n "$SMALL" ]; then
  eval "set -- $SMALL"
  sec content-files
  printf '%s\\0' "$@" | base64
  sec content
  awk '${redactionProgram()}' "$@" 2>/dev/null | base64
fi

eval "set -- $LISTED"
sec listed
if [ $# -gt 0 ]; then printf '%s\\0' "$@" | base64; fi
sec "end $TRUNC"
`;
}

/** The script, as sent to every node. */
export const GATHER_SCRIPT: string = renderGatherScript();
