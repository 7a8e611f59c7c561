/**
 * Directories whose entries the benchmark (or a safe apply) needs to know,
 * with how deep to look and what the entries are.
 */

import { CNI_CONF_DIR, CNI_NETWORKS_DIR, ETCD_DROP_IN_DIRS, KUBELET_DROP_IN_DIRS, KUBELET_PKI_DIR, MANIFESTS_DIR, PKI_DIR } from './candidate-paths.js';
import { RANCHER_LISTINGS } from './rancher-paths.js';

/**
 * How a listing's entries are treated:
 * - `manifests`: static pod directory; every entry including dot-files is
 *   listed (the kubelet runs every non-dot file as a pod), content of
 *   non-dot manifest files is gathered;
 * - `conf-d`: drop-in directory; content of `*.conf` files is gathered;
 * - `plain`: entries are stat'ed and regular files hashed;
 * - `data`: entries are stat'ed only (etcd's database and WAL can be GBs).
 */
export type ListingClass = 'manifests' | 'conf-d' | 'plain' | 'data';

/**
 * Invariant: `depth` >= 1; depth 1 lists the directory's own entries, each
 * further level descends into subdirectories (never through symlinks).
 */
export interface ListingSpec {
  readonly dir: string;
  readonly depth: number;
  readonly listing: ListingClass;
}

/** Upper bound on listed entries over all directories; beyond it the facts say `truncated`. */
export const MAX_LISTED_ENTRIES = 5000;

/** Listings gathered on every node; the script adds those named by flags and the kubelet config. */
export const FIXED_LISTINGS: readonly ListingSpec[] = [
  { dir: MANIFESTS_DIR, depth: 1, listing: 'manifests' },
  // 1.1.19 chowns everything below, 1.1.20/1.1.21 every *.crt / *.key.
  { dir: PKI_DIR, depth: 8, listing: 'plain' },
  ...KUBELET_DROP_IN_DIRS.map((dir): ListingSpec => ({ dir, depth: 1, listing: 'conf-d' })),
  // 4.2.9 may point the kubelet at the serving pair it generated itself: the fix must know that it exists.
  { dir: KUBELET_PKI_DIR, depth: 1, listing: 'plain' },
  { dir: CNI_CONF_DIR, depth: 1, listing: 'plain' },
  // 1.1.9/1.1.10: regular files below, typically networks/<name>/<ip>.
  { dir: CNI_NETWORKS_DIR, depth: 4, listing: 'plain' },
  // etcd as a systemd service: its drop-ins may put flags on its command line.
  ...ETCD_DROP_IN_DIRS.map((dir): ListingSpec => ({ dir, depth: 1, listing: 'conf-d' })),
  // RKE2/k3s config.yaml.d drop-ins (rancher-paths.ts).
  ...RANCHER_LISTINGS,
];
