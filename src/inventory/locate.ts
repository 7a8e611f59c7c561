import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourceLocation } from '../model/errors.js';

/** A path into the parsed YAML, as zod reports it: map keys and list indexes. */
export type YamlPath = readonly PropertyKey[];

interface Found {
  /** The deepest node the path reached (the value itself when the path exists). */
  readonly node: Node | undefined;
  /** The map entry that holds `node`, when the last step was a map key. */
  readonly pair: Pair | undefined;
  /** Whether every step of the path exists. */
  readonly complete: boolean;
}

/**
 * Maps paths in the inventory's data back to 1-based line and column in its
 * text, so every problem can say where to look. When a path does not exist
 * (a missing key) it points at the deepest part that does: the map the key
 * is missing from.
 */
export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    /** The file name to report, as the user gave it. */
    readonly file: string,
  ) {}

  /** Location of a character offset in the text. */
  atOffset(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** Whether the path exists in the document. */
  has(path: YamlPath): boolean {
    return this.find(path).complete;
  }

  /**
   * Where the value at `path` is written; with `at: 'key'`, where its key is
   * (for unknown keys, and for values that are empty).
   */
  locate(path: YamlPath, at: 'key' | 'value' = 'value'): SourceLocation {
    const { node, pair, complete } = this.find(path);
    const keyNode = pair && isScalar(pair.key) ? pair.key : undefined;
    const valueIsBlank = isScalar(node) && node.value === null && !node.source;
    const target = complete && keyNode && (at === 'key' || valueIsBlank || !node) ? keyNode : node;
    return this.atOffset(target?.range?.[0] ?? 0);
  }

  private find(path: YamlPath): Found {
    let node: Node | undefined = this.resolve(this.doc.contents ?? undefined);
    let pair: Pair | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const entry = this.findPair(node.items, String(step), new Set());
        if (!entry) return { node, pair, complete: false };
        pair = entry;
        node = this.resolve(isPair(entry) ? ((entry.value as Node | null) ?? undefined) : undefined);
        if (!node) return { node: entry.key as Node, pair, complete: true };
      } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
        pair = undefined;
        node = this.resolve(node.items[step] as Node | undefined);
      } else {
        return { node, pair, complete: false };
      }
    }
    return { node, pair, complete: true };
  }

  /** A key of a map, also looking into maps merged in with `<<: *anchor`. */
  private findPair(items: readonly Pair[], key: string, seen: Set<Node>): Pair | undefined {
    const direct = items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (direct) return direct;
    for (const item of items) {
      if (!(isScalar(item.key) && item.key.value === '<<')) continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const merged = this.resolve(source as Node | undefined);
        if (!isMap(merged) || seen.has(merged)) continue;
        seen.add(merged);
        const found = this.findPair(merged.items as Pair[], key, seen);
        if (found) return found;
      }
    }
    return undefined;
  }

  private resolve(node: Node | undefined): Node | undefined {
    return isAlias(node) ? (node.resolve(this.doc) as Node | undefined) : node;
  }
}

/** The value at `path` in parsed data: the shared explainer's. */
export { valueAt } from '../model/explain-zod-issue.js';
