import { describe, expect, it } from '@jest/globals';
import { editRancherConfig, type ArgEdit } from '../../../../src/plan/edits/rancher-config.js';

const set = (key: ArgEdit['key'], flag: string, value: string | undefined, add = true): ArgEdit => ({ key, flag, value, add });

const CONFIG = [
  '# RKE2 server configuration (managed by the platform team)',
  'write-kubeconfig-mode: "0600"',
  'profile: cis',
  '',
  '# API server flags',
  'kube-apiserver-arg:',
  '  - "anonymous-auth=true"   # temporary, see TICKET-12',
  '  - "profiling=true"',
  '  - "audit-log-maxage=30"',
  'kubelet-arg:',
  '- read-only-port=10255',
  '',
  '# trailing comment',
  '',
].join('\n');

describe('editRancherConfig', () => {
  it('replaces a flag entry in place of the old one and keeps every other byte, comments included', () => {
    const result = editRancherConfig(CONFIG, [set('kube-apiserver-arg', 'anonymous-auth', 'false')]);
    expect(result).toMatchObject({ kind: 'edited', changed: true });
    if (result.kind !== 'edited') return;
    expect(result.text).toBe(
      CONFIG.replace('  - "anonymous-auth=true"   # temporary, see TICKET-12\n', '').replace(
        '  - "audit-log-maxage=30"\n',
        '  - "audit-log-maxage=30"\n  - "anonymous-auth=false"\n',
      ),
    );
    expect(result.text).toContain('# trailing comment');
    expect(result.text).toContain('# API server flags');
  });

  it('removes a flag without touching the other lists', () => {
    const result = editRancherConfig(CONFIG, [set('kube-apiserver-arg', 'profiling', undefined)]);
    expect(result.kind === 'edited' && result.text).toBe(CONFIG.replace('  - "profiling=true"\n', ''));
  });

  it('copies the indentation and quoting of the list it adds to', () => {
    const result = editRancherConfig(CONFIG, [set('kubelet-arg', 'anonymous-auth', 'false')]);
    expect(result.kind === 'edited' && result.text).toBe(CONFIG.replace('- read-only-port=10255\n', '- read-only-port=10255\n- anonymous-auth=false\n'));
  });

  it('adds a missing key after the last one, indented as the file indents its lists', () => {
    const result = editRancherConfig(CONFIG, [set('kube-scheduler-arg', 'profiling', 'false')]);
    expect(result.kind === 'edited' && result.text).toContain('- read-only-port=10255\nkube-scheduler-arg:\n  - profiling=false\n');
    expect(result.kind === 'edited' && result.text.endsWith('\n# trailing comment\n')).toBe(true);
  });

  it('writes an emptied list as [] so that the distribution does not read it as one empty flag', () => {
    const result = editRancherConfig(CONFIG, [set('kubelet-arg', 'read-only-port', undefined)]);
    expect(result.kind === 'edited' && result.text).toContain('kubelet-arg: []\n\n# trailing comment');
  });

  it('edits a flow list and entries written with dashes or a + suffix', () => {
    const text = 'etcd-arg: ["--client-cert-auth=false", "auto-tls+=true", "quota-backend-bytes=1"]\n';
    const result = editRancherConfig(text, [set('etcd-arg', 'client-cert-auth', 'true'), set('etcd-arg', 'auto-tls', 'false')]);
    expect(result.kind === 'edited' && result.text).toBe('etcd-arg: ["quota-backend-bytes=1", "client-cert-auth=true", "auto-tls=false"]\n');
  });

  it('removes the flag from an appending key+ list but adds it only where told', () => {
    const text = 'kube-apiserver-arg+:\n  - profiling=true\n  - v=2\n';
    const result = editRancherConfig(text, [set('kube-apiserver-arg', 'profiling', 'false', false)]);
    expect(result.kind === 'edited' && result.text).toBe('kube-apiserver-arg+:\n  - v=2\n');
  });

  it('writes the first key of an empty or comment-only file', () => {
    expect(editRancherConfig('', [set('kubelet-arg', 'anonymous-auth', 'false')])).toEqual({
      kind: 'edited',
      text: 'kubelet-arg:\n  - "anonymous-auth=false"\n',
      changed: true,
    });
    const comments = '# nothing yet';
    const result = editRancherConfig(comments, [set('kubelet-arg', 'anonymous-auth', 'false')]);
    expect(result.kind === 'edited' && result.text).toBe('# nothing yet\nkubelet-arg:\n  - "anonymous-auth=false"\n');
  });

  it('is idempotent: the edit applied to its own result changes nothing', () => {
    const edits = [set('kube-apiserver-arg', 'anonymous-auth', 'false'), set('kube-apiserver-arg', 'profiling', 'false'), set('etcd-arg', 'auto-tls', 'false')];
    const once = editRancherConfig(CONFIG, edits);
    if (once.kind !== 'edited') throw new Error('expected an edit');
    expect(editRancherConfig(once.text, edits)).toEqual({ kind: 'edited', text: once.text, changed: false });
  });

  it('keeps CRLF line endings', () => {
    const text = 'kubelet-arg:\r\n  - "a=b"\r\n';
    const result = editRancherConfig(text, [set('kubelet-arg', 'c', 'd')]);
    expect(result.kind === 'edited' && result.text).toBe('kubelet-arg:\r\n  - "a=b"\r\n  - "c=d"\r\n');
  });

  it('edits a *-arg written as one string (RKE2 and k3s take it as a one-element list) in place, in its quoting', () => {
    const text = '# scheduler\nkube-scheduler-arg: "bind-address=0.0.0.0" # debugging\nprofile: cis\n';
    expect(editRancherConfig(text, [set('kube-scheduler-arg', 'bind-address', '127.0.0.1')])).toEqual({
      kind: 'edited',
      text: '# scheduler\nkube-scheduler-arg: "bind-address=127.0.0.1" # debugging\nprofile: cis\n',
      changed: true,
    });
    expect(editRancherConfig('kubelet-arg: read-only-port=10255\n', [set('kubelet-arg', 'read-only-port', '0')])).toMatchObject({
      text: 'kubelet-arg: read-only-port=0\n',
    });
    // A second flag turns it into a flow list; removing its only flag leaves an empty one.
    const two = editRancherConfig(text, [set('kube-scheduler-arg', 'profiling', 'false')]);
    expect(two).toMatchObject({ text: '# scheduler\nkube-scheduler-arg: ["bind-address=0.0.0.0", "profiling=false"] # debugging\nprofile: cis\n' });
    expect(editRancherConfig(text, [set('kube-scheduler-arg', 'bind-address', undefined)])).toMatchObject({
      text: '# scheduler\nkube-scheduler-arg: [] # debugging\nprofile: cis\n',
    });
    if (two.kind !== 'edited') throw new Error('not edited');
    expect(editRancherConfig(two.text, [set('kube-scheduler-arg', 'profiling', 'false')])).toMatchObject({ changed: false });
  });

  it('refuses a file it cannot edit safely, saying why, and changes nothing', () => {
    expect(editRancherConfig('a: [\n', [set('kubelet-arg', 'x', 'y')])).toMatchObject({ kind: 'problem', problem: expect.stringContaining('not valid YAML') });
    expect(editRancherConfig('{kubelet-arg: [a=b]}\n', [set('kubelet-arg', 'x', 'y')])).toMatchObject({
      kind: 'problem',
      problem: expect.stringContaining('flow mapping'),
    });
    expect(editRancherConfig('kubelet-arg: 5\n', [set('kubelet-arg', 'x', 'z')])).toMatchObject({ kind: 'problem', problem: 'kubelet-arg is not a list' });
    expect(editRancherConfig('kubelet-arg:\n  - {a: b}\n', [set('kubelet-arg', 'x', 'z')])).toMatchObject({
      kind: 'problem',
      problem: expect.stringContaining('other than "flag=value"'),
    });
    expect(editRancherConfig('- a\n', [set('kubelet-arg', 'x', 'z')])).toMatchObject({ kind: 'problem', problem: 'it is not a YAML mapping of options' });
    expect(editRancherConfig('a: 1\na: 2\n', [set('kubelet-arg', 'x', 'z')])).toMatchObject({ kind: 'problem' });
  });
});
