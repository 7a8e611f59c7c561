import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { InputProblem, SourceLocation } from '../model/errors.js';
import type { DataPath, IssueSource } from '../model/explain-zod-issue.js';

export type { DataPath };

/**
 * One parsed playbook file: its data and a way back from a path in the data
 * to a line and column in the text, so every problem can say where it is.
 * Invariant: when `problems` is non-empty (a YAML syntax error, a duplicate
 * key) `data` must not be trusted.
 */
export interface YamlSource extends IssueSource {
  readonly file: string;
  readonly data: unknown;
  readonly problems: readonly InputProblem[];
  /** Where the value at `path` is written; with `at: 'key'`, where its key is. Falls back to the deepest existing part of the path. */
  locate(path: DataPath, at?: 'key' | 'value'): SourceLocation;
  /** Whether the value at `path` is written as a YAML number (so "quote it" is the fix). */
  isNumberAt(path: DataPath): boolean;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const problems: InputProblem[] = doc.errors.map((error) => ({
    location: at(error.pos[0]),
    message: error.code === 'DUPLICATE_KEY' ? `duplicate key: ${firstLine(error.message)}` : `YAML syntax error: ${firstLine(error.message)}`,
    fix:
      error.code === 'DUPLICATE_KEY'
        ? 'Each key may appear once per map; remove or rename one of them.'
        : 'Fix the YAML syntax at this point (indentation, quotes, a missing colon).',
  }));
  const data = problems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  const finder = new NodeFinder(doc);
  return {
    file,
    data,
    problems,
    locate(path, where = 'value') {
      const { node, pair, complete } = finder.find(path);
      const keyNode = pair && isScalar(pair.key) ? (pair.key as Node) : undefined;
      const target = complete && keyNode && (where === 'key' || !node) ? keyNode : (node ?? keyNode);
      return at(target?.range?.[0] ?? 0);
    },
    isNumberAt(path) {
      const { node, complete } = finder.find(path);
      return complete && isScalar(node) && typeof node.value === 'number';
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

interface Found {
  readonly node: Node | undefined;
  readonly pair: Pair | undefined;
  readonly complete: boolean;
}

class NodeFinder {
  constructor(private readonly doc: Document) {}

  find(path: DataPath): Found {
    let node: Node | undefined = this.resolve(this.doc.contents ?? undefined);
    let pair: Pair | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const entry = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(step));
        if (!entry) return { node, pair, complete: false };
        pair = entry as Pair;
        node = this.resolve((entry.value as Node | null) ?? undefined);
        if (!node) return { node: undefined, pair, complete: true };
      } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
        pair = undefined;
        node = this.resolve(node.items[step] as Node | undefined);
      } else {
        return { node, pair, complete: false };
      }
    }
    return { node, pair, complete: true };
  }

  private resolve(node: Node | undefined): Node | undefined {
    return isAlias(node) ? (node.resolve(this.doc) as Node | undefined) : node;
  }
}
