import type { z } from 'zod';
import type { InputProblem } from '../model/errors.js';
import type { IssueSource, IssueWording } from '../model/explain-zod-issue.js';
import { closestMatch } from '../model/closest-match.js';
import { describePath, guideFor, KNOWN_KEYS, mapKindAt } from './field-guide.js';
import { valueAt, type YamlLocator, type YamlPath } from './locate.js';

/**
 * Turns zod issues into InputProblems a person can act on: where (file,
 * line, column of the offending key or value), what is wrong in the
 * inventory's own words, and what to write instead. zod's own messages
 * ("Invalid input: expected number, received string") are a last resort.
 */

/** What explaining needs besides the issue: the parsed data, positions, node names for labels. */
export interface ExplainContext {
  readonly data: unknown;
  readonly locator: YamlLocator;
  readonly nodeNames: readonly (string | undefined)[];
  /** Each waiver's `control:` as written, to name waivers in messages. */
  readonly waiverControls?: readonly (string | undefined)[];
}

/** Other names people use for the inventory's keys (Ansible, ssh_config, habit), squashed: lowercase, no `-`/`_`. */
const SYNONYMS: Readonly<Record<string, string>> = {
  hostname: 'host',
  address: 'host',
  ip: 'host',
  ansiblehost: 'host',
  sshhost: 'host',
  username: 'user',
  login: 'user',
  ansibleuser: 'user',
  remoteuser: 'user',
  sshuser: 'user',
  ansibleport: 'port',
  sshport: 'port',
  key: 'identityFile',
  keyfile: 'identityFile',
  privatekey: 'identityFile',
  privatekeyfile: 'identityFile',
  sshkey: 'identityFile',
  identity: 'identityFile',
  ansiblesshprivatekeyfile: 'identityFile',
  knownhosts: 'knownHostsFile',
  userknownhostsfile: 'knownHostsFile',
  sudo: 'become',
  becomemethod: 'become',
  bastion: 'proxyJump',
  jumphost: 'proxyJump',
  jump: 'proxyJump',
  proxy: 'proxyJump',
  jumphosts: 'proxyJump',
  timeout: 'connectTimeout',
  role: 'roles',
  group: 'roles',
  groups: 'roles',
  vars: 'parameters',
  params: 'parameters',
  variables: 'parameters',
  hosts: 'nodes',
  machines: 'nodes',
  servers: 'nodes',
  children: 'nodes',
  kubeconfigpath: 'kubeconfig',
  kubecontext: 'context',
};

/** The inventory's words for zod issues, for the shared explainer (model/explain-zod-issue.ts). */
export function inventoryWording(context: ExplainContext): IssueWording {
  return (issue) => explainInventoryIssue(issue, context);
}

/** The inventory as a source for the shared explainer: positions from its YAML. */
export function inventoryIssueSource(context: ExplainContext): IssueSource {
  return { file: context.locator.file, data: context.data, locate: (path, at) => context.locator.locate(path, at) };
}

/**
 * One issue makes one problem, except `unrecognized_keys`: one problem per
 * key, each at its own line. Undefined for issues on keys the field guide
 * does not know, of kinds the inventory has no words for: the shared
 * explainer words those.
 */
function explainInventoryIssue(issue: z.core.$ZodIssue, context: ExplainContext): InputProblem[] | undefined {
  const { locator } = context;
  const path = issue.path as YamlPath;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      location: locator.locate([...path, key], 'key'),
      ...explainUnknownKey(path, key, valueAt(context.data, [...path, key]), context),
    }));
  }

  const label = describePath(path, context.nodeNames, context.waiverControls);
  const params = (issue as { params?: { fix?: unknown } }).params;
  if (issue.code === 'custom' && typeof params?.fix === 'string') {
    const message = path.length ? `${label}: ${issue.message}` : issue.message;
    return [{ location: locator.locate(path), message, fix: params.fix }];
  }

  const value = valueAt(context.data, path);
  const guide = guideFor(path);
  const key = path[path.length - 1];
  if (value === undefined && typeof key === 'string' && !locator.has(path)) {
    const where = describePath(path.slice(0, -1), context.nodeNames, context.waiverControls);
    return [
      {
        location: locator.locate(path.slice(0, -1)),
        message: key === 'nodes' && path.length === 1 ? 'the inventory has no `nodes:` list' : `${where} is missing \`${key}\``,
        fix: guide ? `Add \`${guide.example}\` (${guide.expects}).` : `Add \`${key}\`.`,
      },
    ];
  }

  const location = locator.locate(path);
  if (Array.isArray(value) && value.length === 0 && issue.code === 'too_small') {
    return [
      {
        location,
        message: key === 'nodes' && path.length === 1 ? 'the inventory lists no nodes' : `${label} is an empty list`,
        fix: guide ? `List at least one, e.g. \`${guide.example}\`.` : 'List at least one item.',
      },
    ];
  }
  if (!guide && !['invalid_type', 'invalid_value', 'too_small'].includes(issue.code)) return undefined;
  const expects = guide?.expects ?? expectationFromZod(issue);
  return [{ location, message: `${label} is ${show(value)}, not ${expects}`, fix: fixFor(key, value, guide?.example, issue) }];
}

function explainUnknownKey(
  mapPath: YamlPath,
  key: string,
  value: unknown,
  context: Pick<ExplainContext, 'nodeNames' | 'waiverControls'>,
): { message: string; fix: string } {
  const kind = mapKindAt(mapPath);
  const where = mapPath.length === 0 ? 'at the top level' : `in ${describePath(mapPath, context.nodeNames, context.waiverControls)}`;
  const message = `unknown key \`${key}\` ${where}`;
  const shown = (name: string) => (isScalar(value) ? `\`${name}: ${String(value)}\`` : `\`${name}:\``);
  if (kind === 'parameters' || kind === 'other') return { message, fix: 'Remove it.' };

  const known = KNOWN_KEYS[kind];
  const guess = (keys: readonly string[]) => {
    const synonym = SYNONYMS[key.toLowerCase().replace(/[-_]/g, '')];
    return closestMatch(key, keys) ?? (synonym && keys.includes(synonym) ? synonym : undefined);
  };
  const here = guess(known);
  if (here) return { message, fix: `Did you mean \`${here}\`? Write ${shown(here)}.` };

  // A known key in the wrong map: say where it goes, with the nesting written out.
  const nested = (parent: string) => (name: string) => (isScalar(value) ? `\`${parent}: { ${name}: ${String(value)} }\`` : `\`${parent}: { ${name}: … }\``);
  const elsewhere: readonly [keyof typeof KNOWN_KEYS, string, (name: string) => string][] =
    kind === 'top'
      ? [
          ['ssh', 'is an SSH setting: put it under `ssh:` (the defaults for every node)', nested('ssh')],
          ['cluster', 'belongs under `cluster:`', nested('cluster')],
          ['node', 'belongs to a node: put it in an entry of `nodes:`', (name) => `\`nodes: [{ ${name}: … }]\``],
        ]
      : kind === 'node'
        ? [
            ['ssh', "is an SSH setting: put it under this node's `ssh:`", nested('ssh')],
            ['top', 'is set once for the whole inventory, at the top level', shown],
          ]
        : kind === 'cluster'
          ? [['top', 'belongs at the top level, not under `cluster:`', shown]]
          : [];
  for (const [otherKind, advice, example] of elsewhere) {
    const match = guess(KNOWN_KEYS[otherKind]);
    if (match) return { message, fix: `\`${match}\` ${advice}, e.g. ${example(match)}.` };
  }
  return { message, fix: `Remove it; the keys allowed ${where} are: ${known.join(', ')}.` };
}

function fixFor(key: PropertyKey | undefined, value: unknown, example: string | undefined, issue: z.core.$ZodIssue): string {
  const name = typeof key === 'string' ? key : undefined;
  if (issue.code === 'invalid_type' && name) {
    if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
      return `Quote it: \`${name}: "${String(value)}"\`.`;
    }
    if (issue.expected === 'number' && typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) {
      return `Write the number without quotes: \`${name}: ${value.trim()}\`.`;
    }
    if (issue.expected === 'array' && isScalar(value)) return `Write a list: \`${name}: [${String(value)}]\`.`;
  }
  return example ? `Write e.g. \`${example}\`.` : 'See inventory.example.yaml for what this key takes.';
}

/** zod's expectation in words, for paths the field guide does not cover. */
function expectationFromZod(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'object' || issue.expected === 'record' ? 'a map' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `valid (${issue.message})`;
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A value as the user wrote it, short. */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}
