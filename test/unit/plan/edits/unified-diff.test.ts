import { describe, expect, it } from '@jest/globals';
import { applyPatch } from 'diff';
import { editManifest, unifiedDiff } from '../../../../src/plan/edits/static-pod-manifest.js';
import { fixture, KUBEADM } from './support/fixtures.js';

const PATH = '/etc/kubernetes/manifests/kube-apiserver.yaml';

describe('unifiedDiff', () => {
  it('is empty exactly when nothing changed', () => {
    expect(unifiedDiff(PATH, 'a\n', 'a\n')).toBe('');
    expect(unifiedDiff(PATH, 'a\n', 'a')).not.toBe('');
  });

  it('heads the diff with the path and gives 3 lines of context, without an Index banner or timestamps', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', ''].join('\n');
    const after = before.replace('5\n', 'five\n');
    expect(unifiedDiff(PATH, before, after)).toBe(
      [`--- ${PATH}`, `+++ ${PATH}`, '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'),
    );
  });

  it('marks a last line without a newline', () => {
    expect(unifiedDiff(PATH, 'a\nb', 'a\nc')).toContain('\\ No newline at end of file');
  });

  it('is a patch that turns the manifest before into the manifest after', () => {
    const before = fixture(KUBEADM['kube-apiserver']);
    const { text } = editManifest(before, [
      { kind: 'set', flag: '--profiling', value: 'false' },
      { kind: 'mount', path: '/var/log/kubernetes/audit/audit.log', mount: 'parent-directory', hostPathType: 'DirectoryOrCreate', readOnly: false },
    ]);
    expect(applyPatch(before, unifiedDiff(PATH, before, text))).toBe(text);
  });
});
