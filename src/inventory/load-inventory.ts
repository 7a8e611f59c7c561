import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { UserError, type InputProblem } from '../model/errors.js';
import { checkFileReferences } from './check-files.js';
import { expandPath } from './expand-path.js';
import { explainIssue } from './explain-issue.js';
import { collectFileReferences, type FileReference } from './file-references.js';
import { findDuplicateEndpoints, findDuplicateNames } from './find-duplicates.js';
import type { Inventory, LoadInventoryOptions, ParseInventoryOptions } from './inventory.js';
import { YamlLocator } from './locate.js';
import { resolveNode, type ResolvedNode } from './resolve-nodes.js';
import { inventorySchema, nodeSchema, sshSchema } from './schema.js';

/**
 * Reads, validates and resolves an inventory file. Every problem in it is
 * reported at once — YAML syntax, shape, cross-node and file checks — as one
 * UserError whose problems carry file, line, column and a fix. Nothing here
 * connects anywhere.
 */
export async function loadInventory(file: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (error as Error).message})`;
    throw new UserError(`Inventory ${file} ${why}.`, [], [
      'Pass the inventory with -i FILE; inventory.example.yaml documents every key.',
    ]);
  }
  const analysis = analyzeInventory(bytes, file, options);
  const fileProblems =
    options.checkFiles === false ? [] : await checkFileReferences(analysis.fileReferences, { requireKnownHosts: options.requireKnownHosts ?? true });
  return inventoryOrThrow(file, analysis, fileProblems);
}

/**
 * The pure part of loadInventory: validates `text` as the contents of `file`
 * (named in problems as given) without touching the file system — the files
 * the inventory names are not checked.
 */
export function parseInventory(text: string | Uint8Array, file: string, options: ParseInventoryOptions = {}): Inventory {
  return inventoryOrThrow(file, analyzeInventory(text, file, options), []);
}

interface Analysis {
  /** Set only when there are no problems. */
  readonly inventory: Inventory | undefined;
  readonly problems: readonly InputProblem[];
  /** Files to check; collected even when there are problems, so one run reports everything. */
  readonly fileReferences: readonly FileReference[];
}

function inventoryOrThrow(file: string, analysis: Analysis, moreProblems: readonly InputProblem[]): Inventory {
  const problems = [...analysis.problems, ...moreProblems].sort(
    (a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0),
  );
  if (problems.length > 0 || !analysis.inventory) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new UserError(`Inventory ${file} has ${count}:`, problems, ['inventory.example.yaml documents every key.']);
  }
  return analysis.inventory;
}

function analyzeInventory(source: string | Uint8Array, file: string, options: ParseInventoryOptions): Analysis {
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const digest = createHash('sha256').update(bytes).digest('hex');
  const failed = (problems: InputProblem[]): Analysis => ({ inventory: undefined, problems, fileReferences: [] });
  const start = { file, line: 1, column: 1 };

  let text: string;
  try {
    text = typeof source === 'string' ? source : new TextDecoder('utf-8', { fatal: true }).decode(source);
  } catch {
    return failed([{ location: start, message: 'the inventory is not UTF-8 text', fix: 'Save the file as UTF-8.' }]);
  }

  const lineCounter = new LineCounter();
  // merge: YAML anchors with `<<: *defaults` are a common way to share settings between nodes.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const locator = new YamlLocator(doc, lineCounter, file);
  if (doc.errors.length > 0) {
    // After a syntax error the structure is guesswork: report only the syntax.
    return failed(doc.errors.map((error) => explainYamlError(error, locator)));
  }
  if (doc.contents === null) {
    return failed([
      { location: start, message: 'the inventory is empty', fix: 'Start from inventory.example.yaml: it needs at least a `nodes:` list with one node.' },
    ]);
  }
  if (!isMap(doc.contents)) {
    return failed([
      {
        location: locator.locate([]),
        message: `the inventory is ${isSeq(doc.contents) ? 'a list' : 'a single value'}, not a map of keys`,
        fix: 'Write keys at the top level (cluster:, ssh:, nodes:, …) as in inventory.example.yaml; nodes go in a list under `nodes:`.',
      },
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // yaml refuses alias chains that expand exponentially ("billion laughs").
    return failed([{ location: start, message: `the inventory cannot be expanded: ${(error as Error).message}`, fix: 'Use fewer nested YAML aliases (*name).' }]);
  }
  const raw = data as { nodes?: unknown; ssh?: unknown; cluster?: { kubeconfig?: unknown } };
  const rawNodes = Array.isArray(raw.nodes) ? (raw.nodes as unknown[]) : [];
  const nodeNames = rawNodes.map((node) => {
    const name = typeof node === 'object' && node !== null ? (node as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : undefined;
  });

  const parsed = inventorySchema.safeParse(data);
  const problems: InputProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => explainIssue(issue, { data, locator, nodeNames }));
  problems.push(...findDuplicateNames(raw.nodes, locator));

  // Resolve every node from its valid parts, so that endpoint and file checks
  // run even while other values have problems: one run reports everything.
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? env['HOME'] ?? homedir();
  const baseDir = dirname(resolve(file));
  const defaults = validParts(sshSchema, raw.ssh);
  const parameters = validParts(inventorySchema, data).parameters ?? {};
  const localUser = options.userName ?? env['USER'] ?? env['LOGNAME'] ?? osUserName();
  const resolved: ResolvedNode[] = [];
  // Nodes resolved from all their settings: only these can be compared by
  // endpoint (a node whose bad port fell back to 22 is no duplicate).
  const whole: ResolvedNode[] = [];
  const defaultsValid = sshSchema.optional().safeParse(raw.ssh).success;
  rawNodes.forEach((rawNode, index) => {
    const { name, host, roles, parameters: own } = validParts(nodeSchema, rawNode);
    if (name === undefined || host === undefined) return;
    const ssh = validParts(sshSchema, (rawNode as { ssh?: unknown }).ssh);
    const result = resolveNode({ name, host, roles: roles ?? [], ssh, parameters: own }, index, { defaults, parameters, homeDir, baseDir, localUser });
    if (result) {
      resolved.push(result);
      if (defaultsValid && nodeSchema.safeParse(rawNode).success) whole.push(result);
    } else {
      problems.push({
        location: locator.locate(['nodes', index]),
        message: `node "${name}" has no SSH user, and the local user name cannot be determined`,
        fix: "Set `user:` under the top-level `ssh:` (or this node's), e.g. `ssh: { user: ops }`.",
      });
    }
  });
  problems.push(...findDuplicateEndpoints(whole, locator));

  const kubeconfigWritten = typeof raw.cluster?.kubeconfig === 'string' ? raw.cluster.kubeconfig : undefined;
  const kubeconfig = kubeconfigWritten === undefined ? undefined : { written: kubeconfigWritten, path: expandPath(kubeconfigWritten, homeDir, baseDir) };
  const fileReferences = collectFileReferences(resolved, kubeconfig, data, locator);

  if (problems.length > 0 || !parsed.success) return { inventory: undefined, problems, fileReferences };
  const input = parsed.data;
  return {
    inventory: {
      file: resolve(file),
      digest,
      cluster: { name: input.cluster?.name, kubeconfig: kubeconfig?.path, context: input.cluster?.context },
      benchmark: input.benchmark ?? 'auto',
      parameters: input.parameters ?? {},
      nodes: resolved.map((r) => r.node),
    },
    problems,
    fileReferences,
  };
}

/**
 * The keys of a map that are valid on their own, parsed; invalid or absent
 * ones are left out (their problems are reported from the full parse).
 */
function validParts<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, raw: unknown): Partial<z.output<z.ZodObject<Shape>>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const parts: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const parsed = (field as z.ZodType).safeParse((raw as Record<string, unknown>)[key]);
    if (parsed.success && parsed.data !== undefined) parts[key] = parsed.data;
  }
  return parts as Partial<z.output<z.ZodObject<Shape>>>;
}

/** The OS account name; undefined in containers whose uid has no passwd entry. */
function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
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
