/** Directory listings from the `listed` section and the gathered paths. Pure. */

import type { ListingClass } from './listing-specs.js';
import type { DirectoryListing, PathFacts } from './types.js';

const LISTING_CLASSES: ReadonlySet<string> = new Set<ListingClass>(['manifests', 'conf-d', 'plain', 'data']);

/**
 * `triples` is the `listed` payload (dir, depth, class); `strip` maps the
 * script's names to node paths. A listing's entries are the existing paths
 * below its directory, at most `depth` levels down.
 */
export function directoryListings(
  triples: readonly string[],
  strip: (name: string) => string,
  paths: Readonly<Record<string, PathFacts>>,
): Record<string, DirectoryListing> {
  if (triples.length % 3 !== 0) throw new Error('listed section is not dir/depth/class triples');
  const all = Object.values(paths);
  const listings: Record<string, DirectoryListing> = {};
  for (let i = 0; i < triples.length; i += 3) {
    const dir = strip(triples[i] ?? '');
    const depth = Number(triples[i + 1]);
    const listing = triples[i + 2] ?? '';
    if (!Number.isInteger(depth) || depth < 1 || !LISTING_CLASSES.has(listing)) {
      throw new Error(`listed section has a bad entry for ${JSON.stringify(dir)}`);
    }
    const self = paths[dir];
    const exists = self?.exists === true && (self.type === 'dir' || self.followed?.type === 'dir');
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const entries = exists
      ? all
          .filter((p) => p.exists && p.path.startsWith(prefix) && p.path.slice(prefix.length).split('/').length <= depth)
          .map((p) => p.path)
          .sort()
      : [];
    listings[dir] = { dir, depth, listing: listing as ListingClass, exists, entries };
  }
  return listings;
}
