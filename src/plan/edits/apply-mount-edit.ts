import { posix } from 'node:path';
import { isMap } from 'yaml';
import type { FlagEdit } from './flag-edit.js';
import type { ManifestStyle } from './manifest-style.js';
import type { ManifestLayout } from '../../evaluate/static-pod/manifest-layout.js';
import { mountVolumeName } from './mount-volume-name.js';
import { sequenceSplices } from './sequence-splice.js';
import type { SpliceResult } from './sequence-splice.js';

export type MountEdit = Extract<FlagEdit, { kind: 'mount' }>;

/** What a container mounts, as far as coverage goes. */
interface MountInfo {
  readonly mountPath: string;
  readonly name: string;
  readonly readOnly: boolean;
  readonly subPath: boolean;
}

/**
 * The absolute path the pod must see for a mount edit: the file, or its
 * parent directory (for files the component creates, like the audit log).
 */
export function mountTarget(edit: MountEdit): string {
  const path = normalizePath(edit.path);
  return edit.mount === 'parent-directory' ? posix.dirname(path) : path;
}

/**
 * Whether the container already sees `target` at the same path as the host
 * does: a volumeMount at the target or at a directory above it, backed by a
 * hostPath volume of that same path, without subPath, and writable when the
 * edit needs it writable. (A mount of another host directory at that path
 * would show the component a different file than the one kube-bench and
 * cis-fix look at on the host.)
 */
export function mountCovers(layout: ManifestLayout, edit: MountEdit): boolean {
  return coveringMount(layout, edit) !== undefined;
}

/**
 * Splices adding a hostPath volume and volumeMount for the target, or none
 * when an existing mount covers it. An existing hostPath volume of exactly
 * the target path is reused rather than duplicated.
 */
export function mountEditSplices(layout: ManifestLayout, edit: MountEdit, style: ManifestStyle): SpliceResult {
  if (coveringMount(layout, edit)) return { kind: 'splices', splices: [] };
  const target = mountTarget(edit);
  const mounts = mountsOf(layout);
  const volumes = hostPathVolumes(layout);
  const clash = mounts.find((m) => normalizePath(m.mountPath) === target);
  if (clash) {
    const host = volumes.get(clash.name);
    const why = clash.subPath
      ? 'with a subPath'
      : host !== target
        ? `from ${host === undefined ? 'a volume that is not a hostPath' : `host path ${host}`}`
        : 'read-only, and the component must write there';
    return { kind: 'problem', problem: `cannot mount ${target}: container ${layout.containerName} already mounts volume ${clash.name} there ${why}` };
  }
  const existing = [...volumes].find(([, path]) => path === target)?.[0];
  let name = existing ?? mountVolumeName(target);
  if (!existing && volumes.has(name)) name = mountVolumeName(target, true);
  if (!existing && volumes.has(name))
    return { kind: 'problem', problem: `cannot mount ${target}: the volume names ${mountVolumeName(target)} and ${name} are both taken` };

  const mount = edit.readOnly ? { mountPath: target, name, readOnly: true } : { mountPath: target, name };
  const mountChanges = [...(layout.volumeMounts.seq?.items ?? []).map((node) => ({ kind: 'keep' as const, node })), { kind: 'insert' as const, value: mount }];
  const mountSplices = sequenceSplices(layout.text, layout.volumeMounts, mountChanges, style);
  if (mountSplices.kind === 'problem' || existing) return mountSplices;

  const volume = { hostPath: { path: target, type: edit.hostPathType }, name };
  const volumeChanges = [...(layout.volumes.seq?.items ?? []).map((node) => ({ kind: 'keep' as const, node })), { kind: 'insert' as const, value: volume }];
  const volumeSplices = sequenceSplices(layout.text, layout.volumes, volumeChanges, style);
  if (volumeSplices.kind === 'problem') return volumeSplices;
  // Mount splices first: when both insert at one offset (a new container key at the end of the spec), the container's key comes first.
  return { kind: 'splices', splices: [...mountSplices.splices, ...volumeSplices.splices] };
}

function coveringMount(layout: ManifestLayout, edit: MountEdit): MountInfo | undefined {
  const target = mountTarget(edit);
  const volumes = hostPathVolumes(layout);
  return mountsOf(layout).find((m) => {
    const mountPath = normalizePath(m.mountPath);
    const above = mountPath === target || mountPath === '/' || target.startsWith(`${mountPath}/`);
    return above && !m.subPath && volumes.get(m.name) === mountPath && (edit.readOnly || !m.readOnly);
  });
}

function mountsOf(layout: ManifestLayout): MountInfo[] {
  return (layout.volumeMounts.seq?.items ?? []).filter(isMap).map((item) => {
    const m = item.toJSON() as Record<string, unknown>;
    return {
      mountPath: typeof m.mountPath === 'string' ? m.mountPath : '',
      name: typeof m.name === 'string' ? m.name : '',
      readOnly: m.readOnly === true,
      subPath: (typeof m.subPath === 'string' && m.subPath !== '') || typeof m.subPathExpr === 'string',
    };
  });
}

/** Volume name → its normalised hostPath path; other volume types map to undefined. */
function hostPathVolumes(layout: ManifestLayout): Map<string, string | undefined> {
  const volumes = new Map<string, string | undefined>();
  for (const item of (layout.volumes.seq?.items ?? []).filter(isMap)) {
    const v = item.toJSON() as { name?: unknown; hostPath?: { path?: unknown } };
    if (typeof v.name !== 'string') continue;
    volumes.set(v.name, typeof v.hostPath?.path === 'string' ? normalizePath(v.hostPath.path) : undefined);
  }
  return volumes;
}

/** `/a//b/./c/` → `/a/b/c`: paths compare as the kernel resolves them (no symlinks: the manifest cannot know them). */
export function normalizePath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
