import { createHash } from 'node:crypto';

/**
 * The volume name cis-fix gives the hostPath volume for a path:
 * `cis-fix-` and the path as a DNS-1123 label (`/var/log/kubernetes/audit`
 * → `cis-fix-var-log-kubernetes-audit`). Deterministic, so a re-plan finds
 * the volume it added before. Invariant: a valid volume name (lower-case
 * letters, digits and '-', at most 63 characters, starting and ending with
 * a letter or digit). When the label would be too long, or `disambiguate`
 * asks for it (the plain name is taken by another path), the name ends in
 * eight hex digits of the path's sha256 instead.
 */
export function mountVolumeName(path: string, disambiguate = false): string {
  const slug = path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `cis-fix-${slug || 'root'}`;
  if (name.length <= 63 && !disambiguate) return name;
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
  return `${name.slice(0, 63 - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
