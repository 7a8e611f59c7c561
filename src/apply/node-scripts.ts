/**
 * The fixed shell scripts apply runs on nodes. Each is sent on stdin to
 * `/bin/sh -s -- ARGS…` with every argument quoted by quoteShellArg, so no
 * value ever becomes shell syntax (DESIGN.md §3). POSIX sh + coreutils only.
 *
 * Records are NUL-terminated so that no path can forge a record boundary.
 * sha256sum always reads stdin (`sha256sum < FILE`): given a name, GNU
 * sha256sum escapes a backslash or newline in it and puts `\` before the
 * hash, which turned such a file's hash into garbage (a plan that was stale
 * forever on that node, issue 10 §3). Directories are cut with parameter
 * expansion (`${p%/*}`), not $(dirname), which drops a name's trailing newline:
 * the same files, the same bug.
 */

/** Where cis-fix keeps its state on a node: root-owned 0700. */
export const NODE_STATE_DIR = '/var/lib/cis-fix';
export const NODE_LOCK_FILE = `${NODE_STATE_DIR}/lock`;
export const NODE_BACKUP_ROOT = `${NODE_STATE_DIR}/backups`;

const PREAMBLE = `set -u
umask 077
state=${NODE_STATE_DIR}
mkdir -p "$state" && chmod 700 "$state" && chown 0:0 "$state" || exit 70
`;

/** Exit codes of the path checks below: the node-ops wrappers turn them into SymlinkRefusedError. */
export const EXIT_SYMLINK_IN_PATH = 95;
export const EXIT_SYMLINK_TARGET = 96;
export const EXIT_STAGING_ELSEWHERE = 97;
export const EXIT_NOT_PLAIN_PATH = 98;

/**
 * Shell functions that keep every write off symlinks (DESIGN.md §3, issue 10
 * §4). find_link PATH sets `link` to the first directory above PATH that is
 * a symlink (and `depth` to its number of components), or leaves it empty;
 * it stops at the first component that does not exist or is no directory.
 * The usr-merge links at the root (/lib -> usr/lib, /bin, /sbin, /lib64, …)
 * are the distribution's own layout, not a redirection: they are accepted.
 * no_links PATH exits 95 naming such a link (its name NUL-terminated on
 * stdout, so that any name arrives intact), no_link_dirs DIR checks DIR
 * itself too, no_target_link PATH exits 96 if
 * PATH itself is a symlink. Nothing is ever resolved: `[ -L ]` is lstat.
 * (Shell functions share the script's variables: theirs are prefixed.)
 */
const PATH_CHECKS = `plain_path() {
  case $1 in /*) ;; *) echo "$1 is not an absolute path" >&2; exit ${EXIT_NOT_PLAIN_PATH} ;; esac
  case $1/ in *//*|*/./*|*/../*) echo "$1 is not a plain absolute path" >&2; exit ${EXIT_NOT_PLAIN_PATH} ;; esac
}
find_link() {
  link=; depth=0; fl_rest=\${1#/}; fl_dir=
  while :; do
    case $fl_rest in */*) fl_c=\${fl_rest%%/*}; fl_rest=\${fl_rest#*/} ;; *) return 0 ;; esac
    depth=$((depth + 1)); fl_dir=$fl_dir/$fl_c
    if [ -L "$fl_dir" ]; then
      case $fl_dir in
        /bin|/sbin|/lib|/lib32|/lib64|/libx32) fl_l=$(readlink -- "$fl_dir"); if [ "$fl_l" = "usr$fl_dir" ] || [ "$fl_l" = "/usr$fl_dir" ]; then continue; fi ;;
      esac
      link=$fl_dir; return 0
    fi
    [ -d "$fl_dir" ] || return 0
  done
}
no_links() {
  plain_path "$1"
  find_link "$1"
  if [ -n "$link" ]; then
    printf '%s\\0' "$link"
    echo "$link is a symbolic link: cis-fix never writes through a symlinked directory (\${2:-$1})" >&2
    exit ${EXIT_SYMLINK_IN_PATH}
  fi
}
# no_link_dirs DIR: DIR itself and every directory above it are real directories.
no_link_dirs() {
  no_links "$1/-" "$1"
}
no_target_link() {
  if [ -L "$1" ]; then
    printf '%s\\0' "$1"
    echo "$1 is a symbolic link: cis-fix never changes a file through a link" >&2
    exit ${EXIT_SYMLINK_TARGET}
  fi
}
`;

/**
 * Shell function stage_dir STAGING TARGET: makes sure the directory of the
 * staging path exists (a manifest's sibling staging directory is created
 * root 0700), holds no symlink, and is on the target's file system, so that
 * the final rename is atomic. Sets `sdir`, and `made` when it created it.
 * Also sets an EXIT trap that removes the staging file (and the staging
 * directory when empty) if the script ends before `staged=` is cleared.
 */
const STAGE_DIR = `stage_dir() {
  no_links "$1"
  sdir=\${1%/*}; made=
  staged=1
  if [ ! -e "$sdir" ] && [ ! -L "$sdir" ]; then
    mkdir -m 700 -- "$sdir" && chown 0:0 -- "$sdir" || { echo "cannot create $sdir" >&2; exit 73; }
    made=1
  fi
  no_links "$1"
  [ -d "$sdir" ] || { echo "$sdir is not a directory" >&2; exit ${EXIT_NOT_PLAIN_PATH}; }
  if [ "$(stat -c %d -- "$sdir")" != "$(stat -c %d -- "\${2%/*}")" ]; then
    echo "$sdir is not on the file system of $2: the rename would not be atomic" >&2; exit ${EXIT_STAGING_ELSEWHERE}
  fi
}
# unstage_dir TARGET: remove a staging directory that is not the target's own once it is empty.
unstage_dir() {
  [ -n "$sdir" ] || return 0
  [ "$sdir" = "\${1%/*}" ] || rmdir -- "$sdir" 2>/dev/null || true
}
# On any exit before the rename (a failed check included), the staging files go: nothing of ours stays behind.
sdir=; staged=; tmp=
unstage() { if [ -n "$staged" ]; then rm -f -- "$tmp" "$tmp.2"; unstage_dir "$p"; fi; }
trap unstage EXIT
`;

/**
 * $1 = the lock record (see node-lock.ts); $2 (optional) = the sha256 of the
 * lock this caller has judged abandoned and takes over. Prints "acquired",
 * or "held" and the current lock. The record is written to a temp file first
 * (a full disk fails here, leaving no lock behind), then hard-linked to
 * `lock`: link(2) fails if the lock exists, so taking a free lock is
 * atomic. A take-over replaces the lock only if it is still exactly the one
 * judged (its sha256), under a mkdir mutex so that two runs taking over the
 * same dead lock cannot both win; a mutex left by a killed run expires
 * after a minute.
 */
export const ACQUIRE_LOCK = `${PREAMBLE}
tmp="$state/.lock.$$"
printf '%s\\n' "$1" > "$tmp" 2>/dev/null && [ -s "$tmp" ] || { rm -f "$tmp"; echo "cannot write in $state (disk full or read-only?)" >&2; exit 73; }
if ln "$tmp" "$state/lock" 2>/dev/null; then
  rm -f "$tmp"; echo acquired; exit 0
fi
if [ -n "\${2:-}" ]; then
  mutex="$state/.lock.takeover"
  find "$mutex" -maxdepth 0 -type d -mmin +1 -exec rmdir {} \\; 2>/dev/null
  if mkdir "$mutex" 2>/dev/null; then
    cur=$(sha256sum < "$state/lock" 2>/dev/null | cut -d' ' -f1)
    if [ "$cur" = "$2" ] && mv -f "$tmp" "$state/lock"; then rmdir "$mutex"; echo acquired; exit 0; fi
    if [ ! -e "$state/lock" ] && ln "$tmp" "$state/lock" 2>/dev/null; then rm -f "$tmp"; rmdir "$mutex"; echo acquired; exit 0; fi
    rmdir "$mutex"
  fi
fi
rm -f "$tmp"
echo held
cat "$state/lock" 2>/dev/null
`;

/**
 * $1 = run id. Removes the lock only if that run holds it: its record says
 * run=ID, or (a lock of an older cis-fix) its first line is "run ID …".
 */
export const RELEASE_LOCK = `set -u
lock=${NODE_LOCK_FILE}
[ -f "$lock" ] || exit 0
if grep -qxF -- "run=$1" "$lock" || head -n 1 "$lock" | grep -qF -- "run $1 "; then rm -f -- "$lock"; fi
`;

/** Prints the node lock (nothing when there is none). */
export const READ_LOCK = `cat ${NODE_LOCK_FILE} 2>/dev/null
exit 0
`;

/**
 * $@ = paths. One NUL-terminated record per path:
 *   E|mode|uid|gid|user|group|type|sha256-or-dash|path
 *   M|path                          (missing)
 *   L|depth|path                    (its first `depth` components end in a symlinked directory: not looked through)
 * A target that is itself a symlink is an E record of type "symbolic link".
 */
export const STAT_PATHS = `set -u
${PATH_CHECKS}
for p in "$@"; do
  find_link "$p"
  if [ -n "$link" ]; then printf 'L|%s|%s\\0' "$depth" "$p"; continue; fi
  if [ -e "$p" ] || [ -L "$p" ]; then
    s=$(stat -c '%a|%u|%g|%U|%G|%F' -- "$p") || exit 71
    h=-
    if [ -f "$p" ] && [ ! -L "$p" ]; then h=$(sha256sum < "$p" | cut -d' ' -f1) || exit 72; fi
    printf 'E|%s|%s|%s\\0' "$s" "$h" "$p"
  else
    printf 'M|%s\\0' "$p"
  fi
done
`;

/**
 * $1 = run id, then paths. Copies each regular file to
 * backups/<run>/files/<path> (0600, root) and writes one index record per
 * path (mode|uid|gid|type|sha256|path, NUL-terminated) to backups/<run>/index.
 * Directories are recorded by metadata only: cis-fix changes only their
 * mode and owner. Any failure (a full disk) exits non-zero before anything
 * live was touched: the caller writes nothing unless every backup succeeded.
 * A path through a symlinked directory is refused (95): never read from elsewhere.
 */
export const BACKUP_PATHS = `${PREAMBLE}
${PATH_CHECKS}
run=$1; shift
for p in "$@"; do no_links "$p"; done
dir="$state/backups/$run"
mkdir -p "$dir/files" || exit 73
: > "$dir/index.new" || exit 73
for p in "$@"; do
  # A file cis-fix will create (a support file): recorded as absent, so that a restore removes it.
  if [ ! -e "$p" ] && [ ! -L "$p" ]; then printf -- '-|-|-|absent|-|%s\\0' "$p" >> "$dir/index.new" || exit 73; continue; fi
  s=$(stat -c '%a|%u|%g|%F' -- "$p") || exit 74
  h=-
  if [ -f "$p" ] && [ ! -L "$p" ]; then
    mkdir -p "$dir/files\${p%/*}" || exit 73
    cp -- "$p" "$dir/files$p.tmp" || exit 73
    chmod 600 "$dir/files$p.tmp" && chown 0:0 "$dir/files$p.tmp" || exit 73
    sync -- "$dir/files$p.tmp" 2>/dev/null || sync
    h=$(sha256sum < "$p" | cut -d' ' -f1) || exit 74
    c=$(sha256sum < "$dir/files$p.tmp" | cut -d' ' -f1) || exit 74
    [ "$h" = "$c" ] || { echo "backup of $p does not match the original" >&2; exit 75; }
    mv -f -- "$dir/files$p.tmp" "$dir/files$p" || exit 73
  fi
  printf '%s|%s|%s\\0' "$s" "$h" "$p" >> "$dir/index.new" || exit 73
done
if [ -f "$dir/index" ]; then cat "$dir/index.new" >> "$dir/index" || exit 73; rm -f "$dir/index.new"; else mv -f "$dir/index.new" "$dir/index" || exit 73; fi
sync 2>/dev/null
echo ok
`;

/** $1 = mode (octal), $2 = path. chmod (never through a symlink: chmod would follow it), then print the new mode. */
export const CHMOD_PATH = `set -u
${PATH_CHECKS}
no_links "$2"; no_target_link "$2"
chmod -- "$1" "$2" || exit 76
stat -c '%a' -- "$2"
`;

/**
 * $1 = user, $2 = group, $3 = path, $4 = "create-account" or "". chown (no
 * dereference), then print user:group. With create-account, a missing group
 * and user are first created as system accounts without home or login shell
 * (only when the plan says so: the user chose that owner by a parameter).
 */
export const CHOWN_PATH = `set -u
${PATH_CHECKS}
no_links "$3"; no_target_link "$3"
if [ "\${4:-}" = create-account ]; then
  getent group "$2" >/dev/null || groupadd --system "$2" || exit 80
  getent passwd "$1" >/dev/null || useradd --system --gid "$2" --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$1" || exit 80
fi
chown -h -- "$1:$2" "$3" || exit 77
stat -c '%U:%G' -- "$3"
`;

/**
 * $1 = run id, $2 = path, $3 = mode, $4 = uid, $5 = gid, $6 = sha256 or "-",
 * $7 = staging path (see staging-path.ts; for a manifest in the sibling
 * staging directory). Restores a backed-up path: content first (only when it
 * differs, through the staging file and a rename), then owner, then mode.
 * Never through a symlinked directory, never onto a symlink.
 */
export const RESTORE_PATH = `set -u
umask 077
${PATH_CHECKS}
${STAGE_DIR}
state=${NODE_STATE_DIR}
run=$1; p=$2; mode=$3; uid=$4; gid=$5; sum=$6; tmp=$7
no_links "$p"; no_target_link "$p"
copy="$state/backups/$run/files$p"
if [ "$sum" != "-" ]; then
  cur=-
  [ -f "$p" ] && cur=$(sha256sum < "$p" | cut -d' ' -f1)
  if [ "$cur" != "$sum" ]; then
    [ -f "$copy" ] || { echo "backup copy $copy is missing" >&2; exit 78; }
    stage_dir "$tmp" "$p"
    rm -f -- "$tmp"
    # noclobber: the staging file is created here, never opened through something planted in its place.
    ( set -C; cat -- "$copy" > "$tmp" ) && chown "$uid:$gid" -- "$tmp" && chmod "$mode" -- "$tmp" || exit 79
    sync -- "$tmp" 2>/dev/null || sync
    no_links "$p"; no_target_link "$p"
    mv -f -- "$tmp" "$p" || exit 79
    staged=; unstage_dir "$p"
  fi
fi
chown -h -- "$uid:$gid" "$p" || exit 77
no_target_link "$p"
chmod -- "$mode" "$p" || exit 76
echo ok
`;

/**
 * Run with the content on stdin: `sh -c WRITE_FILE cis-fix PATH SHA256 STAGING`.
 * Writes the content to STAGING (see staging-path.ts: a dot-file beside
 * PATH, or for a manifest a file in the sibling staging directory, created
 * root 0700 and removed again when empty), checks the content arrived whole,
 * gives it PATH's owner and mode, fsyncs and renames it over PATH. Prints
 * the new sha256. Nothing is written through a symlinked directory or onto
 * a symlink (checked before the staging file is made and again right before the rename).
 */
export const WRITE_FILE = `set -u
umask 077
${PATH_CHECKS}
${STAGE_DIR}
p=$1; want=$2; tmp=$3
no_links "$p"; no_target_link "$p"
[ -f "$p" ] || { echo "$p is not a regular file" >&2; exit 83; }
stage_dir "$tmp" "$p"
rm -f -- "$tmp"
( set -C; cat > "$tmp" ) || exit 81
got=$(sha256sum < "$tmp" | cut -d' ' -f1)
[ "$got" = "$want" ] || { echo "the new content of $p arrived damaged" >&2; exit 82; }
chown --reference="$p" -- "$tmp" && chmod --reference="$p" -- "$tmp" || exit 83
sync -- "$tmp" 2>/dev/null || sync
no_links "$p"; no_target_link "$p"
mv -f -- "$tmp" "$p" || exit 84
staged=; unstage_dir "$p"
sync -- "\${p%/*}" 2>/dev/null || true
echo "$got"
`;

/**
 * $1 = process name as /proc/PID/comm shows it (15 bytes at most), $2 = the
 * component's health URL on the node's loopback. Prints one line per
 * matching process (its cmdline in base64), then HEALTHY or UNHEALTHY.
 * With $4 $5 $6 (CA, client certificate, client key: files on the node, an
 * etcd without a metrics listener), $2 is asked over TLS with that client
 * certificate, by the first of: curl (the same /health GET as every other
 * gate, and the gate needs curl anyway), etcdctl `endpoint health` (etcd's
 * own client, how kubeadm's docs check an external etcd), openssl s_client
 * (a raw GET /health). The key is read by that tool on the node, never
 * copied or printed.
 */
export const PROBE_COMPONENT = `set -u
found=
for d in /proc/[0-9]*; do
  { IFS= read -r c < "$d/comm"; } 2>/dev/null || continue
  [ "$c" = "$1" ] || continue
  base64 -w0 < "$d/cmdline" 2>/dev/null && echo && found=1
done
# k3s runs the component inside its own process: while its service is active, the newest
# "Running $3 …" line of its journal is the component's command line (journal-lines.ts).
if [ -z "$found" ] && [ -n "\${3:-}" ] && [ -d /var/lib/rancher/k3s ] && command -v journalctl >/dev/null 2>&1; then
  if systemctl is-active --quiet k3s.service 2>/dev/null || systemctl is-active --quiet k3s-agent.service 2>/dev/null; then
    l=$(journalctl -m -u k3s -u k3s-agent 2>/dev/null | grep -F "Running $3 " | tail -n1)
    if [ -n "$l" ]; then
      a=\${l#*"Running $3 "}
      a=\${a%\\"}
      { printf '%s\\0' "$3"; printf '%s' "$a" | tr ' ' '\\0'; printf '\\0'; } | base64 -w0
      echo
    fi
  fi
fi
if [ -n "\${4:-}" ]; then
  if command -v curl >/dev/null 2>&1; then
    curl -fs --max-time 3 --cacert "$4" --cert "$5" --key "$6" -o /dev/null "$2" && echo HEALTHY || echo UNHEALTHY
  elif command -v etcdctl >/dev/null 2>&1; then
    ETCDCTL_API=3 etcdctl --dial-timeout=3s --command-timeout=3s --endpoints="\${2%/health}" --cacert="$4" --cert="$5" --key="$6" \\
      endpoint health >/dev/null 2>&1 && echo HEALTHY || echo UNHEALTHY
  elif command -v openssl >/dev/null 2>&1; then
    a=\${2#https://}; a=\${a%%/*}
    r=$(printf 'GET /health HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' "$a" |
      timeout 3 openssl s_client -quiet -verify_return_error -connect "$a" -CAfile "$4" -cert "$5" -key "$6" 2>/dev/null | head -n1)
    case "$r" in "HTTP/"*" 200"*) echo HEALTHY ;; *) echo UNHEALTHY ;; esac
  else
    echo "curl, etcdctl or openssl is needed on the node for the TLS health gate" >&2; exit 85
  fi
elif command -v curl >/dev/null 2>&1; then
  curl -fsk --max-time 3 -o /dev/null "$2" && echo HEALTHY || echo UNHEALTHY
else
  echo "curl is needed on the node for the health gate" >&2; exit 85
fi
`;

/**
 * $1 = 1 to run `systemctl daemon-reload` first (a unit or drop-in changed).
 * Restarts the kubelet once (DESIGN.md §2 step 5). Only called for a
 * kubelet that ran when the plan was made; `restart` (not `try-restart`)
 * because after a failed start the unit is not "running" and try-restart
 * would leave a restored kubelet down. systemd reports success for a
 * kubelet that then fails to start; the health gate that follows decides.
 */
export const RESTART_KUBELET = `set -u
if [ "$1" = 1 ]; then systemctl daemon-reload || { echo "systemctl daemon-reload failed" >&2; exit 86; }; fi
systemctl restart kubelet.service || { echo "systemctl restart kubelet failed" >&2; exit 87; }
`;

/**
 * `sh -c RESTART_SERVICE cis-fix 0|1 UNIT`: as RESTART_KUBELET, for a
 * service cis-fix restarts itself (etcd.service when etcd runs under
 * systemd, rke2-server.service, k3s.service). For a Type=notify unit systemctl waits until the service is
 * ready and fails when it exits first; the health gate decides either way.
 */
export const RESTART_SERVICE = `set -u
if [ "$1" = 1 ]; then systemctl daemon-reload || { echo "systemctl daemon-reload failed" >&2; exit 86; }; fi
systemctl restart -- "$2" || { echo "systemctl restart $2 failed" >&2; exit 87; }
`;

/**
 * Run with the content on stdin: `sh -c CREATE_FILE cis-fix PATH MODE
 * [STAGING] [SECRET:BYTES ...]` (STAGING is an absolute path, so it cannot
 * be taken for a secret; without it the file is staged as `.NAME.cis-fix-new`
 * beside PATH). Creates a file that must not exist yet (a support
 * file: audit policy, encryption config), root-owned with MODE, creating
 * missing parent directories (0700) one level at a time, each checked to be
 * a real directory: nothing is created or written through a symlink. Every
 * `${secret.NAME}` in the content
 * is replaced by BYTES random bytes, base64, generated here on the node:
 * the value is passed to awk through its environment (readable by root
 * only), never on a command line, and never leaves the node. Prints one
 * `dir PATH` line per directory it created (for the rollback), then
 * `sha SHA256` of the file.
 */
export const CREATE_FILE = `set -u
umask 077
${PATH_CHECKS}
${STAGE_DIR}
p=$1; mode=$2; shift 2
d=\${p%/*}; b=\${p##*/}
tmp="$d/.$b.cis-fix-new"
case \${1:-} in /*) tmp=$1; shift ;; esac
no_links "$p"
if [ -e "$p" ] || [ -L "$p" ]; then echo "$p already exists: cis-fix never replaces a file it did not plan to change" >&2; exit 90; fi
r=\${d#/}; x=
while [ -n "$r" ]; do
  case $r in */*) c=\${r%%/*}; r=\${r#*/} ;; *) c=$r; r= ;; esac
  x=$x/$c
  if [ ! -e "$x" ] && [ ! -L "$x" ]; then
    mkdir -m 700 -- "$x" || exit 91
    echo "dir $x"
  fi
  no_link_dirs "$x"
done
stage_dir "$tmp" "$p"
rm -f -- "$tmp" "$tmp.2"
( set -C; cat > "$tmp" ) || exit 81
for spec in "$@"; do
  name=\${spec%%:*}; bytes=\${spec#*:}
  CIS_FIX_SECRET=$(head -c "$bytes" /dev/urandom | base64 -w0) || exit 92
  ( set -C; CIS_FIX_SECRET=$CIS_FIX_SECRET CIS_FIX_NAME=$name awk '{ gsub("[$][{]secret[.]" ENVIRON["CIS_FIX_NAME"] "[}]", ENVIRON["CIS_FIX_SECRET"]); print }' "$tmp" > "$tmp.2" ) && mv -f -- "$tmp.2" "$tmp" || exit 92
done
unset CIS_FIX_SECRET
chown 0:0 -- "$tmp" && chmod -- "$mode" "$tmp" || exit 83
sync -- "$tmp" 2>/dev/null || sync
no_links "$p"
if [ -e "$p" ] || [ -L "$p" ]; then echo "$p appeared while it was being created" >&2; exit 90; fi
mv -f -- "$tmp" "$p" || exit 84
staged=; unstage_dir "$p"
sync -- "$d" 2>/dev/null || true
echo "sha $(sha256sum < "$p" | cut -d' ' -f1)"
`;

/**
 * $1 = path, then the directories CREATE_FILE made for it (deepest last).
 * Removes a file cis-fix created and those directories when empty (a
 * directory someone else has since put files into stays). Never through a
 * symlinked directory: that would remove something elsewhere.
 */
export const REMOVE_CREATED = `set -u
${PATH_CHECKS}
p=$1; shift
no_links "$p"
rm -f -- "$p" || exit 93
i=$#
while [ "$i" -gt 0 ]; do
  eval "d=\\\${$i}"
  no_link_dirs "$d"
  [ -L "$d" ] || rmdir -- "$d" 2>/dev/null || true
  i=$((i - 1))
done
echo ok
`;

/** $1 = path. Prints a root-only file cis-fix created (to copy a cluster-wide support file to the next control plane). */
export const READ_CREATED_FILE = `set -u
${PATH_CHECKS}
no_links "$1"
[ -f "$1" ] && [ ! -L "$1" ] || { echo "$1 is not a regular file" >&2; exit 94; }
cat -- "$1"
`;

/**
 * $@ = staging paths of one run (see staging-path.ts), and the names older
 * versions of cis-fix staged under. Removes each that is there (and the
 * `.2` file CREATE_FILE makes while filling in secrets) — after a run was
 * killed halfway, before or while restoring it — and then each sibling
 * staging directory that is left empty. Prints `removed PATH`, NUL-terminated,
 * per file removed. A staging path below a symlinked directory is left alone
 * (and not looked through).
 */
export const REMOVE_STAGED = `set -u
${PATH_CHECKS}
for s in "$@"; do
  find_link "$s"
  [ -z "$link" ] || continue
  for f in "$s" "$s.2"; do
    if [ -e "$f" ] || [ -L "$f" ]; then
      [ -d "$f" ] && [ ! -L "$f" ] && continue
      rm -f -- "$f" || exit 93
      printf 'removed %s\\0' "$f"
    fi
  done
done
for s in "$@"; do
  d=\${s%/*}
  case $d in */.cis-fix-staging) [ -L "$d" ] || rmdir -- "$d" 2>/dev/null || true ;; esac
done
exit 0
`;
