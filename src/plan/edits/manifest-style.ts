import { isMap, isSeq } from 'yaml';
import { rangeOf } from '../../evaluate/static-pod/manifest-layout.js';
import type { ManifestLayout } from '../../evaluate/static-pod/manifest-layout.js';
import { lineStart } from './text-splice.js';

/**
 * The manifest's own writing habits, copied for what cis-fix writes where
 * there is no sibling to copy (a new `volumeMounts:` key, a nested
 * `hostPath:` mapping, an item of an empty list), so that new lines look
 * like the old ones.
 */
export interface ManifestStyle {
  /** Columns from a key to the `-` of its block sequence: 0 as kubeadm writes (`containers:` / `- name`), 2 for `containers:` / `  - name`. Never negative. */
  readonly sequenceOffset: number;
  /** Columns a nested block mapping is indented by (2 for kubeadm). Positive. */
  readonly mapIndent: number;
  /**
   * The manifest is JSON (the kubelet reads `.json` manifests with a JSON
   * decoder when they start with `{`): new flow items must be JSON too,
   * which is also valid YAML.
   */
  readonly json: boolean;
}

export function manifestStyleOf(layout: ManifestLayout): ManifestStyle {
  const root = layout.doc.contents;
  return { sequenceOffset: sequenceOffset(layout), mapIndent: mapIndent(layout), json: isMap(root) && root.flow === true };
}

/** The column of a node's first character on its line. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function sequenceOffset(layout: ManifestLayout): number {
  const { text, containers } = layout;
  const key = rangeOf(containers.key);
  const first = rangeOf(isSeq(containers.value) && !containers.value.flow ? containers.value.items[0] : undefined);
  if (!key || !first) return 0;
  const prefix = text.slice(lineStart(text, first[0]), first[0]);
  const dash = prefix.indexOf('-');
  return dash < 0 ? 0 : Math.max(0, dash - columnOf(text, key[0]));
}

function mapIndent(layout: ManifestLayout): number {
  const { text, doc } = layout;
  const root = doc.contents;
  if (!isMap(root)) return 2;
  for (const pair of root.items) {
    const key = rangeOf(pair.key);
    const child = rangeOf(isMap(pair.value) && !pair.value.flow ? pair.value.items[0]?.key : undefined);
    if (key && child) {
      const indent = columnOf(text, child[0]) - columnOf(text, key[0]);
      if (indent > 0) return indent;
    }
  }
  return 2;
}
