import { z } from 'zod';
import { ROLE_ALIASES, ROLES, normalizeRole, type Role } from '../model/roles.js';
import { checkHostSyntax, checkUserSyntax } from './address-syntax.js';
import { closestMatch } from '../model/closest-match.js';
import { BENCHMARK_CHOICES } from './inventory.js';
import { parseProxyHopList, type ProxyHopSpec } from './proxy-jump.js';

/**
 * The inventory's shape, as zod schemas. Every object is strict (an unknown
 * key is an error, because a misspelt `identityfile` silently ignored would
 * mean connecting with the wrong key). Checks that need a custom message
 * raise `custom` issues whose `params.fix` says what to write instead;
 * explain-issue.ts turns all other issues into messages.
 *
 * Cross-node checks (duplicate names, duplicate endpoints) and file checks
 * are not here: they need more than one value or the file system.
 */

/** Adds a problem with its own message and fix; `path` is relative to the value being checked. */
function addProblem(ctx: z.RefinementCtx, message: string, fix: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: 'custom', message, params: { fix }, path });
}

const port = z.number().int().min(1).max(65535);

const userName = z
  .string()
  .min(1)
  .superRefine((user, ctx) => {
    const problem = checkUserSyntax(user);
    if (problem) addProblem(ctx, problem.message, problem.fix);
  });

const hostName = z.string().superRefine((host, ctx) => {
  const problem = checkHostSyntax(host);
  if (problem) addProblem(ctx, problem.message, problem.fix);
});

/** A file path; `~/` and relative paths are resolved later (resolve-nodes.ts). */
const filePath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    // `~user/…` would need a passwd lookup of another account; not worth guessing.
    if (/^~[^/]/.test(path)) addProblem(ctx, `path "${path}" uses ~user`, 'Write the full path, or ~/… for your own home directory.');
  });

/** Node names appear in plans, journals and `--nodes` selections: keep them shell- and file-name-safe. */
const nodeName = z
  .string()
  .min(1)
  .superRefine((name, ctx) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(name)) {
      addProblem(
        ctx,
        `node name "${name}" has characters other than letters, digits, ".", "_" and "-"`,
        'Write a name like `name: cp-1` (a letter or digit first).',
      );
    }
  });

const role = z.string().transform((name, ctx): Role => {
  const canonical = normalizeRole(name);
  if (canonical) return canonical;
  const aliases = Object.keys(ROLE_ALIASES).filter((alias) => !(ROLES as readonly string[]).includes(alias));
  const guess = closestMatch(name, Object.keys(ROLE_ALIASES));
  addProblem(
    ctx,
    `unknown role "${name}"`,
    `${guess ? `Did you mean \`${guess}\`? ` : ''}Valid roles: ${ROLES.join(', ')} (aliases: ${aliases.map((a) => `${a} → ${ROLE_ALIASES[a]}`).join(', ')}).`,
  );
  return z.NEVER;
});

/** One hop written as a map instead of `user@host:port`. */
export const proxyHopSchema = z.strictObject({
  host: hostName,
  port: port.optional(),
  user: userName.optional(),
});

/**
 * `proxyJump` accepts a string of comma-separated hops, a list of such
 * strings and/or {host, port, user} maps, or `none` / `[]` / null to turn off
 * a bastion the defaults set. Output: `undefined` when absent (inherit), else
 * the hops, outermost first.
 */
const proxyJump = z.unknown().transform((value, ctx): ProxyHopSpec[] => {
  if (value === null || value === 'none') return [];
  const items = Array.isArray(value) ? value : [value];
  const hops: ProxyHopSpec[] = [];
  items.forEach((item, index) => {
    const at = Array.isArray(value) ? [index] : [];
    if (typeof item === 'string') {
      const parsed = parseProxyHopList(item);
      if (parsed.ok) hops.push(...parsed.hops);
      else addProblem(ctx, parsed.problem.message, parsed.problem.fix, at);
    } else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const parsed = proxyHopSchema.safeParse(item);
      if (parsed.success) hops.push({ host: parsed.data.host, port: parsed.data.port, user: parsed.data.user });
      else for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [...at, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
    } else {
      addProblem(
        ctx,
        `\`proxyJump\` ${Array.isArray(value) ? 'hop ' : ''}is ${JSON.stringify(item)}, not a hop`,
        'Write `proxyJump: user@host:port` (commas between hops), a list of those, or `proxyJump: none`.',
        at,
      );
    }
  });
  return hops;
});

/** SSH settings; at the top level they are defaults, under a node they override the defaults key by key. */
export const sshSchema = z.strictObject({
  user: userName.optional(),
  port: port.optional(),
  identityFile: filePath.optional(),
  knownHostsFile: filePath.optional(),
  become: z.enum(['none', 'sudo']).optional(),
  proxyJump: proxyJump.optional(),
  /** Seconds; a hung bastion must not stall a run for minutes. */
  connectTimeout: z.number().positive().max(3600).optional(),
});
export type SshInput = z.output<typeof sshSchema>;

/** Free-form playbook parameters; playbooks validate the values they use. */
export const parametersSchema = z.record(z.string(), z.unknown());

export const nodeSchema = z.strictObject({
  name: nodeName,
  host: hostName,
  roles: z.array(role).min(1),
  ssh: sshSchema.optional(),
  parameters: parametersSchema.optional(),
});
export type NodeInput = z.output<typeof nodeSchema>;

export const clusterSchema = z.strictObject({
  name: z.string().min(1).optional(),
  kubeconfig: filePath.optional(),
  context: z.string().min(1).optional(),
});

/** A waiver's control: an id or a glob, as `--only` takes them (`4.1.9`, `4.1.*`, `1.2.1?`). */
const controlPattern = z.string().superRefine((pattern, ctx) => {
  if (!/^[0-9*?]+(\.[0-9*?]+)*$/.test(pattern)) {
    addProblem(ctx, `"${pattern}" is not a control id or glob`, 'Write a control id such as `control: 4.1.9`, or a glob such as `control: "4.1.*"`.');
  }
});

/** Text a person must write (a reason, an owner): blank does not count. */
const statement = (what: string, example: string) =>
  z.string().superRefine((text, ctx) => {
    if (!text.trim()) addProblem(ctx, `the waiver's ${what} is blank`, `Write it, e.g. \`${example}\`.`);
  });

/** YYYY-MM-DD, a real calendar day (2026-02-30 is not). */
const calendarDay = z.string().superRefine((day, ctx) => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== day) {
    addProblem(ctx, `"${day}" is not a date`, 'Write the last day the waiver holds as YYYY-MM-DD, e.g. `expires: 2026-06-30`.');
  }
});

/**
 * A decision not to apply a control (DESIGN.md §7): who decided, why, and
 * until when. Every waiver expires; `nodes` narrows it to inventory nodes
 * (checked against `nodes:` in load-inventory.ts), else it holds on every
 * node and for the cluster's API controls.
 */
export const waiverSchema = z.strictObject({
  control: controlPattern,
  nodes: z.array(nodeName).min(1).optional(),
  reason: statement('reason', 'reason: the CNI needs the kubelet config world-readable until v2'),
  owner: statement('owner', 'owner: platform-team@example.com'),
  expires: calendarDay,
});
export type WaiverInput = z.output<typeof waiverSchema>;

export const inventorySchema = z.strictObject({
  cluster: clusterSchema.optional(),
  benchmark: z.enum(BENCHMARK_CHOICES).optional(),
  ssh: sshSchema.optional(),
  parameters: parametersSchema.optional(),
  nodes: z.array(nodeSchema).min(1),
  waivers: z.array(waiverSchema).optional(),
});
export type InventoryInput = z.output<typeof inventorySchema>;
