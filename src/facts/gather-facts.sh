# cis-fix: gather the facts of one node (format in src/facts/output-format.ts).
#
# Sent on stdin to `/bin/sh -s`, one exec per node (DESIGN.md §6), behind a
# prelude of constants that gather-script.ts generates from cis-fix's tables
# (candidate-paths.ts, file-flags.ts, listing-specs.ts, content-policy.ts,
# output-format.ts, environment-policy.ts). Nothing in the script comes from a
# user or a node. Read-only: it writes nothing on the node. Every byte taken
# from the node is printed as base64.
#
# The prelude defines (all constant; names are uppercase, so the script never
# assigns them):
#   HEADER MARK ACCOUNTS_SEP  output framing
#   MAXN MAXC FMT             listing limit, content size limit, stat --printf format
#   PROCESS_NAMES             process names (comm) gathered, space-separated
#   FLAG_ROLES FIELD_ROLES    `name=config|file|dir:DEPTH:CLASS` words, space-separated
#   KEY_NAMES MANIFEST_NAMES DROP_IN_NAMES   |-separated glob patterns on base names
#   CONFIG_FILES STAT_ONLY_FILES KUBELET_CONF_FILES KUBELET_UNIT_FILES
#   KUBELET_DROP_IN_DIRS OS_RELEASE_FILES     quoted path words (eval "set -- $X")
#   LISTINGS                  quoted `dir depth class` word triples
#   ENV_NAMES                 environment variables kube-bench's tests read, space-separated
#   ENV_PREFIXES              environment name prefixes also kept, space-separated
#   SECRET_ENV                |-separated glob patterns: variable names whose value is withheld
#   REDACTION                 the mark that stands for a withheld value
#   REDACT_AWK                the awk program that prints redacted file contents
#   JOURNAL_UNIT_SETS JOURNAL_MARKERS JOURNAL_AWK   k3s's journal (journal-lines.ts): unit sets
#                             (units joined by +), quoted marker paths, the awk program
#   K3S_FILES K3S_LISTINGS    k3s paths stat'ed / listed on a k3s node only (k3s-paths.ts)
#
# Portability: POSIX sh as dash and busybox ash implement it (`local` is not
# used; nothing bash-only), plus GNU coreutils (stat --printf, base64,
# sha256sum, uname, cut, tr, timeout when present) and awk. No python, node
# or jq.
#
# Cost: the number of processes does not grow with the number of files
# stat'ed or listed: one `stat` for all metadata, one `stat -L` for all
# symlinks, one `sha256sum` for all regular files, one `awk` for all
# configuration file contents; each matched component process costs three
# (base64 and tr of its command line, tr of its environment), and one base64
# more when it has environment lines to send. Directory walks, table
# look-ups and the unit/config scans use shell builtins only.
#
# CISFIX_FACTS_ROOT and CISFIX_FACTS_PROC, read once at the top, let tests
# and the lab point the script at a fake node tree instead of / and /proc.
# Paths in the output carry that root prefix; the parser strips it.

LC_ALL=C
export LC_ALL
QUOTING_STYLE=literal
export QUOTING_STYLE
R=${CISFIX_FACTS_ROOT:-}
R=${R%/}
P=${CISFIX_FACTS_PROC:-/proc}
NL='
'
SOH=$(printf '\001')
# Bracket expressions, used as patterns inside ${...} on purpose.
NOTSPACE='[![:space:]]'
STOP='[,}[:space:]]'

die() { printf 'cis-fix facts: %s\n' "$1" >&2; exit 3; }
for t in awk base64 cut sha256sum stat tr uname; do
  command -v "$t" >/dev/null 2>&1 || die "$t not found on the node (GNU coreutils and awk are required)"
done
stat --printf= -- / >/dev/null 2>&1 || die 'stat does not support --printf (GNU coreutils stat is required)'

sec() { printf '%s%s\n' "$MARK" "$1"; }

# Path lists are strings of single-quoted words, replayed with
# eval "set -- $LIST": the only way to hand names with spaces, quotes or
# newlines from sh to one command without a process per name.
shq() {
  Q=
  _s=$1
  while :; do
    case $_s in
      *\'*) Q=$Q${_s%%\'*}"'\\''"; _s=${_s#*\'} ;;
      *) break ;;
    esac
  done
  Q="'$Q$_s'"
}

# matches NAME PATTERNS: whether NAME matches one of the |-separated glob PATTERNS (constants of the prelude).
matches() {
  _rest=$2
  while [ -n "$_rest" ]; do
    _pat=${_rest%%|*}
    # shellcheck disable=SC2254 # the prelude's patterns are globs: they must match as patterns
    case $1 in $_pat) return 0 ;; esac
    case $_rest in *'|'*) _rest=${_rest#*|} ;; *) _rest= ;; esac
  done
  return 1
}

# role NAME TABLE: FR (and for directories FD, FC) from TABLE's `NAME=ACTION` word, else FR empty.
# NAME comes from the node: anything but a plain flag or field name is no table entry.
role() {
  FR=
  case $1 in '' | *[!A-Za-z0-9-]*) return 0 ;; esac
  case " $2 " in *" $1="*) ;; *) return 0 ;; esac
  _r=" $2 "
  _r=${_r#*" $1="}
  _r=${_r%% *}
  case $_r in
    config | file) FR=$_r ;;
    dir:*:*) FR=dir; _r=${_r#dir:}; FD=${_r%%:*}; FC=${_r#*:} ;;
  esac
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
  if [ "${2:-}" != nohash ] && [ -f "$1" ]; then HASH="$HASH $Q"; fi
  return 0
}

# content PATH: gather PATH's content (content-policy.ts): regular files whose name is not a key's.
content() {
  [ -f "$1" ] || return 0
  if matches "${1##*/}" "$KEY_NAMES"; then return 0; fi
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
      manifests) case ${e##*/} in .*) ;; *) if matches "${e##*/}" "$MANIFEST_NAMES"; then content "$e"; fi ;; esac ;;
      conf-d) if matches "${e##*/}" "$DROP_IN_NAMES"; then content "$e"; fi ;;
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

# follow NAME VALUE: act on an absolute VALUE of a flag or field whose role is in FR.
follow() {
  case $2 in /*) ;; *) return 0 ;; esac
  case $FR in
    config) want "$R$2"; content "$R$2" ;;
    file) want "$R$2" ;;
    dir) list "$R${2%/}" "$FD" "$FC" ;;
  esac
  if [ "$COMM" = kubelet ] && [ "$1" = --config ]; then shq "$R$2"; KCONF="$KCONF $Q"; fi
  return 0
}
# Argument lines carry newlines as \001 (see ARGS below): restore them.
on_flag() {
  role "$1" "$FLAG_ROLES"
  v=$2
  while :; do
    case $v in
      *"$SOH"*) v=${v%%"$SOH"*}$NL${v#*"$SOH"} ;;
      *) break ;;
    esac
  done
  follow "$1" "$v"
}

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
      --*=*) on_flag "${a%%=*}" "${a#*=}" ;;
      --*) role "$a" "$FLAG_ROLES"; if [ -n "$FR" ]; then pending=$a; fi ;;
      -[a-z]?*=*) on_flag "-${a%%=*}" "${a#*=}" ;;
      -[a-z]?*) role "-$a" "$FLAG_ROLES"; if [ -n "$FR" ]; then pending=-$a; fi ;;
    esac
  done <<EOF_ARGS
$ARGS
EOF_ARGS
}

# kv KEY LINE: V = the scalar after 'KEY:' or '"KEY":' on LINE (YAML or JSON), else empty.
# shellcheck disable=SC2295 # $NOTSPACE and $STOP are bracket expressions: they must match as patterns
kv() {
  V=${2#*"$1"}
  if [ "$V" = "$2" ]; then V=; return 0; fi
  V=${V#\"}
  V=${V#"${V%%$NOTSPACE*}"}
  case $V in :*) V=${V#:} ;; *) V=; return 0 ;; esac
  V=${V#"${V%%$NOTSPACE*}"}
  case $V in
    \"*) V=${V#\"}; V=${V%%\"*} ;;
    \'*) V=${V#\'}; V=${V%%\'*} ;;
    *) V=${V%%$STOP*} ;;
  esac
}

# scan_kubelet_config FILE: follow the file-naming fields of a KubeletConfiguration (builtins only).
scan_kubelet_config() {
  [ -f "$1" ] || return 0
  COMM=
  while IFS= read -r l || [ -n "$l" ]; do
    _fields=$FIELD_ROLES
    while [ -n "$_fields" ]; do
      _f=${_fields%%=*}
      case $_fields in *' '*) _fields=${_fields#* } ;; *) _fields= ;; esac
      case $l in *"$_f"*) kv "$_f" "$l"; role "$_f" "$FIELD_ROLES"; follow "$_f" "$V" ;; esac
    done
  done < "$1"
}

# scan_unit FILE: follow EnvironmentFile= of a systemd unit or drop-in ('-' = optional).
# shellcheck disable=SC2295 # $NOTSPACE is a bracket expression: it must match as a pattern
scan_unit() {
  [ -f "$1" ] || return 0
  while IFS= read -r l || [ -n "$l" ]; do
    l=${l#"${l%%$NOTSPACE*}"}
    case $l in EnvironmentFile*=*) ;; *) continue ;; esac
    k=${l%%=*}
    k=${k%"${k##*$NOTSPACE}"}
    [ "$k" = EnvironmentFile ] || continue
    v=${l#*=}
    v=${v#"${v%%$NOTSPACE*}"}
    v=${v%"${v##*$NOTSPACE}"}
    v=${v#-}
    v=${v#\"}
    v=${v%\"}
    case $v in /*) want "$R$v"; content "$R$v" ;; esac
  done < "$1"
}

# keep_env PID: the lines of /proc/PID/environ (NULs as newlines, as kube-bench's
# audit_env prints them) that can decide a kube-bench `env` test or that
# configure the component (environment-policy.ts): lines holding `NAME=` for a
# NAME in ENV_NAMES, and lines whose variable starts with one of ENV_PREFIXES.
# The value of a variable whose name matches SECRET_ENV never leaves the node.
# Sets KEPT (the kept lines, each ending in a newline) and LINES (how many
# lines the whole text has, kept or not).
keep_env() {
  KEPT=
  LINES=0
  _text=$(tr '\0' '\n' 2>/dev/null < "$P/$1/environ") || return 0
  [ -n "$_text" ] || return 0
  while IFS= read -r l; do
    LINES=$((LINES + 1))
    _keep=
    for _n in $ENV_NAMES; do
      case $l in *"$_n="*) _keep=1; break ;; esac
    done
    if [ -z "$_keep" ]; then
      for _p in $ENV_PREFIXES; do
        case $l in "$_p"*=*) _keep=1; break ;; esac
      done
    fi
    [ -n "$_keep" ] || continue
    case $l in
      *=*) if matches "${l%%=*}" "$SECRET_ENV"; then l="${l%%=*}=$REDACTION"; fi ;;
    esac
    KEPT="$KEPT$l$NL"
  done <<EOF_ENV
$_text
EOF_ENV
}

# Trusted: owned by root and not writable by group or others. A process that
# merely calls itself "kubelet" must not get root to run its program.
trusted_bin() {
  s=$(stat -L -c '%u %a' -- "$1" 2>/dev/null) || return 1
  case $s in "0 "*) ;; *) return 1 ;; esac
  case ${s#0 } in *[2367]? | *[2367]) return 1 ;; esac
  return 0
}

echo "$HEADER"
# Who the node is: root and proc dirs, uname, os-release (read by the shell,
# so no NUL can break the framing), and accounts: names and ids only
# (fields 1, 3, 4 of passwd and group), never a password field.
sec host
{
  printf '%s\0%s\0' "$R" "$P"
  uname -s -n -r -m
  printf '\0'
  eval "set -- $OS_RELEASE_FILES"
  for f; do
    if [ -f "$R$f" ]; then
      while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$R$f"
      break
    fi
  done
  printf '\0'
  if [ -z "$R" ] && command -v getent >/dev/null 2>&1; then
    { getent passwd; echo "$ACCOUNTS_SEP"; getent group; } | cut -d: -f1,3,4
  else
    { cat "$R/etc/passwd"; echo "$ACCOUNTS_SEP"; cat "$R/etc/group"; } 2>/dev/null | cut -d: -f1,3,4
  fi
} | base64

# Component processes, by /proc/PID/comm (builtin reads, no process per pid).
# A comm is a name of one word from PROCESS_NAMES; any other comm (spaces included) is not ours.
PROCS=
for d in "$P"/[0-9]*; do
  pid=${d##*/}
  case $pid in *[!0-9]*) continue ;; esac
  c=
  { IFS= read -r c < "$d/comm"; } 2>/dev/null
  case $c in '' | *[!A-Za-z0-9_.-]*) continue ;; esac
  case " $PROCESS_NAMES " in *" $c "*) PROCS="$PROCS $pid:$c" ;; esac
done
KCONF=
KPIDS=
for pc in $PROCS; do
  pid=${pc%%:*}
  COMM=${pc#*:}
  sec "proc $pid $COMM"
  base64 2>/dev/null < "$P/$pid/cmdline"
  # One argument per line; a newline inside an argument travels as \001.
  ARGS=$(tr '\n\0' '\001\n' 2>/dev/null < "$P/$pid/cmdline")
  scan_args
  keep_env "$pid"
  sec "env $pid $LINES"
  if [ -n "$KEPT" ]; then printf '%s' "$KEPT" | base64; fi
  case $COMM in
    kubelet) KPIDS="$KPIDS $pid" ;;
  esac
done
COMM=

# Configuration files kube-bench may pick, and what only needs a stat.
eval "set -- $CONFIG_FILES"
for f; do
  want "$R$f"
  content "$R$f"
done
eval "set -- $STAT_ONLY_FILES"
for f; do
  want "$R$f"
done

# The kubelet's config: the file its --config names, else kube-bench's first existing candidate.
if [ -z "$KCONF" ]; then
  eval "set -- $KUBELET_CONF_FILES"
  for f; do
    if [ -e "$R$f" ]; then shq "$R$f"; KCONF=$Q; break; fi
  done
fi
eval "set -- $KCONF"
for f; do scan_kubelet_config "$f"; done

eval "set -- $LISTINGS"
while [ $# -ge 3 ]; do
  list "$R$1" "$2" "$3"
  shift 3
done

# Environment files named by the kubelet unit and its drop-ins.
eval "set -- $KUBELET_UNIT_FILES"
for f; do
  scan_unit "$R$f"
done
eval "set -- $KUBELET_DROP_IN_DIRS"
for d; do
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
  {
    printf '%s\0%s\0' "$KHOW" "$KBIN"
    if command -v timeout >/dev/null 2>&1; then
      timeout 10 "$KBIN" --version 2>&1 </dev/null
    else
      "$KBIN" --version 2>&1 </dev/null
    fi
  } | base64
fi

# k3s (journal-lines.ts, k3s-paths.ts), only on a node that shows it: its fixed paths, and
# per unit set kube-bench queries the last "Running <component>" line of each component of
# its journal. Under a fake root, only the journalctl CISFIX_FACTS_JOURNALCTL names.
JCTL=${CISFIX_FACTS_JOURNALCTL:-}
if [ -z "$JCTL" ] && [ -z "$R" ]; then JCTL=journalctl; fi
K3S=
eval "set -- $JOURNAL_MARKERS"
for f; do
  if [ -e "$R$f" ]; then K3S=1; break; fi
done
if [ -n "$K3S" ]; then
  eval "set -- $K3S_FILES"
  for f; do want "$R$f"; done
  eval "set -- $K3S_LISTINGS"
  while [ $# -ge 3 ]; do
    list "$R$1" "$2" "$3"
    shift 3
  done
fi
if [ -n "$K3S" ] && [ -n "$JCTL" ] && command -v "$JCTL" >/dev/null 2>&1; then
  for us in $JOURNAL_UNIT_SETS; do
    set --
    _rest=$us
    while [ -n "$_rest" ]; do
      set -- "$@" -u "${_rest%%+*}"
      case $_rest in *+*) _rest=${_rest#*+} ;; *) _rest= ;; esac
    done
    sec "journal $us"
    "$JCTL" -m "$@" 2>/dev/null | awk "$JOURNAL_AWK" | base64
  done
fi

# Metadata of everything at once.
if [ -n "$ABSENT" ]; then
  eval "set -- $ABSENT"
  sec absent
  printf '%s\0' "$@" | base64
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
  printf '%s\0' "$@" | base64
  sec sha256
  sha256sum -- "$@" 2>/dev/null | base64
fi

# Contents: one stat for all sizes, then one awk for every file small enough.
eval "set -- $CONTENT"
SIZES=
if [ $# -gt 0 ]; then SIZES=$(stat -L -c %s -- "$@" 2>/dev/null); fi
cnt=0
rest=$SIZES$NL
while [ -n "$rest" ]; do rest=${rest#*"$NL"}; cnt=$((cnt + 1)); done
# A file that vanished meanwhile shifts the lines: then ask per file.
if [ "$cnt" -ne $# ]; then SIZES=; fi
SMALL=
LARGE=
for f; do
  size=${SIZES%%"$NL"*}
  SIZES=${SIZES#*"$NL"}
  case $size in '' | *[!0-9]*) size=$(stat -L -c %s -- "$f" 2>/dev/null) ;; esac
  case $size in '' | *[!0-9]*) continue ;; esac
  shq "$f"
  if [ "$size" -gt "$MAXC" ]; then LARGE="$LARGE $Q"; else SMALL="$SMALL $Q"; fi
done
if [ -n "$LARGE" ]; then
  eval "set -- $LARGE"
  sec content-withheld
  printf '%s\0too-large\0' "$@" | base64
fi
if [ -n "$SMALL" ]; then
  eval "set -- $SMALL"
  sec content-files
  printf '%s\0' "$@" | base64
  sec content
  awk "$REDACT_AWK" "$@" 2>/dev/null | base64
fi

eval "set -- $LISTED"
sec listed
if [ $# -gt 0 ]; then printf '%s\0' "$@" | base64; fi
sec "end $TRUNC"
