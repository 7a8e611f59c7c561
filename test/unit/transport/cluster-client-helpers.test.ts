import {
  ClusterConflictError,
  ClusterForbiddenError,
  ClusterInvalidError,
  ClusterNotFoundError,
  ClusterUnreachableError,
} from '../../../src/model/cluster-errors.js';
import { StalePlanError } from '../../../src/model/errors.js';
import { withResourceVersion } from '../../../src/transport/cluster-client.js';
import { pickContext } from '../../../src/transport/cluster-kubeconfig.js';
import { LISTABLE_RESOURCE_NAMES, listPath, objectPath, writeQuery } from '../../../src/transport/cluster-resources.js';
import { errorForStatus } from '../../../src/transport/cluster-status.js';
import { parseWarningHeaders } from '../../../src/transport/cluster-warnings.js';

describe('cluster resource paths', () => {
  it('lists every resource cis-fix reads across all namespaces, and never Secrets', () => {
    expect(LISTABLE_RESOURCE_NAMES.map(listPath)).toEqual([
      '/api/v1/namespaces',
      '/api/v1/serviceaccounts',
      '/api/v1/pods',
      '/api/v1/nodes',
      '/api/v1/configmaps',
      '/apis/apps/v1/daemonsets',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      '/apis/rbac.authorization.k8s.io/v1/roles',
      '/apis/rbac.authorization.k8s.io/v1/rolebindings',
      '/apis/networking.k8s.io/v1/networkpolicies',
    ]);
    expect(() => objectPath({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'db' })).toThrow(/does not handle v1 Secret/);
  });

  it('builds object paths for namespaced, cluster-scoped and lease objects, with RBAC colons allowed', () => {
    expect(objectPath({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'web', name: 'default' })).toBe('/api/v1/namespaces/web/serviceaccounts/default');
    expect(objectPath({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: 'kubeadm:cluster-admins' })).toBe(
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubeadm:cluster-admins',
    );
    expect(objectPath({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'kube-system', name: undefined })).toBe(
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
    );
  });

  it('refuses names that would change the URL, and scope mistakes', () => {
    expect(() => objectPath({ apiVersion: 'v1', kind: 'Namespace', name: '../secrets' })).toThrow(/not a valid object name/);
    expect(() => objectPath({ apiVersion: 'v1', kind: 'Namespace', name: 'web?dryRun=All' })).toThrow(/not a valid object name/);
    expect(() => objectPath({ apiVersion: 'v1', kind: 'Pod', name: 'p' })).toThrow(/needs a namespace/);
    expect(() => objectPath({ apiVersion: 'v1', kind: 'Namespace', namespace: 'x', name: 'web' })).toThrow(/cluster-scoped/);
  });

  it('always names the field manager and adds dryRun=All only for dry runs', () => {
    expect(writeQuery({ dryRun: false })).toBe('?fieldManager=cis-fix');
    expect(writeQuery({ dryRun: true })).toBe('?fieldManager=cis-fix&dryRun=All');
  });
});

describe('resourceVersion precondition in merge patches', () => {
  it("adds metadata.resourceVersion and keeps the patch's own metadata", () => {
    expect(withResourceVersion({ metadata: { labels: { a: 'b' } } }, '42')).toEqual({ metadata: { labels: { a: 'b' }, resourceVersion: '42' } });
    expect(withResourceVersion({ automountServiceAccountToken: false }, '7')).toEqual({
      automountServiceAccountToken: false,
      metadata: { resourceVersion: '7' },
    });
  });
});

describe('Warning headers', () => {
  it('unquotes Pod Security admission warnings, one or several per header', () => {
    expect(parseWarningHeaders(['299 - "existing pods in namespace \\"web\\" violate the new PodSecurity enforce level \\"baseline:latest\\""'])).toEqual([
      'existing pods in namespace "web" violate the new PodSecurity enforce level "baseline:latest"',
    ]);
    expect(parseWarningHeaders(['299 - "priv-pod: privileged", 299 - "api: allowPrivilegeEscalation != false"'])).toEqual([
      'priv-pod: privileged',
      'api: allowPrivilegeEscalation != false',
    ]);
  });

  it('keeps a malformed warning whole rather than dropping it', () => {
    expect(parseWarningHeaders(['something odd'])).toEqual(['something odd']);
  });
});

describe('API errors', () => {
  const request = { verb: 'patch' as const, target: 'ServiceAccount web/default', server: 'https://10.0.0.10:6443' };

  it('maps 403 to Forbidden naming the verb and the object', () => {
    const err = errorForStatus(
      403,
      { kind: 'Status', reason: 'Forbidden', message: 'serviceaccounts "default" is forbidden: User "lab-restricted" cannot patch resource' },
      request,
    );
    expect(err).toBeInstanceOf(ClusterForbiddenError);
    expect(err.message).toBe(
      'forbidden: cannot patch ServiceAccount web/default: serviceaccounts "default" is forbidden: User "lab-restricted" cannot patch resource',
    );
    expect(err.hints[0]).toContain('may patch ServiceAccount web/default');
  });

  it('maps 409 to a stale plan (exit 1) naming the object', () => {
    const err = errorForStatus(409, { reason: 'Conflict', message: 'the object has been modified' }, request);
    expect(err).toBeInstanceOf(ClusterConflictError);
    expect(err).toBeInstanceOf(StalePlanError);
    expect(err.message).toContain('ServiceAccount web/default: changed since it was read (the object has been modified)');
    expect(errorForStatus(409, { reason: 'AlreadyExists', message: 'x' }, request).message).toContain('already exists');
  });

  it('maps 404, 422 (with its causes) and 401', () => {
    expect(errorForStatus(404, { message: 'not found' }, request)).toBeInstanceOf(ClusterNotFoundError);
    const invalid = errorForStatus(
      422,
      { message: 'ServiceAccount is invalid', details: { causes: [{ field: 'metadata.labels', message: 'bad value' }] } },
      request,
    );
    expect(invalid).toBeInstanceOf(ClusterInvalidError);
    expect(invalid.message).toContain('metadata.labels: bad value');
    const unauthorized = errorForStatus(401, {}, request);
    expect(unauthorized).toBeInstanceOf(ClusterUnreachableError);
    expect(unauthorized.message).toContain('https://10.0.0.10:6443');
  });

  it('cuts a non-JSON error page and names the server for 5xx', () => {
    const err = errorForStatus(503, '<html>' + 'x'.repeat(1000), request);
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect(err.message.length).toBeLessThan(400);
    expect(err.hints[0]).toContain('readyz');
  });
});

describe('kubeconfig context choice', () => {
  const config = {
    current: 'admin@lab',
    contexts: [
      { name: 'admin@lab', cluster: 'lab', user: 'admin' },
      { name: 'nouser@lab', cluster: 'lab', user: '' },
    ],
    clusters: ['lab'],
    users: ['admin'],
  };

  it('uses the named context, or the current one', () => {
    expect(pickContext(config, 'admin@lab', '/k')).toEqual({ context: 'admin@lab' });
    expect(pickContext(config, undefined, '/k')).toEqual({ context: 'admin@lab' });
  });

  it('refuses an unknown context with "no context found" and a suggestion, never falling back', () => {
    const r = pickContext(config, 'admin@lap', '/k');
    expect(r).toEqual({
      problem: 'no context found: /k has no context named "admin@lap"',
      hints: ['Did you mean `admin@lab`? Contexts in the file: admin@lab, nouser@lab.'],
    });
    expect(pickContext({ ...config, current: '' }, undefined, '/k')).toMatchObject({ problem: expect.stringContaining('no context found') });
  });

  it('refuses a context without a user (it would send no credentials)', () => {
    expect(pickContext(config, 'nouser@lab', '/k')).toMatchObject({ problem: expect.stringContaining('names no user with credentials') });
  });
});
