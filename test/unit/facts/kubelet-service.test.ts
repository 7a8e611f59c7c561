import { describe, expect, it } from '@jest/globals';
import { environmentFileDirectives, resolveKubeletService } from '../../../src/facts/kubelet-service.js';
import type { DirectoryListing, PathFacts, PresentPath } from '../../../src/facts/types.js';

function file(path: string, text: string, inode: number): PresentPath {
  return {
    path,
    exists: true,
    type: 'file',
    mode: '644',
    uid: 0,
    gid: 0,
    user: 'root',
    group: 'root',
    size: text.length,
    device: 1,
    inode,
    sha256: null,
    symlinkTarget: null,
    followed: null,
    content: { kind: 'text', text, verbatim: true },
  };
}

function facts(files: readonly PresentPath[]): { paths: Record<string, PathFacts>; listings: Record<string, DirectoryListing> } {
  const paths = Object.fromEntries(files.map((f) => [f.path, f]));
  const listings: Record<string, DirectoryListing> = {};
  for (const f of files) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    if (!dir.endsWith('.service.d')) continue;
    const entries = [...(listings[dir]?.entries ?? []), f.path];
    listings[dir] = { dir, depth: 1, listing: 'conf-d', exists: true, entries };
  }
  return { paths, listings };
}

describe('resolveKubeletService', () => {
  it('lets a drop-in in /etc hide the same-named one in /usr/lib and applies drop-ins by file name', () => {
    const { paths, listings } = facts([
      file('/usr/lib/systemd/system/kubelet.service', '[Service]\n', 1),
      file('/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', 'EnvironmentFile=-/usr/env\n', 2),
      file('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', 'EnvironmentFile=-/etc/env\n', 3),
      file('/etc/systemd/system/kubelet.service.d/05-first.conf', 'EnvironmentFile=/first.env\n', 4),
    ]);
    const service = resolveKubeletService(paths, listings);
    expect(service.dropIns).toEqual([
      { path: '/etc/systemd/system/kubelet.service.d/05-first.conf', shadows: [] },
      { path: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', shadows: ['/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'] },
    ]);
    expect(service.environmentFiles.filter((e) => e.declaredIn).map((e) => [e.path, e.optional])).toEqual([
      ['/first.env', false],
      ['/etc/env', true],
    ]);
  });

  it('counts a drop-in seen through /lib -> /usr/lib once', () => {
    const { paths, listings } = facts([
      file('/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '', 7),
      file('/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '', 7),
    ]);
    expect(resolveKubeletService(paths, listings).dropIns).toEqual([{ path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', shadows: [] }]);
  });

  it('clears the environment file list on an empty EnvironmentFile=', () => {
    const { paths, listings } = facts([
      file('/etc/systemd/system/kubelet.service', 'EnvironmentFile=/a\n', 1),
      file('/etc/systemd/system/kubelet.service.d/20-reset.conf', 'EnvironmentFile=\nEnvironmentFile=-/b\n', 2),
    ]);
    const declared = resolveKubeletService(paths, listings).environmentFiles.filter((e) => e.declaredIn !== null);
    expect(declared.map((e) => e.path)).toEqual(['/b']);
  });
});

describe('environmentFileDirectives', () => {
  it('reads spaced, quoted and commented forms as systemd does', () => {
    expect(environmentFileDirectives('# EnvironmentFile=/no\n  EnvironmentFile = "/q"\nEnvironmentFile=-/o\n;EnvironmentFile=/no\n')).toEqual(['/q', '-/o']);
  });
});
