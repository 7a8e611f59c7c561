/**
 * What cis-fix knows about one node after one round trip (DESIGN.md §2,
 * "facts"). Everything here is plain JSON-serialisable data; evaluation and
 * planning read only this. Paths are absolute paths on the node.
 *
 * Nothing secret is in here: private keys are never read, credentials in
 * configuration files are redacted on the node (content-policy.ts).
 */

import type { Role } from '../model/roles.js';
import type { JournalFacts } from './journal-lines.js';
import type { ListingClass } from './listing-specs.js';

export type FileType = 'file' | 'dir' | 'symlink' | 'other';

/** Metadata of one inode, as stat(2)/lstat(2) saw it on the node. */
export interface FileStat {
  readonly type: FileType;
  /**
   * Permission bits with setuid/setgid/sticky, in octal without leading
   * zeros, exactly as `stat -c %a` (and so kube-bench) prints them:
   * "600", "400", "2600", "0".
   */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  /** Owner names as the node resolves them; null when the id has no name there. */
  readonly user: string | null;
  readonly group: string | null;
  readonly size: number;
  /** Equal (device, inode) pairs are the same file, e.g. under /lib and /usr/lib on usr-merged systems. */
  readonly device: number;
  readonly inode: number;
}

/**
 * A file's content, when the content policy lets it leave the node.
 * - `text`: the content, with credential values replaced by the redaction
 *   mark. `verbatim` is true iff these bytes hash to the file's sha256, i.e.
 *   nothing was redacted and the file did not change while being read, and
 *   the bytes are valid UTF-8. Only verbatim text may be the `before` of an
 *   edit.
 * - `withheld`: the node refused to send it (`private-key`: it holds one;
 *   `too-large`: over MAX_CONTENT_BYTES).
 * - `not-gathered`: not a configuration file, not a regular file, or its
 *   name marks key material.
 */
export type FileContent =
  | { readonly kind: 'text'; readonly text: string; readonly verbatim: boolean }
  | { readonly kind: 'withheld'; readonly reason: 'private-key' | 'too-large' }
  | { readonly kind: 'not-gathered' };

/** A path the script looked at and found absent (lstat failed). */
export interface AbsentPath {
  readonly path: string;
  readonly exists: false;
}

/**
 * A path that exists (lstat succeeded). For a symlink the stat fields describe
 * the link itself (as `stat` without -L, and kube-bench, report it);
 * `followed` describes what it points to.
 */
export interface PresentPath extends FileStat {
  readonly path: string;
  readonly exists: true;
  /** sha256 (hex) of a regular file's bytes; null for other types and for etcd data files. */
  readonly sha256: string | null;
  /** The link text as readlink(2) returns it (may be relative); null unless a symlink. */
  readonly symlinkTarget: string | null;
  /** For a symlink: the target's stat and hash; null when not a symlink or dangling. */
  readonly followed: (FileStat & { readonly sha256: string | null }) | null;
  /** Read through symlinks. */
  readonly content: FileContent;
}

/** Invariant: `exists` discriminates; a path absent from `NodeFacts.paths` was not looked at. */
export type PathFacts = AbsentPath | PresentPath;

/** A directory whose entries were listed (listing-specs.ts). */
export interface DirectoryListing {
  readonly dir: string;
  readonly depth: number;
  readonly listing: ListingClass;
  readonly exists: boolean;
  /**
   * Absolute paths of every entry found below `dir` (dot-files included, at
   * most `depth` levels, never through symlinks), sorted. Each has an entry
   * in `NodeFacts.paths`.
   */
  readonly entries: readonly string[];
}

export const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kubelet', 'kube-proxy'] as const;
export type Component = (typeof COMPONENTS)[number];

/** A running component process. Invariant: `argv` is non-empty. */
export interface ComponentProcess {
  readonly pid: number;
  /** /proc/PID/comm: the kernel truncates it to 15 bytes ("kube-controller"). */
  readonly comm: string;
  readonly component: Component;
  /** The exact command line, from /proc/PID/cmdline. */
  readonly argv: readonly string[];
  /**
   * Its environment variables that environment-policy.ts keeps (every
   * ETCD_* and KUBE* one, and those kube-bench's tests read), first
   * occurrence of a name; a credential's value is REDACTION_MARK.
   */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * What kube-bench's `audit_env` for this process prints, reduced on the
   * node (environment-policy.ts); undefined in facts from a cis-fix that did
   * not gather it.
   */
  readonly auditEnv?: AuditEnvironment;
}

/**
 * kube-bench's `audit_env` output (`cat /proc/PID/environ | tr '\0' '\n'`)
 * as far as it can decide a test. Invariant: a line of the whole text that is
 * not in `lines` holds no `NAME=` for any name in KUBE_BENCH_ENV_NAMES.
 */
export interface AuditEnvironment {
  /** The kept lines in order (a value holding a newline spans lines, as in kube-bench's output). */
  readonly lines: readonly string[];
  /** How many lines the whole text has, kept or not (>= lines.length). */
  readonly totalLines: number;
}

/** A kubelet drop-in in effect. */
export interface KubeletDropIn {
  readonly path: string;
  /** Same-named drop-ins of lower precedence that this one hides (systemd.unit(5)). */
  readonly shadows: readonly string[];
}

/** An environment file the kubelet unit reads, or one of the well-known ones. */
export interface KubeletEnvironmentFile {
  readonly path: string;
  /** `EnvironmentFile=-…`: systemd ignores it when missing. */
  readonly optional: boolean;
  /** The unit or drop-in naming it; null for a well-known file no unit names. */
  readonly declaredIn: string | null;
  readonly exists: boolean;
}

/**
 * The kubelet's systemd service. Invariants: `dropIns` are in the order
 * systemd applies them (by file name); same-named files across directories
 * are resolved by precedence (/etc, /run, /usr/lib, /lib), and a file seen
 * twice through /lib -> /usr/lib is counted once.
 */
export interface KubeletServiceFacts {
  /** The unit file in effect (highest precedence that exists), or null. */
  readonly unitFile: string | null;
  readonly dropIns: readonly KubeletDropIn[];
  /** In the order systemd reads them (unit, then drop-ins), then well-known files not named by any unit. */
  readonly environmentFiles: readonly KubeletEnvironmentFile[];
}

export interface HostFacts {
  readonly hostname: string;
  readonly kernelName: string;
  readonly kernelRelease: string;
  readonly machine: string;
  /** From os-release; null when the node has none. */
  readonly os: { readonly id: string; readonly versionId: string; readonly prettyName: string } | null;
}

export interface UserAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface GroupAccount {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** `kubelet --version` as run on the node. */
export interface KubeletVersion {
  /** "v1.33.2"; null when the output holds no version. */
  readonly version: string | null;
  /** The whole output, trimmed. */
  readonly output: string;
  /** `process`: the running kubelet's binary (/proc/PID/exe); `path`: `command -v kubelet`. */
  readonly from: 'process' | 'path';
  readonly binary: string;
}

/**
 * Where a resolved path came from:
 * - `process-flag`: a flag on the running component's command line (the
 *   last occurrence, as the component reads it). The path is as the process
 *   sees it: static pods mount it from the host at the same path, but a
 *   containerised kube-proxy's --config usually does not exist on the host;
 * - `config-file`: a field of the running kubelet's config file;
 * - `candidate`: the first existing entry of kube-bench's candidate list
 *   (plus cis-fix's additions);
 * - `default`: nothing existed, so kube-bench's default (or its hard-coded path).
 */
export type PathSource = 'process-flag' | 'config-file' | 'candidate' | 'default';

/** One resolved path. Invariant: `exists` is true iff `path` exists following symlinks (os.Stat). */
export interface ResolvedPath {
  readonly path: string;
  readonly source: PathSource;
  /** Human-readable detail: "kubelet --config", "$kubeletconf candidate 4", … */
  readonly origin: string;
  readonly exists: boolean;
  /**
   * The path kube-bench itself would check: its own candidate list and
   * default, without cis-fix's additions and without the process-flag
   * overrides it does not do. Differs from `path` when kube-bench looks in
   * the wrong place; a fix then has to satisfy both.
   */
  readonly kubeBenchPath: string;
}

/** kube-bench's path variables (and hard-coded paths), resolved against this node. */
export interface ResolvedPaths {
  readonly apiserverManifest: ResolvedPath;
  readonly controllerManagerManifest: ResolvedPath;
  readonly schedulerManifest: ResolvedPath;
  readonly etcdManifest: ResolvedPath;
  readonly etcdDataDir: ResolvedPath;
  readonly adminConf: ResolvedPath;
  readonly superAdminConf: ResolvedPath;
  readonly schedulerKubeconfig: ResolvedPath;
  readonly controllerManagerKubeconfig: ResolvedPath;
  readonly kubeletKubeconfig: ResolvedPath;
  readonly kubeletConfig: ResolvedPath;
  readonly kubeletService: ResolvedPath;
  readonly kubeletCaFile: ResolvedPath;
  readonly proxyKubeconfig: ResolvedPath;
  readonly proxyConfig: ResolvedPath;
  /** kube-apiserver --audit-policy-file; null when the flag is not set. */
  readonly auditPolicyFile: ResolvedPath | null;
  /** kube-apiserver --encryption-provider-config; null when the flag is not set. */
  readonly encryptionProviderConfig: ResolvedPath | null;
  /**
   * What 1.1.9/1.1.10 check: every entry below the kubelet's --cni-conf-dir
   * (when set) and every regular file below /var/lib/cni/networks. Sorted.
   */
  readonly cniFiles: readonly string[];
}

/**
 * Roles read from what runs (the inventory's roles are authoritative; this
 * is for checking them):
 * - `control-plane` iff a kube-apiserver process runs;
 * - `etcd` iff an etcd process runs;
 * - `worker` iff a kubelet runs and no kube-apiserver does.
 * A control-plane node whose apiserver is down is not detected as one.
 */
export interface DetectedRoles {
  readonly roles: readonly Role[];
  /** One line per role: which process showed it. */
  readonly evidence: readonly string[];
}

/**
 * Everything gathered from one node.
 * Invariants: `components[c]` is the lowest-pid process of `processes` with
 * component c, or, for a component k3s runs inside its own process, the
 * component as k3s's journal shows it (pid 0, comm `k3s`, not in
 * `processes`; journal-lines.ts embeddedComponents); every path named in `listings`, `resolvedPaths` (when it was
 * looked at) and `kubeletService` has an entry in `paths`.
 */
export interface NodeFacts {
  readonly formatVersion: 1;
  /** The inventory name of the node (the transport's). */
  readonly node: string;
  readonly host: HostFacts;
  /** All matched component processes, by pid. */
  readonly processes: readonly ComponentProcess[];
  readonly components: Readonly<Partial<Record<Component, ComponentProcess>>>;
  readonly paths: Readonly<Record<string, PathFacts>>;
  readonly listings: Readonly<Record<string, DirectoryListing>>;
  readonly kubeletService: KubeletServiceFacts;
  readonly users: readonly UserAccount[];
  readonly groups: readonly GroupAccount[];
  readonly kubeletVersion: KubeletVersion | null;
  readonly resolvedPaths: ResolvedPaths;
  readonly roles: DetectedRoles;
  /** The script stopped listing at MAX_LISTED_ENTRIES: listings are incomplete. */
  readonly truncated: boolean;
  /** Things the operator may want to know about the gathering itself (not findings). */
  readonly notes: readonly string[];
  /** k3s's journal as kube-bench reads it (journal-lines.ts); undefined when not read (no k3s on the node, no journalctl). */
  readonly journals?: readonly JournalFacts[];
}
