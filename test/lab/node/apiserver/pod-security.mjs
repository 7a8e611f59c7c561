// Pod Security admission (Pod Security Standards, baseline and restricted,
// "latest"): checks a pod spec and produces the reasons and details the real
// admission plugin uses, and the warnings it returns when a namespace's
// enforce level changes.
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const LEVELS = ['privileged', 'baseline', 'restricted'];

const q = (s) => `"${s}"`;
const plural = (items, one, many) => `${items.length === 1 ? one : many} ${items.map(q).join(', ')}`;

function containersOf(spec) {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** [{reason, detail}] for a pod spec at `level` ('baseline' | 'restricted'). */
export function checkPod(spec, metadata = {}, level = 'baseline') {
  const out = [];
  const add = (id, reason, detail) => out.push({ id, reason, detail });
  const cs = containersOf(spec ?? {});
  const psc = spec.securityContext ?? {};
  // baseline
  const hostNs = [];
  if (spec.hostNetwork) hostNs.push('hostNetwork=true');
  if (spec.hostPID) hostNs.push('hostPID=true');
  if (spec.hostIPC) hostNs.push('hostIPC=true');
  if (hostNs.length) add('hostNamespaces', 'host namespaces', hostNs.join(', '));
  const priv = cs.filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  if (priv.length) add('privileged', 'privileged', `${plural(priv, 'container', 'containers')} must not set securityContext.privileged=true`);
  const caps = [];
  for (const c of cs) {
    const bad = (c.securityContext?.capabilities?.add ?? []).filter((x) => !BASELINE_CAPS.has(x));
    if (bad.length) caps.push(`container ${q(c.name)} must not include ${bad.map(q).join(', ')} in securityContext.capabilities.add`);
  }
  if (caps.length) add('capabilities_baseline', 'non-default capabilities', caps.join('; '));
  const hostPath = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  if (hostPath.length) add('hostPathVolumes', 'hostPath volumes', plural(hostPath, 'volume', 'volumes'));
  const ports = [];
  for (const c of cs) {
    const hp = (c.ports ?? []).filter((p) => p.hostPort).map((p) => p.hostPort);
    if (hp.length) ports.push(`container ${q(c.name)} uses ${hp.length === 1 ? 'hostPort' : 'hostPorts'} ${hp.join(', ')}`);
  }
  if (ports.length) add('hostPorts', 'hostPort', ports.join('; '));
  const annotations = metadata.annotations ?? {};
  const badAA = Object.entries(annotations).filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/'));
  const badAAField = [psc, ...cs.map((c) => c.securityContext ?? {})].some((s) => s.appArmorProfile?.type === 'Unconfined');
  if (badAA.length || badAAField) add('appArmorProfile', 'forbidden AppArmor profile', badAA.map(([k, v]) => `${q(k)}=${q(v)}`).join(', ') || 'appArmorProfile.type="Unconfined"');
  const se = [psc, ...cs.map((c) => c.securityContext ?? {})].map((s) => s.seLinuxOptions).filter(Boolean);
  if (se.some((o) => o.user || o.role || (o.type && !['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(o.type)))) add('seLinuxOptions', 'seLinuxOptions', 'forbidden securityContext.seLinuxOptions');
  const pm = cs.filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default').map((c) => c.name);
  if (pm.length) add('procMount', 'procMount', `${plural(pm, 'container', 'containers')} must not set securityContext.procMount`);
  const sysctls = (psc.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
  if (sysctls.length) add('sysctls', 'forbidden sysctls', sysctls.join(', '));
  const unconfined = [psc, ...cs.map((c) => c.securityContext ?? {})].some((s) => s.seccompProfile?.type === 'Unconfined');
  if (unconfined && level === 'baseline') add('seccompProfile_baseline', 'seccompProfile', 'securityContext.seccompProfile.type must not be set to "Unconfined"');
  if (level !== 'restricted') return sortReasons(out);

  // restricted
  const badVol = (spec.volumes ?? []).filter((v) => !Object.keys(v).some((k) => k !== 'name' && RESTRICTED_VOLUMES.has(k)));
  if (badVol.length) add('restrictedVolumes', 'restricted volume types', badVol.map((v) => `volume ${q(v.name)} uses restricted volume type ${q(Object.keys(v).find((k) => k !== 'name') ?? 'unknown')}`).join(', '));
  const ape = cs.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (ape.length) add('allowPrivilegeEscalation', 'allowPrivilegeEscalation != false', `${plural(ape, 'container', 'containers')} must set securityContext.allowPrivilegeEscalation=false`);
  const dropAll = cs.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL')).map((c) => c.name);
  const addOther = cs.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((x) => x !== 'NET_BIND_SERVICE')).map((c) => c.name);
  if (dropAll.length || addOther.length) {
    const parts = [];
    if (dropAll.length) parts.push(`${plural(dropAll, 'container', 'containers')} must set securityContext.capabilities.drop=["ALL"]`);
    if (addOther.length) parts.push(`${plural(addOther, 'container', 'containers')} must not include capabilities other than "NET_BIND_SERVICE" in securityContext.capabilities.add`);
    add('capabilities_restricted', 'unrestricted capabilities', parts.join('; '));
  }
  const nonRoot = cs.filter((c) => (c.securityContext?.runAsNonRoot ?? psc.runAsNonRoot) !== true).map((c) => c.name);
  if (nonRoot.length) add('runAsNonRoot', 'runAsNonRoot != true', psc.runAsNonRoot === false ? 'pod must not set securityContext.runAsNonRoot=false' : `pod or ${plural(nonRoot, 'container', 'containers')} must set securityContext.runAsNonRoot=true`);
  const root = [psc, ...cs.map((c) => c.securityContext ?? {})].some((s) => s.runAsUser === 0);
  if (root) add('runAsUser', 'runAsUser=0', 'pod or container must not set runAsUser=0');
  const seccompOk = (s) => ['RuntimeDefault', 'Localhost'].includes(s?.type);
  const noSeccomp = cs.filter((c) => !(seccompOk(c.securityContext?.seccompProfile) || (c.securityContext?.seccompProfile === undefined && seccompOk(psc.seccompProfile)))).map((c) => c.name);
  if (noSeccomp.length) add('seccompProfile_restricted', 'seccompProfile', `pod or ${plural(noSeccomp, 'container', 'containers')} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  return sortReasons(out);
}

/** The real plugin reports violations in the order of its check IDs. */
function sortReasons(list) {
  return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** {level, version} of a namespace's enforce labels, or undefined when privileged/unset. */
export function enforceLevel(ns) {
  const labels = ns?.metadata?.labels ?? {};
  const level = labels['pod-security.kubernetes.io/enforce'];
  if (!level || !LEVELS.includes(level) || level === 'privileged') return undefined;
  return { level, version: labels['pod-security.kubernetes.io/enforce-version'] || 'latest' };
}

export const levelString = (e) => `${e.level}:${e.version}`;

/** 403 message for a pod create in a namespace whose enforce level forbids it (undefined: allowed). */
export function podForbiddenMessage(pod, ns) {
  const e = enforceLevel(ns);
  if (!e) return undefined;
  const v = checkPod(pod.spec ?? {}, pod.metadata, e.level);
  if (!v.length) return undefined;
  return `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "${levelString(e)}": ${v.map((x) => `${x.reason} (${x.detail})`).join(', ')}`;
}

/** Warning texts when a namespace's enforce level changes from oldNs to newNs, for its pods. */
export function namespaceWarnings(oldNs, newNs, pods) {
  const before = enforceLevel(oldNs);
  const after = enforceLevel(newNs);
  if (!after) return [];
  if (before && levelString(before) === levelString(after)) return [];
  const groups = new Map();
  for (const p of [...pods].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    const reasons = [...new Set(checkPod(p.spec ?? {}, p.metadata, after.level).map((x) => x.reason))];
    if (!reasons.length) continue;
    const key = reasons.join(', ');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p.metadata.name);
  }
  if (groups.size === 0) return [];
  const out = [`existing pods in namespace ${q(newNs.metadata.name)} violate the new PodSecurity enforce level ${q(levelString(after))}`];
  for (const [reasons, names] of groups) out.push(names.length === 1 ? `${names[0]}: ${reasons}` : `${names[0]} (and ${names.length - 1} other pods): ${reasons}`);
  return out;
}
