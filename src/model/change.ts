import type { ApiObjectChange } from './api-object-change.js';
import type { ManagedComponent, StaticPodComponent } from './components.js';

/**
 * One planned change (DESIGN.md §1 "The plan"). A change is complete:
 * renderers and appliers read nothing else (DESIGN.md §5.2).
 */

/** What apply must find on the node before it touches a file, or it refuses the whole plan. */
export interface FilePrecondition {
  readonly exists: boolean;
  /** sha256 of the content (regular files); undefined for directories. */
  readonly sha256: string | undefined;
  /** Octal permission bits as stat prints them ("644", "2755"). */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
}

interface ChangeBase {
  /** Stable within a plan: `<node>:<kind>:<target>`. */
  readonly id: string;
  readonly node: string;
  readonly controlIds: readonly string[];
  /** Absolute path on the node. */
  readonly target: string;
  /** `create`: a support file that does not exist yet (its precondition says so). */
  readonly action: 'update' | 'create';
  readonly precondition: FilePrecondition;
  /** Component that restarts because of the change (static pods restart by themselves when their manifest changes); none for file metadata. */
  readonly restart: 'none' | ManagedComponent;
  /** What the plan shows: a unified diff or `mode 0644 -> 0600`. */
  readonly diff: string;
}

/** chmod: `after` is `before` with bits cleared, never with bits added. */
export interface FileModeChange extends ChangeBase {
  readonly kind: 'file-mode';
  readonly before: { readonly mode: string };
  readonly after: { readonly mode: string };
}

/**
 * chown: owner and group by name, as the control demands them. With
 * `createAccount` the owner was chosen through a parameter and does not
 * exist yet: apply creates it as a system user and group (no home, no
 * login shell) first. Rollback restores the owner and leaves the account.
 */
export interface FileOwnerChange extends ChangeBase {
  readonly kind: 'file-owner';
  readonly before: { readonly user: string; readonly group: string };
  readonly after: { readonly user: string; readonly group: string; readonly createAccount: boolean };
}

/**
 * A static pod manifest rewritten with flag edits (and the hostPath mounts
 * they need). `after.content` is the whole new manifest — manifests hold no
 * secrets — written through a dot-temp file beside it; the kubelet restarts
 * the pod, and the health gate waits for `after.argv` and the health
 * endpoint. `before.argv` is what ran before, to check a restore.
 */
export interface ManifestChange extends ChangeBase {
  readonly kind: 'static-pod-manifest';
  readonly restart: StaticPodComponent;
  readonly before: { readonly sha256: string; readonly argv: readonly string[] };
  readonly after: { readonly content: string; readonly sha256: string; readonly argv: readonly string[] };
}

/**
 * A kubelet source rewritten: its unit or a drop-in, an environment file
 * (`kubeadm-flags.env`, `/etc/default/kubelet`), or its KubeletConfiguration.
 * `after.content` is the whole new file (these files hold no secrets),
 * written through a dot-temp file with the old mode and owner. All kubelet
 * changes of a node share one restart after the last of them (DESIGN.md §2):
 * `systemctl daemon-reload` when `daemonReload` (a unit or drop-in changed
 * on that node), then `systemctl restart kubelet`, then the health gate
 * waits for `after.argv` and `after.healthUrl`. `after.argv` is undefined
 * when the kubelet was not running at plan time: it is then not restarted.
 */
export interface KubeletFileChange extends ChangeBase {
  readonly kind: 'kubelet-file';
  readonly restart: 'kubelet';
  /** True on every kubelet change of a node when any of them edits a unit or drop-in. */
  readonly daemonReload: boolean;
  /** `kube-bench`: a file the kubelet does not read but kube-bench does, kept in step so that its verdict matches. */
  readonly purpose: 'kubelet' | 'kube-bench';
  /** One line per edit: "remove --authorization-mode=AlwaysAllow from KUBELET_KUBEADM_ARGS". */
  readonly edits: readonly string[];
  readonly before: { readonly sha256: string; readonly argv: readonly string[] | undefined };
  readonly after: { readonly content: string; readonly sha256: string; readonly argv: readonly string[] | undefined; readonly healthUrl: string };
  /** Said next to the change: on a managed node pool, that a node replacement undoes it and where to set it durably (benchmark nodeReplacement). */
  readonly notes?: readonly string[];
}

/** A secret a support file needs, generated on the node at apply time (DESIGN.md §3): only its name and size are in the plan. */
export interface NodeGeneratedSecret {
  readonly name: string;
  readonly bytes: number;
  /**
   * `cluster`: every node the change is planned on must hold the same value
   * (an encryption key every kube-apiserver needs): the first node generates
   * it; apply copies that node's file to the others over SSH, through
   * cis-fix's memory only — never written, logged or journaled on the
   * workstation.
   */
  readonly scope: 'node' | 'cluster';
}

/**
 * A file a fix needs that does not exist yet (audit policy, encryption
 * config, admission config), created root-owned with `after.mode`, its
 * missing parent directories 0700. `after.content` is a template: each
 * `${secret.NAME}` is replaced on the node by a freshly generated value
 * that never reaches the workstation, so `after.sha256` is only known when
 * there are no secrets. Created before the manifest that names it; a
 * rollback removes it (and the directories apply created for it).
 */
export interface SupportFileChange extends ChangeBase {
  readonly kind: 'support-file';
  readonly action: 'create';
  readonly restart: 'none';
  readonly after: {
    readonly content: string;
    readonly mode: string;
    readonly secrets: readonly NodeGeneratedSecret[];
    readonly sha256: string | undefined;
    /**
     * A node that already holds this file with its cluster-wide secret (a
     * control plane hardened earlier): apply copies that file instead of
     * generating a second, different key.
     */
    readonly copyFrom?: string;
  };
}

/**
 * A source of etcd run by systemd (external etcd) rewritten: its unit or a
 * drop-in (a flag on the ExecStart line, or in a variable it expands), or an
 * environment file (an ETCD_* variable edited in place or appended).
 * `after.content` is the whole new file (the plan refuses files that hold a
 * credential), written through a dot-temp file with the old mode and owner.
 * All etcd changes of a node share one restart after the last of them:
 * `systemctl daemon-reload` when `daemonReload` (a unit or drop-in changed),
 * `systemctl restart <unit>`, then the health gate waits for `after.argv`
 * and `after.healthUrl` (with `after.healthTls` when it is https).
 */
export interface EtcdServiceChange extends ChangeBase {
  readonly kind: 'etcd-service';
  readonly action: 'update';
  readonly restart: 'etcd';
  /** The systemd unit restarted (etcd.service). */
  readonly unit: string;
  /** True on every etcd change of a node when any of them edits a unit or drop-in. */
  readonly daemonReload: boolean;
  /** One line per edit: "ETCD_CLIENT_CERT_AUTH: false -> true (edited in place)". */
  readonly edits: readonly string[];
  /** `healthUrl`/`healthTls` before: how a restore asks the restored etcd for its /health (absent: kubeadm's metrics port). */
  readonly before: { readonly sha256: string; readonly argv: readonly string[]; readonly healthUrl?: string; readonly healthTls?: HealthClientTls };
  /** `healthTls`: the client certificate on the node the gate presents to an https `healthUrl` (absent: plain HTTP). */
  readonly after: {
    readonly content: string;
    readonly sha256: string;
    readonly argv: readonly string[];
    readonly healthUrl: string;
    readonly healthTls?: HealthClientTls;
  };
}

/**
 * Files on the node (absolute paths) the health gate hands to curl for an
 * https health endpoint that wants a client certificate: the CA that signed
 * the server's certificate, and the client pair. Only paths travel: the key
 * is read by curl on the node, never copied off it or printed.
 */
export interface HealthClientTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * What a distribution service's restart must bring back: the component runs
 * with `argv` (any command line when undefined) and `url` answers.
 */
export interface ServiceGate {
  readonly component: ManagedComponent;
  readonly argv: readonly string[] | undefined;
  readonly url: string;
}

/**
 * A Rancher distribution's config.yaml (RKE2 `/etc/rancher/rke2/config.yaml`,
 * k3s `/etc/rancher/k3s/config.yaml`) or one of its `config.yaml.d/*.yaml`
 * drop-ins, with entries of its `*-arg` lists edited (src/plan/edits/rancher-config.ts):
 * every untouched byte and comment kept. The distribution regenerates its
 * static-pod manifests and kubelet command line from these files when its
 * `service` restarts; cis-fix never edits what it generates. `after.content`
 * is the whole new file: a file whose content could not be gathered verbatim
 * (one holding a token is redacted) is never planned. All changes of a node
 * share one `systemctl restart <service>` after the last of them; the health
 * gate then waits for every component in `after.gates`. `restart` is the
 * kubelet: the service restarts it with everything else.
 */
export interface RancherConfigChange extends ChangeBase {
  readonly kind: 'rancher-config';
  readonly restart: 'kubelet';
  /** The systemd service that reads the file (rke2-server, rke2-agent, k3s, k3s-agent). */
  readonly service: string;
  /** One line per edit: "kube-apiserver-arg: set anonymous-auth=false". */
  readonly edits: readonly string[];
  readonly before: { readonly sha256: string };
  readonly after: { readonly content: string; readonly sha256: string; readonly gates: readonly ServiceGate[] };
}

/** A change made on one node over SSH. */
export type NodeChange = FileModeChange | FileOwnerChange | ManifestChange | KubeletFileChange | SupportFileChange | EtcdServiceChange | RancherConfigChange;

/** Every change a plan holds: on nodes over SSH, or to API objects (once per cluster, `node` undefined). */
export type Change = NodeChange | ApiObjectChange;

export function isNodeChange(change: Change): change is NodeChange {
  return change.kind !== 'api-object';
}
export type ChangeKind = Change['kind'];
