import type { NodeChange as Change } from '../../../src/model/change.js';
import type { PathState } from '../../../src/apply/node-ops.js';
import { describeStaleness, sameMode } from '../../../src/apply/precondition.js';

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
  path: create.target,
  exists: false,
  sha256: undefined,
  mode: '',
  uid: -1,
  gid: -1,
  user: '',
  group: '',
  type: 'missing',
  ...over,
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

describe('sameMode', () => {
  it('treats a mode with and without its leading zero as one mode, as plans, journals and stat write them', () => {
    expect(sameMode('0600', '600')).toBe(true);
    expect(sameMode('2755', '2755')).toBe(true);
    expect(sameMode('0', '0000')).toBe(true);
    expect(sameMode('600', '640')).toBe(false);
    expect(sameMode('2755', '755')).toBe(false);
  });

  it('lets a text that is no mode (the empty mode of a missing file) equal only itself', () => {
    expect(sameMode('', '')).toBe(true);
    expect(sameMode('', '0')).toBe(false);
    expect(sameMode('rw', '600')).toBe(false);
  });
});

describe('describeStaleness and modes', () => {
  const chmod = {
    ...create,
    id: 'cp-1:file-mode:/etc/kubernetes/admin.conf',
    kind: 'file-mode',
    target: '/etc/kubernetes/admin.conf',
    action: 'update',
    precondition: { exists: true, sha256: 'abc', mode: '644', uid: 0, gid: 0 },
    before: { mode: '644' },
    after: { mode: '600' },
  } as unknown as Change;
  const present = (mode: string): PathState => missing({ exists: true, sha256: 'abc', mode, uid: 0, gid: 0, type: 'regular file' });

  it('holds when the node has the planned mode, whatever leading zeros it is written with', () => {
    expect(describeStaleness(chmod, present('644'))).toBeUndefined();
    expect(describeStaleness(chmod, present('0644'))).toBeUndefined();
  });

  it('names a mode that changed since the plan as the plan and stat wrote them', () => {
    expect(describeStaleness(chmod, present('664'))).toBe('mode 644 -> 664');
  });
});
