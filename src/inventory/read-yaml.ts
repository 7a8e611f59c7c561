import { isMap, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { InputProblem } from '../model/errors.js';
import { YamlLocator } from './locate.js';

/** The inventory text as a YAML map, with the positions of everything in it. */
export type YamlReading =
  { readonly ok: true; readonly data: Record<string, unknown>; readonly locator: YamlLocator } | { readonly ok: false; readonly problems: InputProblem[] };

/**
 * Decodes and parses the inventory text, refusing what is not a single YAML
 * map: bad UTF-8, syntax errors (all of them, each at its line), an empty
 * document, a list or scalar at the top, and alias chains that expand
 * exponentially. Shape validation comes after, on the returned data.
 */
export function readYaml(source: string | Uint8Array, file: string): YamlReading {
  const start = { file, line: 1, column: 1 };
  const fail = (message: string, fix: string, location = start): YamlReading => ({ ok: false, problems: [{ location, message, fix }] });

  let text: string;
  try {
    text = typeof source === 'string' ? source : new TextDecoder('utf-8', { fatal: true }).decode(source);
  } catch {
    return fail('the inventory is not UTF-8 text', 'Save the file as UTF-8.');
  }

  const lineCounter = new LineCounter();
  // merge: YAML anchors with `<<: *defaults` are a common way to share settings between nodes.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const locator = new YamlLocator(doc, lineCounter, file);
  if (doc.errors.length > 0) {
    // After a syntax error the structure is guesswork: report only the syntax.
    return { ok: false, problems: doc.errors.map((error) => explainYamlError(error, locator)) };
  }
  if (doc.contents === null) {
    return fail('the inventory is empty', 'Start from inventory.example.yaml: it needs at least a `nodes:` list with one node.');
  }
  if (!isMap(doc.contents)) {
    return fail(
      `the inventory is ${isSeq(doc.contents) ? 'a list' : 'a single value'}, not a map of keys`,
      'Write keys at the top level (cluster:, ssh:, nodes:, …) as in inventory.example.yaml; nodes go in a list under `nodes:`.',
      locator.locate([]),
    );
  }
  try {
    return { ok: true, data: doc.toJS() as Record<string, unknown>, locator };
  } catch (error) {
    // yaml refuses alias chains that expand exponentially ("billion laughs").
    return fail(`the inventory cannot be expanded: ${(error as Error).message}`, 'Use fewer nested YAML aliases (*name).');
  }
}

/** A YAML syntax error at its line, with the usual cause spelled out. */
function explainYamlError(error: YAMLError, locator: YamlLocator): InputProblem {
  const fixes: Record<string, string> = {
    DUPLICATE_KEY: 'Remove one of the two keys (or merge their values): a key may appear once per map.',
    TAB_AS_INDENT: 'Indent with spaces; YAML does not allow tabs for indentation.',
    BAD_INDENT: 'Align this line with its siblings, and close any open [ or { on the same level.',
    MISSING_CHAR: 'Close the quote or bracket opened here.',
    MULTIPLE_DOCS: 'Keep one document: remove the second `---` and what follows, or merge it into the first.',
    BLOCK_AS_IMPLICIT_KEY: 'Put each key on its own line; quote values that contain ": ".',
  };
  return {
    location: locator.atOffset(error.pos[0]),
    message: `YAML syntax error: ${error.message}`,
    fix: fixes[error.code] ?? 'Check the indentation and quoting on this line and the one before; quote values that contain ": " or " #".',
  };
}
