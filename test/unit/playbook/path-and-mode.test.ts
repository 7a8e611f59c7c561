import { checkParameterValue, missingParameters, resolveParameters } from '../../../src/playbook/parameter-value.js';
import { expandTemplate, globRoot, globToRegExp, isGlob, templateVariables } from '../../../src/playbook/path-template.js';
import type { Parameter } from '../../../src/playbook/types.js';

describe('path templates', () => {
  it('name their variables and expand to every combination of values', () => {
    expect(templateVariables('{pki}/**/*.key')).toEqual(['pki']);
    expect(expandTemplate('{pki}/etcd/ca.crt', { pki: ['/etc/kubernetes/pki/'] })).toEqual(['/etc/kubernetes/pki/etcd/ca.crt']);
    expect(expandTemplate('{cniConfDirs}/**', { cniConfDirs: ['/etc/cni/net.d', '/opt/cni/conf'] })).toEqual(['/etc/cni/net.d/**', '/opt/cni/conf/**']);
    expect(expandTemplate('{unresolved}', {})).toEqual([]);
  });

  it('match globs segment by segment, with ** for any depth', () => {
    const keys = globToRegExp('/etc/kubernetes/pki/**/*.key');
    expect(keys.test('/etc/kubernetes/pki/sa.key')).toBe(true);
    expect(keys.test('/etc/kubernetes/pki/etcd/server.key')).toBe(true);
    expect(keys.test('/etc/kubernetes/pki/sa.pub')).toBe(false);
    const below = globToRegExp('/var/lib/cni/networks/**');
    expect(below.test('/var/lib/cni/networks/k8s-pod-network/10.0.0.2')).toBe(true);
    expect(below.test('/var/lib/cni/networks')).toBe(false);
    expect(globToRegExp('/etc/systemd/system/kubelet.service.d/*.conf').test('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf')).toBe(true);
    expect(isGlob('/etc/kubernetes/admin.conf')).toBe(false);
    expect(globRoot('/etc/kubernetes/pki/**/*.crt')).toBe('/etc/kubernetes/pki');
  });

  it('match names holding newlines and other control characters like any other name', () => {
    const below = globToRegExp('/etc/kubernetes/pki/**');
    const crts = globToRegExp('/etc/kubernetes/pki/**/*.crt');
    for (const name of ['new\nline', 'trailing\n', '\r\u2028\u2029', 'esc\u001b[2J']) {
      expect(below.test(`/etc/kubernetes/pki/${name}`)).toBe(true);
      expect(below.test(`/etc/kubernetes/pki/${name}/x`)).toBe(true);
      expect(crts.test(`/etc/kubernetes/pki/${name}.crt`)).toBe(true);
      expect(crts.test(`/etc/kubernetes/pki/${name}/x.crt`)).toBe(true);
    }
  });
});

describe('parameter values', () => {
  const param = (p: Partial<Parameter> & Pick<Parameter, 'name' | 'type'>): Parameter => ({
    description: 'test',
    values: undefined,
    minimum: undefined,
    default: undefined,
    definedAt: { file: 'parameters.yaml', line: 1, column: 1 },
    ...p,
  });

  it('are checked against their type', () => {
    expect(checkParameterValue(param({ name: 'owner', type: 'enum', values: ['etcd', 'root'] }), 'etcd')).toBeUndefined();
    expect(checkParameterValue(param({ name: 'owner', type: 'enum', values: ['etcd', 'root'] }), 'nobody')).toBe(
      'parameter owner must be one of: etcd, root, not "nobody"',
    );
    expect(checkParameterValue(param({ name: 'age', type: 'integer', minimum: 30 }), 7)).toContain('at least 30');
    expect(checkParameterValue(param({ name: 'p', type: 'path' }), 'relative/log')).toContain('absolute path');
    expect(checkParameterValue(param({ name: 'levels', type: 'string-map', values: ['baseline', 'restricted'] }), { default: 'strict' })).toContain(
      '"default" must map to one of',
    );
  });

  it('come from the inventory over the defaults, and a parameter without either leaves its controls unfixable', () => {
    const parameters = {
      auditLogMaxAge: param({ name: 'auditLogMaxAge', type: 'integer', minimum: 30, default: 30 }),
      etcdDataDirOwner: param({ name: 'etcdDataDirOwner', type: 'enum', values: ['etcd', 'root'] }),
    };
    const { values, problems } = resolveParameters({ parameters }, { auditLogMaxAge: 90, etcdDataDirOwnr: 'etcd' });
    expect(values).toEqual({ auditLogMaxAge: 90 });
    expect(problems).toEqual([expect.stringContaining('unknown parameter etcdDataDirOwnr. Did you mean `etcdDataDirOwner`?')]);
    expect(missingParameters({ parameters: ['etcdDataDirOwner'] }, values)).toEqual(['etcdDataDirOwner']);
  });
});
