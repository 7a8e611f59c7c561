/**
 * The kubelet's systemd service as systemd would assemble it: unit file,
 * drop-ins and environment files. Pure, from gathered paths and contents.
 *
 * systemd.unit(5): the unit file is taken from the first directory that has
 * it (/etc, /run, /usr/lib, /lib); drop-ins `kubelet.service.d/*.conf` are
 * merged from all those directories, a same-named file in a higher-precedence
 * directory hiding the others, and applied in file-name order.
 * `EnvironmentFile=` lines accumulate in that order; an empty assignment
 * clears the list; a leading `-` makes a missing file acceptable.
 */

import { KUBELET_DROP_IN_DIRS, KUBELET_ENV_FILES, KUBELET_UNIT_FILES } from './candidate-paths.js';
import { existsFollowing, textContent } from './path-lookup.js';
import type { DirectoryListing, KubeletDropIn, KubeletEnvironmentFile, KubeletServiceFacts, PathFacts } from './types.js';

function sameFile(a: PathFacts | undefined, b: PathFacts | undefined): boolean {
  if (!a?.exists || !b?.exists) return false;
  const fa = a.followed ?? a;
  const fb = b.followed ?? b;
  return fa.device === fb.device && fa.inode === fb.inode;
}

function effectiveDropIns(
  paths: Readonly<Record<string, PathFacts>>,
  listings: Readonly<Record<string, DirectoryListing>>,
  dropInDirs: readonly string[],
): KubeletDropIn[] {
  const byName = new Map<string, string[]>();
  for (const dir of dropInDirs) {
    for (const entry of listings[dir]?.entries ?? []) {
      const name = entry.slice(dir.length + 1);
      if (name.includes('/') || !name.endsWith('.conf')) continue;
      byName.set(name, [...(byName.get(name) ?? []), entry]);
    }
  }
  const dropIns: KubeletDropIn[] = [];
  for (const name of [...byName.keys()].sort()) {
    const [winner, ...rest] = byName.get(name) ?? [];
    if (winner === undefined) continue;
    // Under usr-merge /lib/... and /usr/lib/... are one file: not a shadow.
    const shadows = rest.filter((p) => !sameFile(paths[p], paths[winner]));
    dropIns.push({ path: winner, shadows });
  }
  return dropIns;
}

/** `EnvironmentFile=` values of one unit file, in order; '' means "reset". */
export function environmentFileDirectives(text: string): string[] {
  const values: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^EnvironmentFile\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[1] ?? '').trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    values.push(value);
  }
  return values;
}

export function resolveKubeletService(paths: Readonly<Record<string, PathFacts>>, listings: Readonly<Record<string, DirectoryListing>>): KubeletServiceFacts {
  return resolveSystemdService(paths, listings, KUBELET_SERVICE_LAYOUT);
}

/** Where systemd finds one service's unit, drop-ins and the environment files its packages use. */
export interface ServiceLayout {
  readonly unitName: string;
  readonly unitFiles: readonly string[];
  readonly dropInDirs: readonly string[];
  readonly wellKnownEnvironmentFiles: readonly string[];
}

export const KUBELET_SERVICE_LAYOUT: ServiceLayout = {
  unitName: 'kubelet.service',
  unitFiles: KUBELET_UNIT_FILES,
  dropInDirs: KUBELET_DROP_IN_DIRS,
  wellKnownEnvironmentFiles: KUBELET_ENV_FILES,
};

/**
 * The unit specifiers a path in a unit may use (systemd.unit(5)): %n, %N,
 * %p, %i and %%; Debian's etcd.service reads `-/etc/default/%p`.
 */
export function expandUnitSpecifiers(value: string, unitName: string): string {
  if (!value.includes('%')) return value;
  const base = unitName.replace(/\.[^.]+$/, '');
  const at = base.indexOf('@');
  const table: Record<string, string> = { n: unitName, N: base, p: at < 0 ? base : base.slice(0, at), i: at < 0 ? '' : base.slice(at + 1), '%': '%' };
  return value.replace(/%([nNpi%])/g, (_, c: string) => table[c] ?? '');
}

/** A service as systemd would assemble it (see the top of this file), for any unit laid out like the kubelet's. */
export function resolveSystemdService(
  paths: Readonly<Record<string, PathFacts>>,
  listings: Readonly<Record<string, DirectoryListing>>,
  layout: ServiceLayout,
): KubeletServiceFacts {
  const unitFile = layout.unitFiles.find((p) => existsFollowing(paths, p)) ?? null;
  const dropIns = effectiveDropIns(paths, listings, layout.dropInDirs);
  let declared: KubeletEnvironmentFile[] = [];
  for (const source of [...(unitFile ? [unitFile] : []), ...dropIns.map((d) => d.path)]) {
    const text = textContent(paths, source);
    if (text === undefined) continue;
    for (const value of environmentFileDirectives(text)) {
      if (value === '') {
        declared = [];
        continue;
      }
      const optional = value.startsWith('-');
      const path = expandUnitSpecifiers(optional ? value.slice(1) : value, layout.unitName);
      declared.push({ path, optional, declaredIn: source, exists: existsFollowing(paths, path) });
    }
  }
  const named = new Set(declared.map((e) => e.path));
  const wellKnown = layout.wellKnownEnvironmentFiles
    .filter((p) => !named.has(p))
    .map((path): KubeletEnvironmentFile => ({
      path,
      optional: true,
      declaredIn: null,
      exists: existsFollowing(paths, path),
    }));
  return { unitFile, dropIns, environmentFiles: [...declared, ...wellKnown] };
}
