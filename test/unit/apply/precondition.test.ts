import type { NodeChange as Change } from '../../../src/model/change.js';
import type { PathState } from '../../../src/apply/node-ops.js';
import { describeStaleness } from '../../../src/apply/precondition.js';

const create: Change = {
  id: 'cp-1:support-file:/etc/kubernetes/audit/policy.yaml',
  node: 'cp-1',
  controlIds: ['3.2.1'],
  kind: 'support-file',
  target: '/etc/kubernetes/audit/policy.yaml',
  action: 'create',
  precondition: { exists: false, sha256: undefined, mode: '', uid: -1, gid: -1 },
  restart: 'none',
  diff: '',
  after: { content: 'kind: Policy\n', sha256: 'abc', mode: '600', secrets: [] },
} as unknown as Change;

const missing = (over: Partial<PathState> = {}): PathState => ({
  path: create.target, exists: false, sha256: undefined, mode: '', uid: -1, gid: -1, user: '', group: '', type: 'missing', ...over,
});

describe('describeStaleness and symlinks', () => {
  it('holds for a file to create whose directories are real', () => {
    expect(describeStaleness(create, missing())).toBeUndefined();
  });

  it('names a symlinked directory on the way, although the file to create is still missing', () => {
    expect(describeStaleness(create, missing({ type: 'symlink-in-path', symlink: '/etc/kubernetes/audit' }))).toBe('/etc/kubernetes/audit is a symbolic link');
  });

  it('says so when the target itself became a symlink', () => {
    const now = missing({ exists: true, type: 'symbolic link', symlink: create.target, mode: '777', uid: 0, gid: 0 });
    expect(describeStaleness(create, now)).toBe('is a symbolic link');
  });
});
