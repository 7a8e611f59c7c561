import { posix } from 'node:path';

/**
 * Where apply stages a file's new content before the atomic rename onto the
 * target (DESIGN.md §3). Beside the target, as a dot-file, for every file —
 * except static-pod manifests: the kubelet runs every file in its manifest
 * directory as a pod (it would start a second API server from a stray temp
 * file), so a manifest is staged in a sibling directory of the manifest
 * directory, on the same file system, where the rename stays atomic.
 *
 * The run id is part of the name, so that a rollback or the next apply
 * recognises — and removes — a temp file that a killed run of its own left.
 */
export function stagingPathFor(target: string, runId: string, options: { readonly staticPodManifest: boolean }): string {
  const dir = posix.dirname(target);
  const base = posix.basename(target);
  if (options.staticPodManifest) return posix.join(stagingDirFor(dir), `${base}.${runId}.cis-fix-new`);
  return posix.join(dir, `.${base}.${runId}.cis-fix-new`);
}

/** The staging directory for a manifest directory: `/etc/kubernetes/manifests` → `/etc/kubernetes/.cis-fix-staging`. Created root 0700. */
export function stagingDirFor(manifestDir: string): string {
  return posix.join(posix.dirname(manifestDir), '.cis-fix-staging');
}
