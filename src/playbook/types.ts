import type { SourceLocation } from '../model/errors.js';
import type { Role } from '../model/roles.js';
import { BENCHMARK_IDS, isBenchmarkId, type BenchmarkId } from '../model/benchmark-id.js';
import { RESTART_ORDER, STATIC_POD_ORDER, type StaticPodComponent } from '../model/components.js';

/**
 * The playbooks as the rest of cis-fix sees them: validated, typed, with
 * every cross-reference (path variable, parameter) checked. Produced only by
 * load-playbooks.ts; the YAML format is documented in playbooks/README.md.
 *
 * Everything here is plain data (JSON-serialisable) so `controls show --json`
 * and plans can carry it unchanged.
 */

/** The benchmarks cis-fix ships playbooks for: defined once in src/model/benchmark-id.ts. */
export { BENCHMARK_IDS, isBenchmarkId, type BenchmarkId };

/**
 * The Kubernetes distribution a benchmark is written for. `kubeadm` is the
 * generic CIS Kubernetes Benchmark (chosen by version, as kube-bench maps
 * it); the others are chosen by detecting the distribution
 * (src/playbook/detect-distribution.ts). On the managed services (`eks`,
 * `gke`, `aks`) the provider runs the control plane.
 */
export const DISTRIBUTIONS = ['kubeadm', 'rke2', 'k3s', 'eks', 'gke', 'aks'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** Distributions whose control plane the cloud provider runs and the customer cannot reach. */
export const MANAGED_DISTRIBUTIONS: readonly Distribution[] = ['eks', 'gke', 'aks'];

/** A `{ param: NAME }` reference; NAME is always a parameter the benchmark declares. */
export interface ParamRef {
  readonly param: string;
}

/** A literal value or a reference to a parameter that supplies it (the inventory may override it). */
export type Valued<T> = T | ParamRef;

export function isParamRef(value: unknown): value is ParamRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { param?: unknown }).param === 'string' &&
    Object.keys(value).length === 1
  );
}

// ---------------------------------------------------------------- benchmark

/**
 * One benchmark's playbooks. Invariants: `controls` are sorted by id
 * (numerically, 1.2.9 before 1.2.10) and ids are unique; every control's
 * `section` is a key of `sections`; every variable and parameter any control
 * refers to is in `variables` / `parameters`.
 */
export interface Benchmark {
  readonly id: BenchmarkId;
  readonly title: string;
  /** The CIS document version, e.g. "1.12.0". */
  readonly version: string;
  /** Kubernetes minor versions this benchmark applies to (as kube-bench maps them). */
  readonly kubernetesVersions: KubernetesVersionRange;
  /** Which distribution it is written for; only `kubeadm` benchmarks are picked by version alone. */
  readonly distribution: Distribution;
  /** Managed node pools: the provider re-creates the node's files (a node group upgrade replaces the node); where the durable setting lives. */
  readonly nodeReplacement?: string;
  /** Absolute directory the playbooks were read from. */
  readonly dir: string;
  readonly sections: readonly Section[];
  readonly controls: readonly Control[];
  readonly variables: Readonly<Record<string, PathVariable>>;
  readonly parameters: Readonly<Record<string, Parameter>>;
}

/**
 * Minor versions as "1.32". Invariant: `from` <= `to` when `to` is set;
 * `to: undefined` means "and every later version" (kube-bench falls back to
 * the newest benchmark it knows for versions newer than its mapping).
 */
export interface KubernetesVersionRange {
  readonly from: string;
  readonly to: string | undefined;
}

/** A CIS section ("1.1", "2", "5.3"). */
export interface Section {
  readonly id: string;
  readonly title: string;
  /** The playbook file (relative to the benchmark directory) that declares it. */
  readonly file: string;
}

// ---------------------------------------------------------------- variables

/**
 * A named path on a node, resolved per node by the facts layer, like
 * kube-bench's `$apiserverconf`. Invariant: at least one of `from`,
 * `candidates` and `default` is non-empty; candidates and default are
 * absolute; candidates contain glob characters only when `resolve` is `all`.
 *
 * Resolution: the `from` sources in order (the first that yields a value
 * that exists wins, for `first`; all values that exist, for `all`), then the
 * candidates in order (first existing / every existing), then `default`
 * (`first` only: used even when absent, as kube-bench does). A variable that
 * resolves to nothing makes every step using it not applicable on that node.
 */
export interface PathVariable {
  readonly name: string;
  readonly description: string;
  /** The kube-bench variable it mirrors (`$kubeletsvc`), if any. */
  readonly kubeBench: string | undefined;
  readonly resolve: 'first' | 'all';
  readonly type: 'file' | 'directory';
  readonly from: readonly VariableSource[];
  readonly candidates: readonly string[];
  readonly default: string | undefined;
  readonly definedAt: SourceLocation;
}

/** Where a variable's value may come from before the candidate list. */
export type VariableSource =
  /** The value of `flag` on the running process's command line (`--data-dir=/var/lib/etcd`). */
  | { readonly type: 'process-flag'; readonly process: ProcessName; readonly flag: string }
  /** A key (dotted path) of the KubeletConfiguration the running kubelet uses. */
  | { readonly type: 'kubelet-config'; readonly key: string };

/** The processes kube-bench audits: the managed components (src/model/components.ts) and kube-proxy. */
export const PROCESS_NAMES = [...RESTART_ORDER, 'kube-proxy'] as const;
export type ProcessName = (typeof PROCESS_NAMES)[number];

// ---------------------------------------------------------------- parameters

export const PARAMETER_TYPES = ['string', 'integer', 'boolean', 'path', 'enum', 'string-list', 'string-map'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export type ParameterValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

/**
 * A value only the user can choose, with a safe default when one exists.
 * The inventory's `parameters:` map overrides `default`. Invariants:
 * `default`, when set, is valid for the type (checkParameterValue); `values`
 * is non-empty for `enum` (the allowed values) and, when present for
 * `string-map`, constrains the map's values; `minimum` only for `integer`.
 * A control that uses a parameter with no default, which the inventory does
 * not set, is `fixable: false` and names the parameter.
 */
export interface Parameter {
  readonly name: string;
  readonly description: string;
  readonly type: ParameterType;
  readonly values: readonly string[] | undefined;
  readonly minimum: number | undefined;
  readonly default: ParameterValue | undefined;
  readonly definedAt: SourceLocation;
}

// ---------------------------------------------------------------- controls

export const ASSESSMENTS = ['Automated', 'Manual'] as const;
export type Assessment = (typeof ASSESSMENTS)[number];

/**
 * Where a control applies. `node`: on every node that has one of `roles`
 * (checked and fixed over SSH). `cluster`: once per cluster, through the
 * API; `roles` is then empty.
 */
export type Scope = 'node' | 'cluster';

interface ControlBase {
  /** The CIS id, e.g. "1.1.12". Unique within a benchmark. */
  readonly id: string;
  /** The CIS recommendation text without its "(Automated)"/"(Manual)" suffix. */
  readonly title: string;
  /** CIS's assessment status; equals kube-bench's `scored` (invariant). */
  readonly assessment: Assessment;
  /** Section id ("1.1", "2"); the control id starts with it. */
  readonly section: string;
  readonly scope: Scope;
  /** Non-empty iff scope is `node`; de-duplicated. */
  readonly roles: readonly Role[];
  /** How kube-bench tests it: enough to reproduce kube-bench's verdict. */
  readonly kubeBench: KubeBenchCheck;
  /** Why cis-fix deviates from the CIS text or kube-bench, when it does. */
  readonly notes: string | undefined;
  /** Every parameter the control refers to (sorted, unique); see Parameter. */
  readonly parameters: readonly string[];
  readonly definedAt: SourceLocation;
}

/** A control cis-fix can fix: the listed states satisfy it. */
export interface EnsureControl extends ControlBase {
  readonly fix: 'ensure';
  /** Non-empty. */
  readonly ensure: readonly EnsureStep[];
}

/** A control with no safe automatic fix: cis-fix reports it and says what a human does. */
export interface ManualControl extends ControlBase {
  readonly fix: 'manual';
  readonly manual: ManualBlock;
}

/**
 * A control the cloud provider is responsible for (the managed control plane
 * of EKS, GKE, AKS, and the provider's own settings): reported once per
 * cluster with status `provider-managed` and the benchmark's text, never
 * `fail`, never dropped. Invariant: scope is `cluster`, roles are empty.
 */
export interface ProviderManagedControl extends ControlBase {
  readonly fix: 'provider-managed';
  readonly providerManaged: ProviderManagedBlock;
}

export type Control = EnsureControl | ManualControl | ProviderManagedControl;

export interface ManualBlock {
  /** Why no safe automatic fix exists. */
  readonly reason: string;
  /** What a human does instead. */
  readonly guidance: string;
}

export interface ProviderManagedBlock {
  /** Who manages it and why it is not the node's or the cluster API's to change. */
  readonly reason: string;
  /** The benchmark's remediation text: where the customer sets it (console, CLI, node pool or launch template). */
  readonly guidance: string;
}

// ---------------------------------------------------------------- ensure steps

/**
 * A path on a node: a literal absolute path or a template whose `{name}`
 * parts are path variables, optionally with glob parts: `*` and `?` within
 * one path segment, `**` for any number of directories (`{pki}/**\/*.key`
 * is every .key file below the PKI directory; `{pki}/**` is everything below
 * it, not the directory itself). Invariant: every `{name}` is a declared
 * variable and the template is absolute once expanded.
 */
export type PathTemplate = string;

interface StepBase {
  /**
   * A boolean parameter that gates the step: it applies only when the
   * parameter is true. Used for changes with workload impact that a user
   * must opt in to; with no value set the control is `fixable: false`.
   */
  readonly when: string | undefined;
}

/**
 * Tighten a file's mode so that it has no permission bit outside `maxMode`,
 * exactly kube-bench's `bitmask` test: target = current & maxMode. Modes are
 * never loosened (0400 stays 0400 under maxMode 600), and setuid, setgid and
 * sticky bits are cleared (kube-bench fails them).
 */
export interface FileModeStep extends StepBase {
  readonly kind: 'file-mode';
  readonly path: PathTemplate;
  /** Three octal digits, e.g. "600". */
  readonly maxMode: string;
  /** A missing target satisfies the step (the CIS text says "if it exists"). Otherwise a missing target is a finding cis-fix cannot fix. */
  readonly optional: boolean;
  /** For globs: which matches count. `any` for a single path. */
  readonly fileType: FileType;
}

export type FileType = 'any' | 'file' | 'directory';

/**
 * Set a file's owner and group. A user or group that does not exist on the
 * node is a finding, never a silent `useradd`: `createMissingUser` may only
 * be true when `owner` comes from a parameter, i.e. the user chose it.
 */
export interface FileOwnerStep extends StepBase {
  readonly kind: 'file-owner';
  readonly path: PathTemplate;
  readonly owner: Valued<string>;
  readonly group: Valued<string>;
  /** Create the owner and group as system accounts when absent (only when chosen via a parameter). */
  readonly createMissingUser: boolean;
  readonly optional: boolean;
  readonly fileType: FileType;
}

/** The components a `static-pod-flag` step may name: the static pods of the component table (src/model/components.ts). */
export const STATIC_POD_COMPONENTS = STATIC_POD_ORDER;
export type { StaticPodComponent };

/** A value in a component's configuration: flags are strings; kubelet config keys may be typed. */
export type SettingValue = string | number | boolean | readonly string[];

/**
 * What a flag or setting must look like, and (implicitly) how to fix it.
 * - `equals`: the value must equal `value` (true/false case-insensitively,
 *   as kube-bench's `eq`); fix: set it. With `allowAbsent`, leaving it unset
 *   also satisfies (the component's default is compliant); with
 *   `absentAnyDefault` too (playbook `allowAbsent: always`), unset satisfies
 *   whatever the default is, as kube-bench's `set: false` alternative does.
 * - `not-equals`: the value must be none of `values`; fix: set `fixValue`.
 * - `at-least`: an integer >= `value`; fix: set `value`.
 * - `present`: any value; fix (when absent): set `setIfAbsent`.
 * - `absent`: the flag must not be set; fix: remove it.
 * - `contains-element` / `not-contains-element`: comma-separated list flags
 *   are merged, never overwritten: add `element` (at the start or end) /
 *   remove it, keeping the rest in order. Removing the last element removes
 *   the flag.
 * - `elements-within`: every element must be in `allowed`; fix: set the
 *   flag to `allowed`.
 */
export type Requirement =
  | { readonly op: 'equals'; readonly value: Valued<SettingValue>; readonly allowAbsent: boolean; readonly absentAnyDefault?: true }
  | {
      readonly op: 'not-equals';
      readonly values: readonly SettingValue[];
      readonly fixValue: SettingValue;
      readonly allowAbsent: boolean;
      readonly absentAnyDefault?: true;
    }
  | { readonly op: 'at-least'; readonly value: Valued<number> }
  | { readonly op: 'present'; readonly setIfAbsent: Valued<SettingValue> }
  | { readonly op: 'absent' }
  | { readonly op: 'contains-element'; readonly element: string; readonly insert: 'start' | 'end' }
  | { readonly op: 'not-contains-element'; readonly element: string }
  | { readonly op: 'elements-within'; readonly allowed: Valued<readonly string[]> };

export type RequirementOp = Requirement['op'];

/**
 * A flag named in a static pod's command must also be reachable inside the
 * pod: the manifest gets a hostPath volume and volumeMount for it unless an
 * existing mount already covers it.
 */
export interface NeedsFile {
  /** Mount the file itself, or its parent directory (for files the component creates, like logs). */
  readonly mount: 'file' | 'parent-directory';
  /** hostPath type: `File`/`Directory` must exist before the flag is set (else not fixable); `…OrCreate` are created. */
  readonly hostPathType: 'File' | 'FileOrCreate' | 'Directory' | 'DirectoryOrCreate';
  readonly readOnly: boolean;
}

/**
 * A command-line flag of a static pod (kube-apiserver, kube-controller-manager,
 * kube-scheduler, etcd), edited in its manifest preserving everything else.
 * Flags are written `--flag=value`, the only form kube-bench reads.
 */
export interface StaticPodFlagStep extends StepBase {
  readonly kind: 'static-pod-flag';
  readonly component: StaticPodComponent;
  /** With its leading `--`. */
  readonly flag: string;
  readonly requirement: Requirement;
  readonly needsFile: NeedsFile | undefined;
}

/**
 * A kubelet setting, found where it takes effect: a command-line flag (unit,
 * drop-in, kubeadm-flags.env, /etc/default|sysconfig/kubelet) wins over the
 * KubeletConfiguration file the running kubelet uses. The fix edits the
 * source that wins: it removes an overriding flag and sets `configKey`.
 * Invariant: at least one of `configKey` and `flag` is set; with no
 * `configKey` the setting exists only as a flag (4.2.7).
 */
export interface KubeletSettingStep extends StepBase {
  readonly kind: 'kubelet-setting';
  /** Dotted path in the KubeletConfiguration, e.g. "authentication.anonymous.enabled". */
  readonly configKey: string | undefined;
  /** The equivalent command-line flag, with its leading `--`. */
  readonly flag: string | undefined;
  readonly requirement: Requirement;
  /** The value names a file that must exist on the node before it is set (else not fixable). */
  readonly fileMustExist: boolean;
}

/**
 * A kube-proxy setting: the KubeProxyConfiguration key where kube-proxy
 * reads it (on kubeadm the kube-system/kube-proxy ConfigMap), or the flag
 * when kube-proxy runs with one.
 */
export interface KubeProxySettingStep extends StepBase {
  readonly kind: 'kube-proxy-setting';
  readonly configKey: string;
  readonly flag: string;
  readonly requirement: Requirement;
}

/**
 * A random secret generated on the node at apply time (never in a plan, a
 * log or on the workstation). It replaces `${secret.NAME}` in the content.
 */
export interface GeneratedSecret {
  readonly name: string;
  readonly bytes: number;
  readonly encoding: 'base64';
  /**
   * `node`: each node gets its own value. `cluster`: one value shared by
   * every node the step applies to (an encryption key every kube-apiserver
   * must hold): generated on the first node and copied node to node over
   * SSH, never written on the workstation.
   */
  readonly scope: 'node' | 'cluster';
}

/**
 * A file a fix needs (audit policy, encryption config, admission config),
 * created with `content`. `${param.NAME}` in the content is replaced by the
 * parameter's value, `${secret.NAME}` by a generated secret. Invariants:
 * every placeholder names a declared parameter or secret, and every secret
 * is used. `onExisting: keep` never touches an existing file (a replaced
 * encryption config would lose its keys).
 */
export interface SupportFileStep extends StepBase {
  readonly kind: 'support-file';
  readonly path: Valued<PathTemplate>;
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  readonly content: string;
  readonly generatedSecrets: readonly GeneratedSecret[];
  readonly onExisting: 'keep' | 'replace';
}

/**
 * Which API objects a step patches. `names` are object names (for namespaced
 * kinds: in each selected namespace); `namesFromParameter` takes the keys of
 * a string-map parameter; `namespaces: all` is every namespace except
 * `excludeNamespaces`.
 */
export interface ApiSelector {
  readonly names: readonly string[] | undefined;
  readonly namesFromParameter: string | undefined;
  readonly namespaces: 'all' | readonly string[] | undefined;
  readonly excludeNamespaces: readonly string[];
}

/**
 * JSON merge patch data. A leaf `{ param: NAME }` is the parameter's value;
 * `{ paramEntry: NAME }` is the value of the string-map parameter NAME for
 * the object being patched (its name).
 */
export type PatchValue =
  string | number | boolean | null | ParamRef | { readonly paramEntry: string } | readonly PatchValue[] | { readonly [key: string]: PatchValue };

/**
 * Patch Kubernetes API objects: server-side dry-run first, `resourceVersion`
 * precondition, backup, `fieldManager: cis-fix`.
 */
export interface ApiObjectStep extends StepBase {
  readonly kind: 'api-object';
  /** "v1", "networking.k8s.io/v1". */
  readonly apiVersion: string;
  /** The object kind, e.g. "Namespace". */
  readonly objectKind: string;
  readonly selector: ApiSelector;
  readonly patch: { readonly [key: string]: PatchValue };
  /** For Pod Security labels: the least level that satisfies the control; a lower chosen level leaves it failing. */
  readonly podSecurityMinimum: 'baseline' | 'restricted' | undefined;
}

export type EnsureStep = FileModeStep | FileOwnerStep | StaticPodFlagStep | KubeletSettingStep | KubeProxySettingStep | SupportFileStep | ApiObjectStep;
export type EnsureKind = EnsureStep['kind'];

export const ENSURE_KINDS = [
  'file-mode',
  'file-owner',
  'static-pod-flag',
  'kubelet-setting',
  'kube-proxy-setting',
  'support-file',
  'api-object',
] as const satisfies readonly EnsureKind[];

// ---------------------------------------------------------------- kube-bench

/** kube-bench's targets (the files its checks come from); `managedservices` only in the EKS, GKE and AKS benchmarks. */
export const KUBE_BENCH_TARGETS = ['master', 'controlplane', 'etcd', 'node', 'policies', 'managedservices'] as const;
export type KubeBenchTarget = (typeof KUBE_BENCH_TARGETS)[number];

/**
 * How kube-bench tests a control, as data: an evaluator that synthesises the
 * audit output described by `audit` and applies `tests` with kube-bench's
 * semantics (bitmask, has, valid_elements, set, bin_op, use_multiple_values)
 * reproduces kube-bench's verdict. Invariants: `type: manual` ⇒ `audit` and
 * `tests` are undefined (kube-bench reports WARN without running anything);
 * `type: skip` runs nothing either (kube-bench reports INFO) but may keep
 * the tests kube-bench declares; an automated check has both or, only in
 * the distribution benchmarks, neither (kube-bench WARNs "no tests"). In
 * kubeadm benchmarks `scored` equals the control's assessment being
 * Automated; kube-bench's distribution files do not always keep that.
 */
export interface KubeBenchCheck {
  readonly target: KubeBenchTarget;
  readonly type: 'automated' | 'manual' | 'skip';
  readonly scored: boolean;
  readonly audit: KubeBenchAudit | undefined;
  readonly useMultipleValues: boolean;
  readonly tests: KubeBenchTests | undefined;
  /** kube-bench quirks that matter for this control. */
  readonly notes: string | undefined;
}

export type StatFormat = 'permissions=%a' | '%U:%G' | 'ownership=%U:%G' | 'ownership=%U:%G %n' | 'permissions=%a %n';

/**
 * What kube-bench's audit command prints.
 * - `stat`: one line per selected file, printed with `format` (stat -c).
 * - `process`: the command lines of a running component: `grep` is
 *   `ps -ef | grep NAME` (every line containing the word), `comm` is
 *   `ps -fC NAME` (header plus processes named exactly NAME). `config` is
 *   kube-bench's `audit_config`: the file read for `path` test items.
 * - `encryption-providers`: `provider=<word>` for each word on the line
 *   after `providers:` in the file named by kube-apiserver's
 *   --encryption-provider-config.
 * - `kubectl`: a cluster query; `query` names which one (see README).
 * - `file`: the content of the variable's file (`cat $etcdconf`), for
 *   `path` items (RKE2/k3s etcd config).
 * - `journal`: the last line containing `line` in `journalctl -m -u UNIT…`
 *   (k3s logs each embedded component's flags: "Running kube-apiserver
 *   --…"), optionally narrowed by `grep` and then by `exclude` (`| grep -v
 *   WORD`); `config` is read for `path` items. `fallback`: what the script
 *   prints instead when the journal has no such line at all (k3s-cis-1.9
 *   4.2.1–4.2.3: `if test $(… | wc -l) -gt 0; then …; else echo …; fi`).
 * - `script`: any other shell script kube-bench runs (kubectl with jq, cloud
 *   CLIs); `summary` says what it reads, `command` is the script itself when
 *   it is short. cis-fix does not reproduce these.
 */
export type KubeBenchAudit =
  | { readonly source: 'stat'; readonly format: StatFormat; readonly files: readonly StatSelection[]; readonly missingOutput: string | undefined }
  | {
      readonly source: 'process';
      readonly process: ProcessName;
      readonly match: 'grep' | 'comm';
      readonly config: { readonly variable: string; readonly ifExists: boolean } | undefined;
    }
  | { readonly source: 'encryption-providers' }
  | { readonly source: 'kubectl'; readonly query: KubectlQuery }
  | { readonly source: 'file'; readonly variable: string }
  | {
      readonly source: 'journal';
      readonly units: readonly string[];
      readonly line: string;
      readonly grep: string | undefined;
      readonly config: { readonly variable: string } | undefined;
      readonly exclude?: string | undefined;
      readonly fallback?: string | undefined;
    }
  | { readonly source: 'script'; readonly summary: string; readonly command: string | undefined };

/**
 * Which files a `stat` audit prints.
 * - `variable`: the variable's resolved path, if it exists (`nameFilter`:
 *   only when its base name matches the glob, as `find FILE -name`).
 * - `path`: a fixed path, if it exists.
 * - `find`: `find ROOT [-mindepth N] [-type T] [-name GLOB]`, recursive.
 * - `process-flag`: the path in `flag` on the running `process`'s command
 *   line, else `fallbackVariable`; `ifExists: false` stats it regardless
 *   (a missing file makes the audit fail); `contents: true` lists what is
 *   inside the directory (find -mindepth 1) instead.
 */
export type StatSelection =
  | { readonly select: 'variable'; readonly variable: string; readonly nameFilter: string | undefined }
  | { readonly select: 'path'; readonly path: string }
  | {
      readonly select: 'find';
      readonly root: string;
      readonly name: string | undefined;
      readonly fileType: 'file' | 'directory' | undefined;
      readonly minDepth: number | undefined;
    }
  | {
      readonly select: 'process-flag';
      readonly process: ProcessName;
      readonly flag: string;
      readonly fallbackVariable: string | undefined;
      readonly ifExists: boolean;
      readonly contents: boolean;
    };

export const KUBECTL_QUERIES = [
  'cluster-admin-bindings',
  'can-list-secrets',
  'wildcard-roles',
  'can-create-pods',
  'default-service-accounts',
  'pod-token-automount',
  'privileged-containers',
  'host-pid-pods',
  'host-ipc-pods',
  'host-network-pods',
  'privilege-escalation-containers',
  'added-capabilities-containers',
] as const;
export type KubectlQuery = (typeof KUBECTL_QUERIES)[number];

export interface KubeBenchTests {
  /** `or` with a single item behaves as `and`. */
  readonly binOp: 'and' | 'or';
  /** Non-empty. */
  readonly items: readonly KubeBenchTestItem[];
}

/**
 * kube-bench's compare ops, plus `noteqx`: a typo in kube-bench's own
 * k3s-cis-1.9 4.2.5 that kube-bench does not know, so the item never passes.
 * It is kept so the playbook says exactly what kube-bench tests.
 */
export const COMPARE_OPS = ['eq', 'noteq', 'gt', 'gte', 'lt', 'lte', 'has', 'nothave', 'bitmask', 'valid_elements', 'regex', 'noteqx'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

/**
 * One test item. Invariant: at least one of `flag` (searched in the audit
 * output), `path` (a jsonpath into the `config` file) and `env` (an
 * environment variable of the process) is set; kube-bench tries them in
 * that order and the first source where the keyword is found decides.
 * `compare.value` is the literal string kube-bench compares with.
 */
export interface KubeBenchTestItem {
  readonly flag: string | undefined;
  readonly path: string | undefined;
  readonly env: string | undefined;
  /** Defaults to true. false: passes iff the keyword is not found; `compare` is then ignored. */
  readonly set: boolean;
  readonly compare: { readonly op: CompareOp; readonly value: string } | undefined;
}
