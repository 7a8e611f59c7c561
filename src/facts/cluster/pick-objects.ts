/**
 * API objects → the plain facts of types.ts: only the fields the section 5
 * checks and the planners read. Pure and defensive: the API's JSON is
 * untrusted input, so every field is type-checked and defaults are explicit.
 */
import type { KubeObject } from '../../transport/cluster-client.js';
import type {
  BindingFacts,
  ContainerFacts,
  KubeProxyConfigMapFacts,
  KubeProxyDaemonSetFacts,
  NamespaceFacts,
  NetworkPolicyFacts,
  NodeObjectFacts,
  ObjectMeta,
  PodFacts,
  PodSecurityContextFacts,
  PolicyRuleFacts,
  RoleFacts,
  SecretEnvRef,
  SecurityContextFacts,
  ServiceAccountFacts,
  VolumeFacts,
} from './types.js';

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
function arr(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}
function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(value)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function pickMeta(o: KubeObject): ObjectMeta {
  const m = obj(o.metadata);
  return {
    name: str(m['name']) ?? '',
    namespace: str(m['namespace']),
    resourceVersion: str(m['resourceVersion']) ?? '',
    labels: stringMap(m['labels']),
    annotations: stringMap(m['annotations']),
  };
}

export function pickNamespace(o: KubeObject): NamespaceFacts {
  return { ...pickMeta(o), namespace: undefined };
}

export function pickServiceAccount(o: KubeObject): ServiceAccountFacts {
  const meta = pickMeta(o);
  return { ...meta, namespace: meta.namespace ?? '', automountServiceAccountToken: bool(o['automountServiceAccountToken']) };
}

/** Only the securityContext fields Pod Security and CIS 5.2 look at, copied with their types checked. */
function pickSecurityContext(value: unknown): SecurityContextFacts | undefined {
  if (value === undefined || value === null) return undefined;
  const sc = obj(value);
  const caps = obj(sc['capabilities']);
  const profile = (v: unknown) =>
    v === undefined
      ? undefined
      : {
          ...(str(obj(v)['type']) !== undefined ? { type: str(obj(v)['type']) } : {}),
          ...(str(obj(v)['localhostProfile']) !== undefined ? { localhostProfile: str(obj(v)['localhostProfile']) } : {}),
        };
  const out: Record<string, unknown> = {
    privileged: bool(sc['privileged']),
    allowPrivilegeEscalation: bool(sc['allowPrivilegeEscalation']),
    runAsNonRoot: bool(sc['runAsNonRoot']),
    runAsUser: typeof sc['runAsUser'] === 'number' ? sc['runAsUser'] : undefined,
    procMount: str(sc['procMount']),
    capabilities: sc['capabilities'] === undefined ? undefined : { add: strings(caps['add']), drop: strings(caps['drop']) },
    seccompProfile: profile(sc['seccompProfile']),
    appArmorProfile: profile(sc['appArmorProfile']),
    seLinuxOptions: sc['seLinuxOptions'] === undefined ? undefined : stringMap(sc['seLinuxOptions']),
    windowsOptions: sc['windowsOptions'] === undefined ? undefined : { hostProcess: bool(obj(sc['windowsOptions'])['hostProcess']) },
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as SecurityContextFacts;
}

function pickPodSecurityContext(value: unknown): PodSecurityContextFacts | undefined {
  const base = pickSecurityContext(value);
  if (!base) return undefined;
  const { privileged: _p, allowPrivilegeEscalation: _a, capabilities: _c, procMount: _m, ...rest } = base;
  const sysctls = arr(obj(value)['sysctls']).map((s) => ({ name: str(s['name']) ?? '', ...(str(s['value']) !== undefined ? { value: str(s['value']) } : {}) }));
  return { ...rest, ...(sysctls.length ? { sysctls } : {}) };
}

function pickSecretEnv(c: Json): SecretEnvRef[] {
  const refs: SecretEnvRef[] = [];
  for (const e of arr(c['env'])) {
    const ref = obj(obj(e['valueFrom'])['secretKeyRef']);
    const secret = str(ref['name']);
    if (secret !== undefined) refs.push({ secret, via: `env ${str(e['name']) ?? '?'}` });
  }
  for (const e of arr(c['envFrom'])) {
    const secret = str(obj(e['secretRef'])['name']);
    if (secret !== undefined) refs.push({ secret, via: 'envFrom' });
  }
  return refs;
}

function pickContainers(spec: Json): ContainerFacts[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((list) =>
    arr(spec[list]).map((c) => ({
      name: str(c['name']) ?? '',
      list,
      image: str(c['image']) ?? '',
      securityContext: pickSecurityContext(c['securityContext']),
      hostPorts: arr(c['ports'])
        .map((p) => p['hostPort'])
        .filter((p): p is number => typeof p === 'number' && p !== 0),
      secretEnv: pickSecretEnv(c),
    })),
  );
}

function pickVolumes(spec: Json): VolumeFacts[] {
  return arr(spec['volumes']).map((v) => {
    const source = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
    return { name: str(v['name']) ?? '', source, hostPath: source === 'hostPath' ? str(obj(v['hostPath'])['path']) : undefined };
  });
}

export function pickPod(o: KubeObject): PodFacts {
  const meta = pickMeta(o);
  const spec = obj(o['spec']);
  return {
    ...meta,
    namespace: meta.namespace ?? '',
    serviceAccountName: str(spec['serviceAccountName']) ?? str(spec['serviceAccount']) ?? 'default',
    automountServiceAccountToken: bool(spec['automountServiceAccountToken']),
    hostNetwork: spec['hostNetwork'] === true,
    hostPID: spec['hostPID'] === true,
    hostIPC: spec['hostIPC'] === true,
    securityContext: pickPodSecurityContext(spec['securityContext']),
    containers: pickContainers(spec),
    volumes: pickVolumes(spec),
    ownerKinds: arr(obj(o.metadata)['ownerReferences']).map((r) => str(r['kind']) ?? ''),
    phase: str(obj(o['status'])['phase']),
    mirror: meta.annotations['kubernetes.io/config.mirror'] !== undefined,
  };
}

export function pickNode(o: KubeObject): NodeObjectFacts {
  const meta = pickMeta(o);
  const status = obj(o['status']);
  return {
    name: meta.name,
    internalIP: str(arr(status['addresses']).find((a) => a['type'] === 'InternalIP')?.['address']),
    roles: Object.keys(meta.labels)
      .filter((l) => l.startsWith('node-role.kubernetes.io/'))
      .map((l) => l.slice('node-role.kubernetes.io/'.length))
      .sort(),
    kubeletVersion: str(obj(status['nodeInfo'])['kubeletVersion']),
  };
}

function pickRules(value: unknown): PolicyRuleFacts[] {
  return arr(value).map((r) => ({
    apiGroups: strings(r['apiGroups']),
    resources: strings(r['resources']),
    verbs: strings(r['verbs']),
    resourceNames: strings(r['resourceNames']),
    nonResourceURLs: strings(r['nonResourceURLs']),
  }));
}

export function pickRole(o: KubeObject): RoleFacts {
  return {
    ...pickMeta(o),
    kind: o.kind === 'ClusterRole' ? 'ClusterRole' : 'Role',
    rules: pickRules(o['rules']),
    aggregated: o['aggregationRule'] !== undefined && o['aggregationRule'] !== null,
  };
}

export function pickBinding(o: KubeObject): BindingFacts {
  const ref = obj(o['roleRef']);
  return {
    ...pickMeta(o),
    kind: o.kind === 'ClusterRoleBinding' ? 'ClusterRoleBinding' : 'RoleBinding',
    roleRef: { kind: str(ref['kind']) ?? '', name: str(ref['name']) ?? '' },
    subjects: arr(o['subjects']).map((s) => ({ kind: str(s['kind']) ?? '', name: str(s['name']) ?? '', namespace: str(s['namespace']) })),
  };
}

export function pickNetworkPolicy(o: KubeObject): NetworkPolicyFacts {
  const meta = pickMeta(o);
  return { ...meta, namespace: meta.namespace ?? '' };
}

/** Keeps only `config.conf` of the kube-proxy ConfigMap; every other key (kubeconfig.conf) is dropped. */
export function pickKubeProxyConfigMap(o: KubeObject): KubeProxyConfigMapFacts {
  return { ...pickMeta(o), configConf: str(obj(o['data'])['config.conf']) };
}

export function pickKubeProxyDaemonSet(o: KubeObject): KubeProxyDaemonSetFacts {
  const template = obj(obj(o['spec'])['template']);
  const containers = arr(obj(template['spec'])['containers']);
  const proxy = containers.find((c) => c['name'] === 'kube-proxy') ?? containers[0] ?? {};
  return {
    ...pickMeta(o),
    templateAnnotations: stringMap(obj(template['metadata'])['annotations']),
    command: [...strings(proxy['command']), ...strings(proxy['args'])],
  };
}
