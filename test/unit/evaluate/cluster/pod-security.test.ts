import { pickPod } from '../../../../src/facts/cluster/pick-objects.js';
import { levelAtLeast, podViolations, violationsAt } from '../../../../src/evaluate/cluster/pod-security.js';
import { pod } from './cluster-fixtures.js';

const restrictedSpec = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
  volumes: [
    { name: 'cfg', configMap: { name: 'cfg' } },
    { name: 'tok', projected: { sources: [] } },
  ],
};

function checks(spec: Record<string, unknown>, level: 'baseline' | 'restricted' = 'restricted', meta: Record<string, unknown> = {}) {
  return violationsAt(pickPod(pod('web', 'p', spec, meta)), level).map((v) => v.check);
}

describe('Pod Security Standards', () => {
  it('admits a pod written to the restricted profile at every level', () => {
    expect(checks(restrictedSpec)).toEqual([]);
  });

  it('rejects a minimal pod at restricted for the four container rules, but admits it at baseline', () => {
    const spec = { containers: [{ name: 'app', image: 'nginx' }] };
    expect(checks(spec, 'baseline')).toEqual([]);
    expect(checks(spec)).toEqual(['allowPrivilegeEscalation', 'runAsNonRoot', 'seccompRestricted', 'capabilitiesDropAll']);
  });

  it('names the container and the reason for each baseline violation', () => {
    const v = podViolations(
      pickPod(
        pod('web', 'p', {
          hostNetwork: true,
          hostPID: true,
          hostIPC: true,
          securityContext: {
            sysctls: [
              { name: 'kernel.msgmax', value: '1' },
              { name: 'net.ipv4.tcp_syncookies', value: '1' },
            ],
          },
          initContainers: [{ name: 'init', image: 'x', securityContext: { capabilities: { add: ['SYS_ADMIN', 'CHOWN'] } } }],
          containers: [
            {
              name: 'app',
              image: 'x',
              ports: [{ containerPort: 80, hostPort: 8080 }],
              securityContext: { privileged: true, procMount: 'Unmasked', seccompProfile: { type: 'Unconfined' } },
            },
          ],
          volumes: [{ name: 'root', hostPath: { path: '/' } }],
        }),
      ),
    ).filter((x) => x.level === 'baseline');
    expect(v.map((x) => x.detail)).toEqual([
      'hostNetwork',
      'hostPID',
      'hostIPC',
      'privileged (container app)',
      'adds capabilities SYS_ADMIN (init container init)',
      'hostPath volume root (/)',
      'hostPort 8080 (container app)',
      'procMount Unmasked (container app)',
      'seccompProfile Unconfined (container app)',
      'sysctl kernel.msgmax',
    ]);
  });

  it('lets the container runAsNonRoot override the pod-level value in both directions', () => {
    const podTrue = {
      ...restrictedSpec,
      containers: [{ ...restrictedSpec.containers[0], securityContext: { ...restrictedSpec.containers[0]?.securityContext, runAsNonRoot: false } }],
    };
    expect(checks(podTrue)).toEqual(['runAsNonRoot']);
    const podUnset = {
      ...restrictedSpec,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ ...restrictedSpec.containers[0], securityContext: { ...restrictedSpec.containers[0]?.securityContext, runAsNonRoot: true } }],
    };
    expect(checks(podUnset)).toEqual([]);
  });

  it('treats runAsUser 0, an added default capability and non-restricted volume types as restricted violations only', () => {
    const spec = {
      ...restrictedSpec,
      securityContext: { ...restrictedSpec.securityContext, runAsUser: 0 },
      containers: [{ name: 'app', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } } }],
      volumes: [{ name: 'nfs', nfs: { server: 'nfs', path: '/' } }],
    };
    expect(checks(spec, 'baseline')).toEqual([]);
    expect(checks(spec)).toEqual(['volumeTypes', 'runAsUser', 'capabilitiesAddRestricted']);
  });

  it('rejects adding NET_RAW already at baseline (it is not among the capabilities baseline allows to add)', () => {
    const spec = { containers: [{ name: 'app', image: 'x', securityContext: { capabilities: { add: ['NET_RAW'] } } }] };
    expect(checks(spec, 'baseline')).toEqual(['capabilitiesBaseline']);
  });

  it('accepts lower-case and CAP_-prefixed capability names', () => {
    const spec = {
      ...restrictedSpec,
      containers: [
        { name: 'app', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['all'], add: ['CAP_NET_BIND_SERVICE'] } } },
      ],
    };
    expect(checks(spec)).toEqual([]);
  });

  it('checks AppArmor annotations and fields, and SELinux types', () => {
    expect(checks(restrictedSpec, 'baseline', { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } })).toEqual(['appArmor']);
    expect(checks(restrictedSpec, 'baseline', { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/my-profile' } })).toEqual([]);
    expect(checks({ ...restrictedSpec, securityContext: { ...restrictedSpec.securityContext, seLinuxOptions: { type: 'spc_t' } } }, 'baseline')).toEqual([
      'seLinux',
    ]);
    expect(
      checks(
        { ...restrictedSpec, securityContext: { ...restrictedSpec.securityContext, seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } } },
        'baseline',
      ),
    ).toEqual([]);
  });

  it('orders levels privileged < baseline < restricted, with no label meaning privileged', () => {
    expect(levelAtLeast('restricted', 'baseline')).toBe(true);
    expect(levelAtLeast('baseline', 'restricted')).toBe(false);
    expect(levelAtLeast(undefined, 'baseline')).toBe(false);
    expect(levelAtLeast(undefined, 'privileged')).toBe(true);
  });
});
