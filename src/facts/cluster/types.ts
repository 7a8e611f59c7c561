/**
 * What cis-fix knows about the cluster from the API (DESIGN.md §2 facts):
 * plain data, JSON-serialisable, gathered once per run by
 * cluster-facts.ts and read by the pure evaluators and planners.
 *
 * Invariants: no Secret is ever read, and no ConfigMap data is kept except
 * the kube-proxy ConfigMap's (its KubeProxyConfiguration, 4.3.1). Every
 * object keeps its `resourceVersion`, the precondition of a change to it.
 */

export interface ObjectMeta {
  readonly name: string;
  /** Undefined for cluster-scoped objects. */
  readonly namespace: string | undefined;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface NamespaceFacts extends ObjectMeta {
  readonly namespace: undefined;
}

export interface ServiceAccountFacts extends ObjectMeta {
  readonly namespace: string;
  /** As set on the object; undefined when the field is absent (the API then mounts the token). */
  readonly automountServiceAccountToken: boolean | undefined;
}

export interface SecurityContextFacts {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly procMount?: string;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string; readonly localhostProfile?: string };
  readonly seLinuxOptions?: { readonly type?: string; readonly user?: string; readonly role?: string; readonly level?: string };
  readonly appArmorProfile?: { readonly type?: string; readonly localhostProfile?: string };
  readonly windowsOptions?: { readonly hostProcess?: boolean };
}

export interface PodSecurityContextFacts extends Omit<SecurityContextFacts, 'privileged' | 'allowPrivilegeEscalation' | 'capabilities' | 'procMount'> {
  readonly sysctls?: readonly { readonly name: string; readonly value?: string }[];
}

/** Where a container's environment refers to a Secret (never the value: the Secret is not read). */
export interface SecretEnvRef {
  readonly secret: string;
  /** `env PASSWORD` (secretKeyRef) or `envFrom` (secretRef). */
  readonly via: string;
}

export interface ContainerFacts {
  readonly name: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly list: 'containers' | 'initContainers' | 'ephemeralContainers';
  readonly image: string;
  readonly securityContext: SecurityContextFacts | undefined;
  readonly hostPorts: readonly number[];
  readonly secretEnv: readonly SecretEnvRef[];
}

export interface VolumeFacts {
  readonly name: string;
  /** The volume source's key (`hostPath`, `configMap`, `emptyDir`, …). */
  readonly source: string;
  readonly hostPath: string | undefined;
}

/** The pod spec fields the section 5 checks read. */
export interface PodFacts extends ObjectMeta {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: boolean | undefined;
  readonly hostNetwork: boolean;
  readonly hostPID: boolean;
  readonly hostIPC: boolean;
  readonly securityContext: PodSecurityContextFacts | undefined;
  readonly containers: readonly ContainerFacts[];
  readonly volumes: readonly VolumeFacts[];
  readonly ownerKinds: readonly string[];
  readonly phase: string | undefined;
  /** A static pod's mirror (annotation kubernetes.io/config.mirror): not admitted through Pod Security. */
  readonly mirror: boolean;
}

export interface NodeObjectFacts {
  readonly name: string;
  readonly internalIP: string | undefined;
  /** `node-role.kubernetes.io/<role>` label suffixes. */
  readonly roles: readonly string[];
  readonly kubeletVersion: string | undefined;
}

export interface PolicyRuleFacts {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface RoleFacts extends ObjectMeta {
  readonly kind: 'Role' | 'ClusterRole';
  readonly rules: readonly PolicyRuleFacts[];
  /** ClusterRoles only: the rules are aggregated by the controller from other roles; edits are overwritten. */
  readonly aggregated: boolean;
}

export interface SubjectFacts {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

export interface BindingFacts extends ObjectMeta {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: readonly SubjectFacts[];
}

export interface NetworkPolicyFacts extends ObjectMeta {
  readonly namespace: string;
}

/** kube-system/kube-proxy ConfigMap: only `config.conf` is kept (a KubeProxyConfiguration as YAML). */
export interface KubeProxyConfigMapFacts extends ObjectMeta {
  readonly configConf: string | undefined;
}

export interface KubeProxyDaemonSetFacts extends ObjectMeta {
  readonly templateAnnotations: Readonly<Record<string, string>>;
  /** Command-line flags of the kube-proxy container (a flag there wins over the ConfigMap). */
  readonly command: readonly string[];
}

/** One resource's list result: the items, or why they could not be read. */
export type Gathered<T> =
  { readonly ok: true; readonly items: readonly T[] } | { readonly ok: false; readonly reason: 'forbidden' | 'error'; readonly message: string };

export interface ClusterFacts {
  readonly server: string;
  readonly version: { readonly major: string; readonly minor: string; readonly gitVersion: string } | undefined;
  readonly namespaces: Gathered<NamespaceFacts>;
  readonly serviceAccounts: Gathered<ServiceAccountFacts>;
  readonly pods: Gathered<PodFacts>;
  readonly nodes: Gathered<NodeObjectFacts>;
  readonly clusterRoles: Gathered<RoleFacts>;
  readonly clusterRoleBindings: Gathered<BindingFacts>;
  readonly roles: Gathered<RoleFacts>;
  readonly roleBindings: Gathered<BindingFacts>;
  readonly networkPolicies: Gathered<NetworkPolicyFacts>;
  /** kube-system/kube-proxy, read by name: no items when absent (kube-proxy not deployed by kubeadm). */
  readonly kubeProxyConfigMap: Gathered<KubeProxyConfigMapFacts>;
  readonly kubeProxyDaemonSet: Gathered<KubeProxyDaemonSetFacts>;
}
