import { BENCHMARK_IDS } from '../model/benchmark-id.js';
import { z } from 'zod';
import type { Change } from '../model/change.js';
import type { Finding } from '../model/finding.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan.js';

/**
 * The plan file's schema (DESIGN.md §7 "a saved plan is checked, not
 * trusted"): every field of the header, of every finding and of every change
 * kind, each object strict — an unknown key is refused as firmly as a
 * missing or mistyped one. Parsing proves only that the file is shaped like
 * a plan; that its changes are the ones cis-fix would make is proven by
 * re-deriving them (compare-saved-plan.ts).
 *
 * Fields whose TypeScript type admits `undefined` are optional here: JSON
 * drops them. Messages name what to write, for the zod-issue explainer.
 */

const text = z.string();
const nonEmpty = z.string().min(1, 'expected a non-empty string');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 as 64 lowercase hex digits');
/** As `stat -c %a` prints it: "600", "2755", "0". */
const octalMode = z.string().regex(/^[0-7]{1,4}$/, 'expected an octal mode like "600"');
const absolutePath = z.string().regex(/^\/[^\0]*$/, 'expected an absolute path like "/etc/kubernetes/admin.conf"');
const id = z.number().int('expected a whole number').min(0, 'expected a user or group id (0 or more)');
const strings = z.array(text).readonly();
const controlIds = z.array(nonEmpty).min(1, 'expected at least one control id').readonly();

/** What apply must find: an existing file with its hash, mode and owner, or nothing at all (a support file to create). */
const filePrecondition = z.discriminatedUnion('exists', [
  z.strictObject({ exists: z.literal(true), sha256: sha256.optional(), mode: octalMode, uid: id, gid: id }),
  z.strictObject({ exists: z.literal(false), mode: z.literal(''), uid: z.literal(-1), gid: z.literal(-1) }),
]);

const nodeChangeBase = {
  id: nonEmpty,
  node: nonEmpty,
  controlIds,
  target: absolutePath,
  precondition: filePrecondition,
  diff: text,
};

const fileModeChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('file-mode'),
  action: z.literal('update'),
  restart: z.literal('none'),
  before: z.strictObject({ mode: octalMode }),
  after: z.strictObject({ mode: octalMode }),
});

const accountName = z.string().regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'expected a user or group name like "root"');
const fileOwnerChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('file-owner'),
  action: z.literal('update'),
  restart: z.literal('none'),
  before: z.strictObject({ user: text, group: text }),
  after: z.strictObject({ user: accountName, group: accountName, createAccount: z.boolean() }),
});

const manifestChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('static-pod-manifest'),
  action: z.literal('update'),
  restart: z.enum(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']),
  before: z.strictObject({ sha256, argv: strings }),
  after: z.strictObject({ content: text, sha256, argv: strings }),
});

const kubeletFileChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('kubelet-file'),
  action: z.literal('update'),
  restart: z.literal('kubelet'),
  daemonReload: z.boolean(),
  purpose: z.enum(['kubelet', 'kube-bench']),
  edits: strings,
  before: z.strictObject({ sha256, argv: strings.optional() }),
  after: z.strictObject({ content: text, sha256, argv: strings.optional(), healthUrl: z.string().regex(/^https?:\/\//, 'expected an http(s) URL') }),
  notes: strings.optional(),
});

const healthUrl = z.string().regex(/^https?:\/\//, 'expected an http(s) URL');
/** Paths on the node only: the gate's curl reads the key there. */
const healthClientTls = z.strictObject({ caFile: absolutePath, certFile: absolutePath, keyFile: absolutePath });

const etcdServiceChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('etcd-service'),
  action: z.literal('update'),
  restart: z.literal('etcd'),
  unit: z.string().regex(/^[A-Za-z0-9@_.-]+\.service$/, 'expected a systemd service name like "etcd.service"'),
  daemonReload: z.boolean(),
  edits: strings,
  before: z.strictObject({ sha256, argv: strings, healthUrl: healthUrl.optional(), healthTls: healthClientTls.optional() }),
  after: z.strictObject({ content: text, sha256, argv: strings, healthUrl, healthTls: healthClientTls.optional() }),
});

const rancherConfigChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('rancher-config'),
  action: z.enum(['update', 'create']),
  restart: z.literal('kubelet'),
  service: z.string().regex(/^[A-Za-z0-9@_.-]+$/, 'expected a systemd service name like "rke2-server"'),
  edits: strings,
  before: z.strictObject({ sha256 }),
  after: z.strictObject({
    content: text,
    sha256,
    gates: z
      .array(
        z.strictObject({
          component: z.enum(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet']),
          argv: strings.optional(),
          url: z.string().regex(/^https?:\/\//, 'expected an http(s) URL'),
        }),
      )
      .readonly(),
  }),
});

const nodeGeneratedSecret = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a secret name like "encryptionKey"'),
  bytes: z.number().int('expected a whole number of bytes').min(1).max(4096),
  scope: z.enum(['node', 'cluster']),
});

const supportFileChange = z.strictObject({
  ...nodeChangeBase,
  kind: z.literal('support-file'),
  action: z.literal('create'),
  restart: z.literal('none'),
  after: z.strictObject({
    content: text,
    mode: octalMode,
    secrets: z.array(nodeGeneratedSecret).readonly(),
    sha256: sha256.optional(),
    copyFrom: nonEmpty.optional(),
  }),
});

/** Any JSON value (patches and objects are free-form JSON by nature; re-derivation checks their content). */
const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
const jsonObject = z.record(z.string(), jsonValue);

const apiObjectRef = z.strictObject({ apiVersion: nonEmpty, kind: nonEmpty, namespace: nonEmpty.optional(), name: nonEmpty });
const resourceVersion = z.strictObject({ resourceVersion: nonEmpty });

const apiObjectBase = {
  kind: z.literal('api-object'),
  id: nonEmpty,
  controlIds,
  target: nonEmpty,
  object: apiObjectRef,
  after: strings,
  diff: text,
  notes: strings,
  dryRunWarnings: strings,
};

const apiObjectChange = z.discriminatedUnion('action', [
  z.strictObject({ ...apiObjectBase, action: z.literal('patch'), precondition: resourceVersion, patch: jsonObject, before: jsonObject }),
  z.strictObject({ ...apiObjectBase, action: z.literal('create'), precondition: z.strictObject({ absent: z.literal(true) }), content: jsonObject }),
  z.strictObject({ ...apiObjectBase, action: z.literal('delete'), precondition: resourceVersion, before: z.strictObject({ object: jsonObject }) }),
]);

export const changeSchema = z.discriminatedUnion('kind', [
  fileModeChange,
  fileOwnerChange,
  manifestChange,
  kubeletFileChange,
  supportFileChange,
  apiObjectChange,
  etcdServiceChange,
  rancherConfigChange,
]);

const waiver = z.strictObject({
  control: nonEmpty,
  reason: text,
  owner: text,
  expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like "2026-12-31"'),
  daysLeft: z.number().int(),
  expired: z.boolean(),
  expiresSoon: z.boolean(),
});

export const findingSchema = z.strictObject({
  controlId: nonEmpty,
  node: nonEmpty.optional(),
  status: z.enum(['pass', 'fail', 'manual', 'waived', 'not-applicable', 'provider-managed', 'error']),
  title: text,
  expected: text,
  actual: text,
  fixable: z.boolean(),
  notFixableReason: text.optional(),
  decisionParameter: nonEmpty.optional(),
  kubeBench: z.enum(['PASS', 'FAIL', 'WARN', 'INFO']).optional(),
  notEvaluated: z.literal(true).optional(),
  waiver: waiver.optional(),
  stricterThanKubeBench: text.optional(),
});

const count = z.number().int().min(0);

export const planSchema = z.strictObject({
  formatVersion: z.literal(PLAN_FORMAT_VERSION, `expected ${PLAN_FORMAT_VERSION}: make a new plan with this version of cis-fix`),
  tool: z.strictObject({ name: z.literal('cis-fix'), version: nonEmpty }),
  createdAt: z.string().datetime({ message: 'expected an ISO date and time' }),
  benchmark: z.strictObject({ id: z.enum(BENCHMARK_IDS), chosenBy: text }),
  selection: z.strictObject({ targets: strings, only: strings, skip: strings, nodes: z.array(nonEmpty).readonly() }),
  inventory: z.strictObject({ file: nonEmpty, digest: sha256 }),
  cluster: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('connected'), server: nonEmpty, context: text, version: text }),
      z.strictObject({ kind: z.literal('none'), reason: text }),
    ])
    .optional(),
  findings: z.array(findingSchema).readonly(),
  changes: z.array(changeSchema).readonly(),
  summary: z.strictObject({
    changes: count,
    nodesChanged: count,
    nodesEvaluated: count,
    passing: count,
    failing: count,
    needDecision: count,
    manual: count,
    notEvaluated: count,
    notApplicable: count,
    errors: count,
    // Counted since waivers and managed services (plan format 1 files made before lack them; both 0 there).
    waived: count.default(0),
    providerManaged: count.default(0),
  }),
});

/*
 * The schema and the model types must describe the same data. Both name
 * the same fields, kind by kind (values are checked by the round-trip tests): a
 * field added to a change kind without its schema (or the reverse) fails the
 * build here. (The schema is narrower in values: modes, hashes, paths.)
 */
type Parsed = z.infer<typeof planSchema>;
/** JSON payloads of api-object changes are free-form on both sides. */
type Shape<C> = C extends { readonly kind: 'api-object' } ? Omit<C, 'patch' | 'content' | 'before' | 'node'> : C;
type Paths<T> = T extends readonly (infer U)[]
  ? Paths<U>
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}.${Paths<NonNullable<T[K]>>}` }[keyof T & string]
    : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ParsedChange = z.infer<typeof changeSchema>;
const sameChangeFields: { [K in Change['kind']]: Same<Paths<Shape<Extract<ParsedChange, { kind: K }>>>, Paths<Shape<Extract<Change, { kind: K }>>>> } = {
  'file-mode': true,
  'file-owner': true,
  'static-pod-manifest': true,
  'kubelet-file': true,
  'support-file': true,
  'api-object': true,
  'etcd-service': true,
  'rancher-config': true,
};
const sameFindingFields: Same<Paths<z.infer<typeof findingSchema>>, Paths<Finding>> = true;
const sameHeaderFields: Same<Paths<Omit<Parsed, 'changes' | 'findings'>>, Paths<Omit<Plan, 'changes' | 'findings'>>> = true;
void [sameChangeFields, sameFindingFields, sameHeaderFields];

/**
 * The parsed plan as the model's type. An api-object change's `node` is
 * `undefined` by its invariant; JSON simply has no key for it.
 */
export function planFromSchema(parsed: Parsed): Plan {
  return parsed as unknown as Plan;
}
