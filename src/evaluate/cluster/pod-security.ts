/**
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards),
 * implemented here from the published rules so that cis-fix can say which
 * running pods a namespace's level would reject, and why. Pure.
 *
 * This is cis-fix's own reading of the standard, not a port of the
 * admission plugin: where it cannot be sure it errs towards reporting
 * (a pod reported here may be admitted; one admitted by PSA at a level
 * should not be reported here at that level). Not modelled: Windows pods'
 * exemptions from the restricted rules (spec.os.name: windows) and the
 * restricted level's `image` volume type of the newest releases.
 */
import type { ContainerFacts, PodFacts, SecurityContextFacts } from '../../facts/cluster/types.js';

export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** true when `actual` is at least as strict as `needed`. */
export function levelAtLeast(actual: PodSecurityLevel | undefined, needed: PodSecurityLevel): boolean {
  if (actual === undefined) return needed === 'privileged';
  return POD_SECURITY_LEVELS.indexOf(actual) >= POD_SECURITY_LEVELS.indexOf(needed);
}

export function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
  return typeof value === 'string' && (POD_SECURITY_LEVELS as readonly string[]).includes(value);
}

/** One rule of the standard; the level is the least strict one that enforces it. */
export const POD_SECURITY_CHECKS = {
  hostProcess: 'baseline',
  hostNetwork: 'baseline',
  hostPID: 'baseline',
  hostIPC: 'baseline',
  privileged: 'baseline',
  capabilitiesBaseline: 'baseline',
  hostPath: 'baseline',
  hostPorts: 'baseline',
  appArmor: 'baseline',
  seLinux: 'baseline',
  procMount: 'baseline',
  seccompBaseline: 'baseline',
  sysctls: 'baseline',
  volumeTypes: 'restricted',
  allowPrivilegeEscalation: 'restricted',
  runAsNonRoot: 'restricted',
  runAsUser: 'restricted',
  seccompRestricted: 'restricted',
  capabilitiesDropAll: 'restricted',
  capabilitiesAddRestricted: 'restricted',
} as const satisfies Record<string, Exclude<PodSecurityLevel, 'privileged'>>;

export type PodSecurityCheck = keyof typeof POD_SECURITY_CHECKS;

export interface PodViolation {
  readonly check: PodSecurityCheck;
  readonly level: 'baseline' | 'restricted';
  /** Human-readable: `privileged (container app)`. */
  readonly detail: string;
}

/** Capabilities baseline lets containers add (the container runtimes' defaults). */
const BASELINE_ADDABLE = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** The "safe" sysctls baseline allows (the list has grown with releases; this is the 1.32 one). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** Capability names as written (`CAP_NET_RAW` and `net_raw` both mean NET_RAW). */
function capability(name: string): string {
  return name.toUpperCase().replace(/^CAP_/, '');
}

function where(c: ContainerFacts): string {
  return `${c.list === 'containers' ? 'container' : c.list === 'initContainers' ? 'init container' : 'ephemeral container'} ${c.name}`;
}

/** Every rule of both levels the pod breaks, in the standard's order. */
export function podViolations(pod: PodFacts): PodViolation[] {
  const out: PodViolation[] = [];
  const add = (check: PodSecurityCheck, detail: string) => out.push({ check, level: POD_SECURITY_CHECKS[check], detail });
  const podSc = pod.securityContext;
  const containers = pod.containers;
  const perContainer = (test: (sc: SecurityContextFacts, c: ContainerFacts) => string | undefined, check: PodSecurityCheck) => {
    for (const c of containers) {
      const problem = test(c.securityContext ?? {}, c);
      if (problem !== undefined) add(check, `${problem} (${where(c)})`);
    }
  };

  // ---------------------------------------------------------------- baseline
  if (podSc?.windowsOptions?.hostProcess === true) add('hostProcess', 'hostProcess (pod)');
  perContainer((sc) => (sc.windowsOptions?.hostProcess === true ? 'hostProcess' : undefined), 'hostProcess');
  if (pod.hostNetwork) add('hostNetwork', 'hostNetwork');
  if (pod.hostPID) add('hostPID', 'hostPID');
  if (pod.hostIPC) add('hostIPC', 'hostIPC');
  perContainer((sc) => (sc.privileged === true ? 'privileged' : undefined), 'privileged');
  perContainer((sc) => {
    const extra = (sc.capabilities?.add ?? []).map(capability).filter((c) => !BASELINE_ADDABLE.has(c));
    return extra.length ? `adds capabilities ${extra.join(', ')}` : undefined;
  }, 'capabilitiesBaseline');
  for (const v of pod.volumes) if (v.source === 'hostPath') add('hostPath', `hostPath volume ${v.name}${v.hostPath ? ` (${v.hostPath})` : ''}`);
  perContainer((_, c) => (c.hostPorts.length ? `hostPort ${c.hostPorts.join(', ')}` : undefined), 'hostPorts');
  const appArmorOk = (p: { type?: string } | undefined) => p === undefined || p.type === undefined || p.type === 'RuntimeDefault' || p.type === 'Localhost';
  if (!appArmorOk(podSc?.appArmorProfile)) add('appArmor', `appArmorProfile ${podSc?.appArmorProfile?.type} (pod)`);
  perContainer((sc) => (appArmorOk(sc.appArmorProfile) ? undefined : `appArmorProfile ${sc.appArmorProfile?.type}`), 'appArmor');
  for (const [key, value] of Object.entries(pod.annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      add('appArmor', `AppArmor annotation ${value} (container ${key.slice(key.indexOf('/') + 1)})`);
    }
  }
  const seLinuxProblem = (o: SecurityContextFacts['seLinuxOptions']) =>
    o === undefined
      ? undefined
      : !SELINUX_TYPES.has(o.type ?? '')
        ? `seLinuxOptions.type ${o.type}`
        : o.user || o.role
          ? 'seLinuxOptions sets user/role'
          : undefined;
  const podSeLinux = seLinuxProblem(podSc?.seLinuxOptions);
  if (podSeLinux) add('seLinux', `${podSeLinux} (pod)`);
  perContainer((sc) => seLinuxProblem(sc.seLinuxOptions), 'seLinux');
  perContainer((sc) => (sc.procMount !== undefined && sc.procMount !== 'Default' ? `procMount ${sc.procMount}` : undefined), 'procMount');
  if (podSc?.seccompProfile?.type === 'Unconfined') add('seccompBaseline', 'seccompProfile Unconfined (pod)');
  perContainer((sc) => (sc.seccompProfile?.type === 'Unconfined' ? 'seccompProfile Unconfined' : undefined), 'seccompBaseline');
  for (const s of podSc?.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) add('sysctls', `sysctl ${s.name}`);

  // ---------------------------------------------------------------- restricted
  for (const v of pod.volumes) if (!RESTRICTED_VOLUMES.has(v.source)) add('volumeTypes', `${v.source} volume ${v.name}`);
  perContainer(
    (sc) =>
      sc.allowPrivilegeEscalation === false ? undefined : `allowPrivilegeEscalation ${sc.allowPrivilegeEscalation === true ? 'true' : 'not set to false'}`,
    'allowPrivilegeEscalation',
  );
  // runAsNonRoot: the container's value wins; the pod's covers containers that leave it unset.
  perContainer((sc) => {
    const effective = sc.runAsNonRoot ?? podSc?.runAsNonRoot;
    return effective === true ? undefined : `runAsNonRoot ${effective === false ? 'false' : 'not set'}`;
  }, 'runAsNonRoot');
  if (podSc?.runAsUser === 0) add('runAsUser', 'runAsUser 0 (pod)');
  perContainer((sc) => (sc.runAsUser === 0 ? 'runAsUser 0' : undefined), 'runAsUser');
  perContainer((sc) => {
    const type = sc.seccompProfile?.type ?? podSc?.seccompProfile?.type;
    return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : `seccompProfile ${type ?? 'not set'}`;
  }, 'seccompRestricted');
  perContainer((sc) => ((sc.capabilities?.drop ?? []).map(capability).includes('ALL') ? undefined : 'does not drop ALL capabilities'), 'capabilitiesDropAll');
  perContainer((sc) => {
    const extra = (sc.capabilities?.add ?? []).map(capability).filter((c) => c !== 'NET_BIND_SERVICE');
    return extra.length ? `adds capabilities ${extra.join(', ')}` : undefined;
  }, 'capabilitiesAddRestricted');
  return out;
}

/** The rules of `level` the pod breaks: what enforcing `level` would reject it for. */
export function violationsAt(pod: PodFacts, level: PodSecurityLevel): PodViolation[] {
  return podViolations(pod).filter((v) => levelAtLeast(level, v.level));
}
