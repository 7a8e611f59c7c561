/**
 * The fixed shell scripts apply runs on nodes. Each is sent on stdin to
 * `/bin/sh -s -- ARGS…` with every argument quoted by quoteShellArg, so no
 * value ever becomes shell syntax (DESIGN.md §3). POSIX sh + coreutils only.
 *
 * Records are NUL-terminated so that no path can forge a record boundary.
 * sha256sum always reads stdin (`sha256sum < FILE`): given a name, GNU
 * sha256sum escapes a backslash or newline in it and puts `\` before the
 * hash, which turned such a file's hash into garbage (a plan that was stale
 * forever on that node, issue 10 §3).
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

/**
 * $1 = holder line; $2 (optional) = the run id of an interrupted run whose
 * lock may be taken over (rollback of that run). Prints "acquired", or
 * "held" and the current holder. The holder is written to a temp file first
 * (a full disk fails here, leaving no lock behind), then hard-linked to
 * `lock`: link(2) fails if the lock exists, so taking it is atomic.
 */
export const ACQUIRE_LOCK = `${PREAMBLE}
tmp="$state/.lock.$$"
printf '%s\\n' "$1" > "$tmp" 2>/dev/null && [ -s "$tmp" ] || { rm -f "$tmp"; echo "cannot write in $state (disk full or read-only?)" >&2; exit 73; }
if ln "$tmp" "$state/lock" 2>/dev/null; then
  rm -f "$tmp"; echo acquired
elif [ -n "\${2:-}" ] && grep -qF -- "run $2 " "$state/lock" 2>/dev/null; then
  mv -f "$tmp" "$state/lock" && echo acquired
else
  rm -f "$tmp"
  echo held
  cat "$state/lock" 2>/dev/null
fi
`;

/** $1 = run id. Removes the lock only if this run holds it. */
export const RELEASE_LOCK = `set -u
lock=${NODE_LOCK_FILE}
if [ -f "$lock" ] && grep -qF -- "$1" "$lock"; then rm -f -- "$lock"; fi
`;

/**
 * $@ = paths. One NUL-terminated record per path:
 *   E|mode|uid|gid|user|group|type|sha256-or-dash|path
 *   M|path                          (missing)
 */
export const STAT_PATHS = `set -u
for p in "$@"; do
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
 */
export const BACKUP_PATHS = `${PREAMBLE}
run=$1; shift
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

/** $1 = mode (octal), $2 = path. chmod, then print the new mode. */
export const CHMOD_PATH = `set -u
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
if [ "\${4:-}" = create-account ]; then
  getent group "$2" >/dev/null || groupadd --system "$2" || exit 80
  getent passwd "$1" >/dev/null || useradd --system --gid "$2" --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$1" || exit 80
fi
chown -h -- "$1:$2" "$3" || exit 77
stat -c '%U:%G' -- "$3"
`;

/**
 * $1 = run id, $2 = path, $3 = mode, $4 = uid, $5 = gid, $6 = sha256 or "-".
 * Restores a backed-up path: content first (only when it differs, through a
 * dot-temp file in the same directory and a rename), then owner, then mode.
 */
export const RESTORE_PATH = `set -u
state=${NODE_STATE_DIR}
run=$1; p=$2; mode=$3; uid=$4; gid=$5; sum=$6
copy="$state/backups/$run/files$p"
if [ "$sum" != "-" ]; then
  cur=-
  [ -f "$p" ] && cur=$(sha256sum < "$p" | cut -d' ' -f1)
  if [ "$cur" != "$sum" ]; then
    [ -f "$copy" ] || { echo "backup copy $copy is missing" >&2; exit 78; }
    d=\${p%/*}; b=\${p##*/}
    tmp="$d/.$b.cis-fix-restore"
    cp -- "$copy" "$tmp" && chown "$uid:$gid" "$tmp" && chmod "$mode" "$tmp" && sync -- "$tmp" 2>/dev/null; mv -f -- "$tmp" "$p" || { rm -f -- "$tmp"; exit 79; }
  fi
fi
chown -h -- "$uid:$gid" "$p" || exit 77
chmod -- "$mode" "$p" || exit 76
echo ok
`;

/**
 * Run with the content on stdin: `sh -c WRITE_FILE cis-fix PATH SHA256`.
 * Writes a dot-temp file beside PATH (the kubelet ignores dot-files in the
 * manifests directory), checks the content arrived whole, gives it PATH's
 * owner and mode, fsyncs and renames it over PATH. Prints the new sha256.
 */
export const WRITE_FILE = `set -u
p=$1; want=$2
d=$(dirname -- "$p"); b=$(basename -- "$p")
tmp="$d/.$b.cis-fix-new"
cat > "$tmp" || { rm -f -- "$tmp"; exit 81; }
got=$(sha256sum < "$tmp" | cut -d' ' -f1)
[ "$got" = "$want" ] || { rm -f -- "$tmp"; echo "the new content of $p arrived damaged" >&2; exit 82; }
chown --reference="$p" -- "$tmp" && chmod --reference="$p" -- "$tmp" || { rm -f -- "$tmp"; exit 83; }
sync -- "$tmp" 2>/dev/null || sync
mv -f -- "$tmp" "$p" || { rm -f -- "$tmp"; exit 84; }
sync -- "$d" 2>/dev/null || true
echo "$got"
`;

/**
 * $1 = process name as /proc/PID/comm shows it (15 bytes at most), $2 = the
 * component's health URL on the node's loopback. Prints one line per
 * matching process (its cmdline in base64), then HEALTHY or UNHEALTHY.
 */
export const PROBE_COMPONENT = `set -u
for d in /proc/[0-9]*; do
  { IFS= read -r c < "$d/comm"; } 2>/dev/null || continue
  [ "$c" = "$1" ] || continue
  base64 -w0 < "$d/cmdline" 2>/dev/null && echo
done
if command -v curl >/dev/null 2>&1; then
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
 * Run with the content on stdin: `sh -c CREATE_FILE cis-fix PATH MODE
 * [SECRET:BYTES ...]`. Creates a file that must not exist yet (a support
 * file: audit policy, encryption config), root-owned with MODE, creating
 * missing parent directories (0700). Every `${secret.NAME}` in the content
 * is replaced by BYTES random bytes, base64, generated here on the node:
 * the value is passed to awk through its environment (readable by root
 * only), never on a command line, and never leaves the node. Prints one
 * `dir PATH` line per directory it created (for the rollback), then
 * `sha SHA256` of the file.
 */
export const CREATE_FILE = `set -u
umask 077
p=$1; mode=$2; shift 2
if [ -e "$p" ] || [ -L "$p" ]; then echo "$p already exists: cis-fix never replaces a file it did not plan to change" >&2; exit 90; fi
d=$(dirname -- "$p"); b=$(basename -- "$p")
missing=""; x=$d
while [ ! -d "$x" ]; do missing="$x
$missing"; x=$(dirname -- "$x"); done
printf '%s' "$missing" | while IFS= read -r m; do
  [ -n "$m" ] || continue
  mkdir -m 700 -- "$m" || exit 91
  echo "dir $m"
done || exit 91
tmp="$d/.$b.cis-fix-new"
cat > "$tmp" || { rm -f -- "$tmp"; exit 81; }
for spec in "$@"; do
  name=\${spec%%:*}; bytes=\${spec#*:}
  CIS_FIX_SECRET=$(head -c "$bytes" /dev/urandom | base64 -w0) || { rm -f -- "$tmp"; exit 92; }
  CIS_FIX_SECRET=$CIS_FIX_SECRET CIS_FIX_NAME=$name awk '{ gsub("[$][{]secret[.]" ENVIRON["CIS_FIX_NAME"] "[}]", ENVIRON["CIS_FIX_SECRET"]); print }' "$tmp" > "$tmp.2" && mv -f -- "$tmp.2" "$tmp" || { rm -f -- "$tmp" "$tmp.2"; exit 92; }
done
unset CIS_FIX_SECRET
chown 0:0 -- "$tmp" && chmod -- "$mode" "$tmp" || { rm -f -- "$tmp"; exit 83; }
sync -- "$tmp" 2>/dev/null || sync
mv -f -- "$tmp" "$p" || { rm -f -- "$tmp"; exit 84; }
sync -- "$d" 2>/dev/null || true
echo "sha $(sha256sum < "$p" | cut -d' ' -f1)"
`;

/**
 * $1 = path, then the directories CREATE_FILE made for it (deepest last).
 * Removes a file cis-fix created and those directories when empty (a
 * directory someone else has since put files into stays).
 */
export const REMOVE_CREATED = `set -u
p=$1; shift
rm -f -- "$p" || exit 93
i=$#
while [ "$i" -gt 0 ]; do
  eval "d=\\\${$i}"
  rmdir -- "$d" 2>/dev/null || true
  i=$((i - 1))
done
echo ok
`;

/** $1 = path. Prints a root-only file cis-fix created (to copy a cluster-wide support file to the next control plane). */
export const READ_CREATED_FILE = `set -u
[ -f "$1" ] && [ ! -L "$1" ] || { echo "$1 is not a regular file" >&2; exit 94; }
cat -- "$1"
`;
