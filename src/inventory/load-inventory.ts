import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { UserError, type InputProblem } from '../model/errors.js';
import { checkFileReferences } from './check-files.js';
import { findUnknownWaiverNodes } from './check-waivers.js';
import { expandPath } from './expand-path.js';
import { explainIssues } from '../model/explain-zod-issue.js';
import { inventoryIssueSource, inventoryWording } from './explain-issue.js';
import { collectFileReferences, type FileReference } from './file-references.js';
import { findDuplicateEndpoints, findDuplicateNames } from './find-duplicates.js';
import type { Inventory, LoadInventoryOptions, ParseInventoryOptions } from './inventory.js';
import { readYaml } from './read-yaml.js';
import { resolveNode, type ResolveContext, type ResolvedNode } from './resolve-nodes.js';
import { inventorySchema, nodeSchema, parametersSchema, sshSchema } from './schema.js';

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
    throw new UserError(`Inventory ${file} ${why}.`, [], ['Pass the inventory with -i FILE; inventory.example.yaml documents every key.']);
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
  const reading = readYaml(source, file);
  if (!reading.ok) return { inventory: undefined, problems: reading.problems, fileReferences: [] };
  const { data, locator } = reading;

  const rawNodes = Array.isArray(data['nodes']) ? (data['nodes'] as unknown[]) : [];
  const nodeNames = rawNodes.map((node) => {
    const name = isRecord(node) ? node['name'] : undefined;
    return typeof name === 'string' ? name : undefined;
  });
  const rawWaivers = data['waivers'];
  const waiverControls = (Array.isArray(rawWaivers) ? rawWaivers : []).map((waiver: unknown) => {
    const control = isRecord(waiver) ? waiver['control'] : undefined;
    return typeof control === 'string' ? control : undefined;
  });
  const parsed = inventorySchema.safeParse(data);
  const context = { data, locator, nodeNames, waiverControls };
  const problems: InputProblem[] = parsed.success
    ? []
    : explainIssues(parsed.error.issues, inventorySchema, inventoryIssueSource(context), inventoryWording(context));
  problems.push(...findDuplicateNames(rawNodes, locator));
  problems.push(...findUnknownWaiverNodes(rawWaivers, nodeNames, locator));

  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? env['HOME'] ?? homedir();
  const baseDir = dirname(resolve(file));
  const { resolved, whole, unresolvable } = resolveValidParts(data, rawNodes, {
    defaults: validParts(sshSchema, data['ssh']),
    parameters: parametersSchema.safeParse(data['parameters']).data ?? {},
    homeDir,
    baseDir,
    localUser: options.userName ?? env['USER'] ?? env['LOGNAME'] ?? osUserName(),
  });
  for (const index of unresolvable) {
    problems.push({
      location: locator.locate(['nodes', index]),
      message: `node "${nodeNames[index] ?? index}" has no SSH user, and the local user name cannot be determined`,
      fix: "Set `user:` under the top-level `ssh:` (or this node's), e.g. `ssh: { user: ops }`.",
    });
  }
  problems.push(...findDuplicateEndpoints(whole, locator));

  const cluster = isRecord(data['cluster']) ? data['cluster'] : {};
  const kubeconfigWritten = typeof cluster['kubeconfig'] === 'string' ? cluster['kubeconfig'] : undefined;
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
      waivers: (input.waivers ?? []).map((w) => ({ control: w.control, nodes: w.nodes, reason: w.reason, owner: w.owner, expires: w.expires })),
    },
    problems,
    fileReferences,
  };
}

/**
 * Resolves every node from its valid parts, so that endpoint and file checks
 * run even while other values have problems: one run reports everything.
 * When there are no problems at all, `resolved` is simply every node.
 */
function resolveValidParts(
  data: Record<string, unknown>,
  rawNodes: readonly unknown[],
  context: ResolveContext,
): { resolved: ResolvedNode[]; whole: ResolvedNode[]; unresolvable: number[] } {
  const resolved: ResolvedNode[] = [];
  // Nodes resolved from all their settings: only these can be compared by
  // endpoint (a node whose bad port fell back to 22 is no duplicate).
  const whole: ResolvedNode[] = [];
  const unresolvable: number[] = [];
  const defaultsValid = sshSchema.optional().safeParse(data['ssh']).success;
  rawNodes.forEach((rawNode, index) => {
    const { name, host, roles, parameters } = validParts(nodeSchema, rawNode);
    if (name === undefined || host === undefined) return;
    const ssh = validParts(sshSchema, isRecord(rawNode) ? rawNode['ssh'] : undefined);
    const result = resolveNode({ name, host, roles: roles ?? [], ssh, parameters }, index, context);
    if (!result) {
      unresolvable.push(index);
      return;
    }
    resolved.push(result);
    if (defaultsValid && nodeSchema.safeParse(rawNode).success) whole.push(result);
  });
  return { resolved, whole, unresolvable };
}

/**
 * The keys of a map that are valid on their own, parsed; invalid or absent
 * ones are left out (their problems are reported from the full parse).
 */
function validParts<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, raw: unknown): Partial<z.output<z.ZodObject<Shape>>> {
  if (!isRecord(raw)) return {};
  const parts: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const parsed = (field as z.ZodType).safeParse(raw[key]);
    if (parsed.success && parsed.data !== undefined) parts[key] = parsed.data;
  }
  return parts as Partial<z.output<z.ZodObject<Shape>>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The OS account name; undefined in containers whose uid has no passwd entry. */
function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
