import { z } from 'zod';
import { ROLES } from '../model/roles.js';
import {
  ASSESSMENTS,
  COMPARE_OPS,
  DISTRIBUTIONS,
  KUBE_BENCH_TARGETS,
  KUBECTL_QUERIES,
  PARAMETER_TYPES,
  PROCESS_NAMES,
  STATIC_POD_COMPONENTS,
} from './types.js';

/**
 * The playbook files' shapes as written, as zod schemas. Every object is
 * strict: an unknown key is an error (a misspelt `optinal: true` silently
 * ignored would change what apply does). These schemas check one file at a
 * time; references between files (variables, parameters, duplicate ids) are
 * checked in check-references.ts, and build-benchmark.ts turns the raw
 * shapes into the types of types.ts.
 *
 * Custom issues carry `params.fix`: what to write instead.
 */

function addProblem(ctx: z.RefinementCtx, message: string, fix: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: 'custom', message, params: { fix }, path });
}

const text = z.string().trim().min(1);

/** Ids like "1.1.12" or "2"; must be YAML strings, because YAML reads 2.1 as a number. */
const dottedId = z.string().regex(/^\d+(\.\d+)*$/, { message: 'Write digits separated by dots, in quotes: "1.2.3" (YAML reads an unquoted 2.1 as a number).' });

const identifier = z.string().regex(/^[a-z][A-Za-z0-9]*$/, { message: 'Write a lowerCamelCase name of letters and digits, like auditLogPath.' });

/** Octal permission bits as kube-bench writes them: "600", "0644". */
export const modeString = z.string().superRefine((mode, ctx) => {
  if (!/^0?[0-7]{3}$/.test(mode)) {
    addProblem(ctx, `"${mode}" is not a file mode`, 'Write three octal digits in quotes, e.g. maxMode: "600" (no setuid/setgid/sticky digit).');
  }
});

const flagName = z.string().regex(/^--[A-Za-z0-9][A-Za-z0-9-]*$/, { message: 'Write the flag with its leading dashes, like --profiling.' });

const absolutePath = z.string().superRefine((p, ctx) => {
  if (!p.startsWith('/')) addProblem(ctx, `path "${p}" is not absolute`, 'Write the full path, starting with /.');
});

/** A path template: absolute, or starting with a `{variable}`. */
const pathTemplate = z.string().superRefine((p, ctx) => {
  if (!p.startsWith('/') && !p.startsWith('{')) {
    addProblem(
      ctx,
      `path "${p}" is neither absolute nor starts with a {variable}`,
      'Write an absolute path, or start with a path variable: path: "{pki}/ca.crt".',
    );
  }
});

export const paramRefSchema = z.strictObject({ param: identifier });
const valued = <T extends z.ZodType>(schema: T) => z.union([schema, paramRefSchema]);

// ------------------------------------------------------------ benchmark.yaml

export const benchmarkFileSchema = z.strictObject({
  id: text,
  title: text,
  version: z.string().regex(/^\d+\.\d+(\.\d+)?$/, { message: 'Write the CIS version in quotes, like "1.12.0".' }),
  kubernetesVersions: z.strictObject({
    from: z.string().regex(/^1\.\d+$/, { message: 'Write a Kubernetes minor version in quotes, like "1.32".' }),
    to: z
      .string()
      .regex(/^1\.\d+$/, { message: 'Write a Kubernetes minor version in quotes, like "1.31".' })
      .optional(),
  }),
  /** Default kubeadm: the generic CIS benchmark, chosen by version. */
  distribution: z.enum(DISTRIBUTIONS).optional(),
  /**
   * Managed node pools: where the provider re-creates a node's configuration
   * (a node group upgrade replaces the node) and the durable place to set it.
   * Printed with every kubelet change the benchmark's plans make.
   */
  nodeReplacement: text.optional(),
});
export type BenchmarkFile = z.output<typeof benchmarkFileSchema>;

// ------------------------------------------------------------ variables.yaml

const variableSourceSchema = z.union([
  z.strictObject({ processFlag: flagName, process: z.enum(PROCESS_NAMES) }),
  z.strictObject({
    kubeletConfig: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, { message: 'Write a dotted KubeletConfiguration key, like authentication.x509.clientCAFile.' }),
  }),
]);

export const variableSchema = z
  .strictObject({
    description: text,
    kubeBench: z
      .string()
      .regex(/^\$[a-z]+$/, { message: 'Write the kube-bench variable with its $, like $kubeletsvc.' })
      .optional(),
    type: z.enum(['file', 'directory']),
    resolve: z.enum(['first', 'all']).optional(),
    from: z.array(variableSourceSchema).optional(),
    candidates: z.array(absolutePath).optional(),
    default: absolutePath.optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.from?.length && !v.candidates?.length && v.default === undefined) {
      addProblem(ctx, 'the variable has no way to resolve', 'Give it `candidates:` (paths tried in order), a `default:`, or `from:` sources.');
    }
    if (v.resolve === 'all' && v.default !== undefined) {
      addProblem(ctx, '`default` is only used with `resolve: first`', 'Remove `default:`, or add the path to `candidates:`.', ['default']);
    }
    if (v.resolve !== 'all') {
      (v.candidates ?? []).forEach((c, i) => {
        if (/[*?]/.test(c))
          addProblem(ctx, `candidate "${c}" is a glob`, 'Globs need `resolve: all` (every match); `first` picks one existing path.', ['candidates', i]);
      });
    }
  });

export const variablesFileSchema = z.strictObject({
  variables: z.record(identifier, variableSchema),
});
export type VariablesFile = z.output<typeof variablesFileSchema>;
export type VariableInput = z.output<typeof variableSchema>;

// ------------------------------------------------------------ parameters.yaml

export const parameterSchema = z.strictObject({
  description: text,
  type: z.enum(PARAMETER_TYPES),
  values: z.array(text).min(1).optional(),
  minimum: z.number().int().optional(),
  default: z.unknown().optional(),
});

export const parametersFileSchema = z.strictObject({
  parameters: z.record(identifier, parameterSchema),
});
export type ParametersFile = z.output<typeof parametersFileSchema>;
export type ParameterInput = z.output<typeof parameterSchema>;

// ------------------------------------------------------------ kubeBench

const statSelectionSchema = z.discriminatedUnion('select', [
  z.strictObject({ select: z.literal('variable'), variable: identifier, nameFilter: text.optional() }),
  z.strictObject({ select: z.literal('path'), path: absolutePath }),
  z.strictObject({
    select: z.literal('find'),
    root: absolutePath,
    name: text.optional(),
    fileType: z.enum(['file', 'directory']).optional(),
    minDepth: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    select: z.literal('process-flag'),
    process: z.enum(PROCESS_NAMES),
    flag: flagName,
    fallbackVariable: identifier.optional(),
    ifExists: z.boolean().optional(),
    contents: z.boolean().optional(),
  }),
]);

const auditSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('stat'),
    format: z.enum(['permissions=%a', '%U:%G', 'ownership=%U:%G', 'ownership=%U:%G %n', 'permissions=%a %n']),
    files: z.array(statSelectionSchema).min(1),
    missingOutput: text.optional(),
  }),
  z.strictObject({
    source: z.literal('process'),
    process: z.enum(PROCESS_NAMES),
    match: z.enum(['grep', 'comm']),
    config: z.strictObject({ variable: identifier, ifExists: z.boolean().optional() }).optional(),
  }),
  z.strictObject({ source: z.literal('encryption-providers') }),
  z.strictObject({ source: z.literal('kubectl'), query: z.enum(KUBECTL_QUERIES) }),
  z.strictObject({ source: z.literal('file'), variable: identifier }),
  z.strictObject({
    source: z.literal('journal'),
    units: z.array(z.string().regex(/^[a-z0-9-]+$/, { message: 'Write a systemd unit name, like k3s.' })).min(1),
    line: text,
    grep: text.optional(),
    config: z.strictObject({ variable: identifier }).optional(),
    exclude: text.optional(),
    fallback: text.optional(),
  }),
  z.strictObject({ source: z.literal('script'), summary: text, command: text.optional() }),
]);

/** kube-bench compares strings: `value: false` must be written `value: "false"` so nothing is lost in YAML typing. */
const compareValue = z.string();

const testItemSchema = z
  .strictObject({
    flag: text.optional(),
    // A file path instead of a jsonpath is a quirk of kube-bench's k3s-cis-1.9 4.2.9, kept as kube-bench has it.
    path: z
      .string()
      .regex(/^(\{.*\}|\/\S+)$/, { message: "Write a kube-bench jsonpath in braces and quotes, like '{.authentication.anonymous.enabled}'." })
      .optional(),
    env: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, { message: 'Write an environment variable name, like ETCD_CERT_FILE.' })
      .optional(),
    set: z.boolean().optional(),
    compare: z.strictObject({ op: z.enum(COMPARE_OPS), value: compareValue }).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.flag === undefined && item.path === undefined && item.env === undefined) {
      addProblem(ctx, 'the test item tests nothing', 'Give it a `flag:` (searched in the audit output), a `path:` (jsonpath into the config) or an `env:`.');
    }
  });

export const kubeBenchSchema = z
  .strictObject({
    target: z.enum(KUBE_BENCH_TARGETS),
    type: z.enum(['automated', 'manual', 'skip']).optional(),
    scored: z.boolean(),
    audit: auditSchema.optional(),
    useMultipleValues: z.boolean().optional(),
    tests: z
      .strictObject({
        binOp: z.enum(['and', 'or']).optional(),
        items: z.array(testItemSchema).min(1),
      })
      .optional(),
    notes: text.optional(),
  })
  .superRefine((kb, ctx) => {
    const manual = kb.type === 'manual';
    if (manual && (kb.audit || kb.tests)) {
      addProblem(ctx, 'kube-bench never runs the audit or tests of a `type: manual` check', 'Remove `audit:` and `tests:`, or remove `type: manual`.');
    }
    // kube-bench WARNs an automated check that has neither ("There are no tests"); a few distribution checks are like that.
    const automated = kb.type === undefined || kb.type === 'automated';
    const neither = !kb.audit && !kb.tests && kb.notes !== undefined;
    if (automated && !kb.audit && !neither)
      addProblem(
        ctx,
        'an automated kube-bench check needs `audit:`',
        'Describe what kube-bench reads (`source: stat | process | encryption-providers | kubectl | file | journal | script`), or write `type: manual`.',
      );
    if (automated && !kb.tests && !neither)
      addProblem(ctx, 'an automated kube-bench check needs `tests:`', 'Add `tests: { items: [...] }`, or write `type: manual`.');
  });
export type KubeBenchInput = z.output<typeof kubeBenchSchema>;

// ------------------------------------------------------------ ensure steps

/** The keys that state a Requirement (types.ts); exactly one of the op keys is given. */
const requirementShape = <V extends z.ZodType, S extends z.ZodType>(value: V, scalar: S) => ({
  value: valued(value).optional(),
  /** `always`: unset passes whatever the component's default is (kube-bench's `set: false` alternative). */
  allowAbsent: z.union([z.boolean(), z.literal('always')]).optional(),
  /** One forbidden value, or a list of them. */
  notValue: z.union([scalar, z.array(scalar).min(1)]).optional(),
  fixValue: value.optional(),
  atLeast: valued(z.number().int()).optional(),
  setIfAbsent: valued(value).optional(),
  absent: z.literal(true).optional(),
  containsElement: text.optional(),
  insert: z.enum(['start', 'end']).optional(),
  notContainsElement: text.optional(),
  elementsWithin: valued(z.array(text).min(1)).optional(),
});

export const REQUIREMENT_OP_KEYS = [
  'value',
  'notValue',
  'atLeast',
  'setIfAbsent',
  'absent',
  'containsElement',
  'notContainsElement',
  'elementsWithin',
] as const;

type RequirementKeys = { [K in (typeof REQUIREMENT_OP_KEYS)[number] | 'allowAbsent' | 'fixValue' | 'insert']?: unknown };

function checkRequirement(step: RequirementKeys, ctx: z.RefinementCtx): void {
  const given = REQUIREMENT_OP_KEYS.filter((k) => step[k] !== undefined);
  const choices = 'value, notValue (+ fixValue), atLeast, setIfAbsent, absent: true, containsElement, notContainsElement or elementsWithin';
  if (given.length === 0) addProblem(ctx, 'the step does not say what the setting must be', `Give exactly one of ${choices}.`);
  if (given.length > 1)
    addProblem(ctx, `the step gives ${given.join(' and ')}; only one requirement per step`, `Keep one of them; write a second step for another requirement.`, [
      given[1] as string,
    ]);
  const op = given[0];
  if (step.allowAbsent !== undefined && op !== 'value' && op !== 'notValue') {
    addProblem(ctx, '`allowAbsent` only qualifies `value` or `notValue`', 'Remove `allowAbsent:`.', ['allowAbsent']);
  }
  if (op === 'notValue' && step.fixValue === undefined)
    addProblem(ctx, '`notValue` needs `fixValue`: what to set instead', 'Add `fixValue: <a compliant value>`.');
  if (step.fixValue !== undefined && op !== 'notValue') addProblem(ctx, '`fixValue` only goes with `notValue`', 'Remove `fixValue:`.', ['fixValue']);
  if (step.insert !== undefined && op !== 'containsElement') addProblem(ctx, '`insert` only goes with `containsElement`', 'Remove `insert:`.', ['insert']);
}

const whenKey = { when: identifier.optional() };
const fileTypeKey = z.enum(['any', 'file', 'directory']).optional();

const fileModeStep = z.strictObject({
  kind: z.literal('file-mode'),
  path: pathTemplate,
  maxMode: modeString,
  optional: z.boolean().optional(),
  fileType: fileTypeKey,
  ...whenKey,
});

const fileOwnerStep = z.strictObject({
  kind: z.literal('file-owner'),
  path: pathTemplate,
  owner: valued(text),
  group: valued(text),
  createMissingUser: z.boolean().optional(),
  optional: z.boolean().optional(),
  fileType: fileTypeKey,
  ...whenKey,
});

/** Command-line flag values are strings; quoting `"false"` keeps YAML from turning them into booleans. */
const flagValue = z.string();

const staticPodFlagStep = z
  .strictObject({
    kind: z.literal('static-pod-flag'),
    component: z.enum(STATIC_POD_COMPONENTS),
    flag: flagName,
    ...requirementShape(flagValue, flagValue),
    needsFile: z
      .strictObject({
        mount: z.enum(['file', 'parent-directory']),
        hostPathType: z.enum(['File', 'FileOrCreate', 'Directory', 'DirectoryOrCreate']),
        readOnly: z.boolean(),
      })
      .optional(),
    ...whenKey,
  })
  .superRefine(checkRequirement);

const settingScalar = z.union([z.string(), z.number(), z.boolean()]);
const settingValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

const kubeletSettingStep = z
  .strictObject({
    kind: z.literal('kubelet-setting'),
    configKey: text.optional(),
    flag: flagName.optional(),
    ...requirementShape(settingValue, settingScalar),
    fileMustExist: z.boolean().optional(),
    ...whenKey,
  })
  .superRefine((step, ctx) => {
    checkRequirement(step, ctx);
    if (step.configKey === undefined && step.flag === undefined) {
      addProblem(
        ctx,
        'the kubelet setting names neither a `configKey` nor a `flag`',
        'Give the KubeletConfiguration key (configKey: authentication.anonymous.enabled) and/or the flag (flag: --anonymous-auth).',
      );
    }
  });

const kubeProxySettingStep = z
  .strictObject({
    kind: z.literal('kube-proxy-setting'),
    configKey: text,
    flag: flagName,
    ...requirementShape(flagValue, flagValue),
    ...whenKey,
  })
  .superRefine(checkRequirement);

const supportFileStep = z.strictObject({
  kind: z.literal('support-file'),
  path: valued(pathTemplate),
  mode: modeString,
  owner: text.optional(),
  group: text.optional(),
  content: text,
  generatedSecrets: z
    .array(
      z.strictObject({
        name: identifier,
        bytes: z.number().int().min(16).max(64),
        encoding: z.literal('base64'),
        scope: z.enum(['node', 'cluster']).optional(),
      }),
    )
    .optional(),
  onExisting: z.enum(['keep', 'replace']).optional(),
  ...whenKey,
});

const patchValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(patchValue), z.record(z.string(), patchValue)]),
);

const apiObjectStep = z.strictObject({
  kind: z.literal('api-object'),
  apiVersion: z.string().regex(/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, { message: 'Write an apiVersion, like v1 or networking.k8s.io/v1.' }),
  objectKind: z.string().regex(/^[A-Z][A-Za-z]+$/, { message: 'Write a Kubernetes kind, like Namespace.' }),
  selector: z.strictObject({
    names: z.array(text).min(1).optional(),
    namesFromParameter: identifier.optional(),
    namespaces: z.union([z.literal('all'), z.array(text).min(1)]).optional(),
    excludeNamespaces: z.array(text).optional(),
  }),
  patch: z.record(z.string(), patchValue),
  podSecurityMinimum: z.enum(['baseline', 'restricted']).optional(),
  ...whenKey,
});

export const ensureStepSchema = z.discriminatedUnion('kind', [
  fileModeStep,
  fileOwnerStep,
  staticPodFlagStep,
  kubeletSettingStep,
  kubeProxySettingStep,
  supportFileStep,
  apiObjectStep,
]);
export type EnsureStepInput = z.output<typeof ensureStepSchema>;

// ------------------------------------------------------------ controls

export const controlSchema = z
  .strictObject({
    id: dottedId,
    section: dottedId,
    title: text.superRefine((t, ctx) => {
      if (/\((Automated|Manual)\)\s*$/.test(t))
        addProblem(ctx, 'the title ends with its assessment', 'Write the title without the "(Automated)"/"(Manual)" suffix; `assessment:` says it.');
    }),
    assessment: z.enum(ASSESSMENTS),
    scope: z.enum(['node', 'cluster']).optional(),
    roles: z.array(z.enum(ROLES)).min(1).optional(),
    kubeBench: kubeBenchSchema,
    ensure: z.array(ensureStepSchema).optional(),
    manual: z.strictObject({ reason: text, guidance: text }).optional(),
    providerManaged: z.strictObject({ reason: text, guidance: text }).optional(),
    notes: text.optional(),
  })
  .superRefine((c, ctx) => {
    const blocks = (['ensure', 'manual', 'providerManaged'] as const).filter((k) => c[k] !== undefined);
    if (blocks.length === 0) {
      addProblem(
        ctx,
        `control ${c.id} has neither \`ensure\` nor \`manual\``,
        'Add `ensure:` (the states that satisfy it), `manual:` (`reason:` why no safe automatic fix exists, `guidance:` what a human does) or, on a managed service, `providerManaged:`.',
      );
    }
    if (blocks.length > 1) {
      addProblem(
        ctx,
        `control ${c.id} has both \`${blocks[0]}\` and \`${blocks[1]}\``,
        'Keep one: `ensure:` when cis-fix can fix it, `manual:` when it cannot, `providerManaged:` when the cloud provider runs it.',
        [blocks[1] as string],
      );
    }
    if (c.ensure !== undefined && c.ensure.length === 0) {
      addProblem(ctx, '`ensure` is empty', 'List at least one state, or replace `ensure:` with a `manual:` block.', ['ensure']);
    }
    const scope = c.scope ?? 'node';
    if (scope === 'node' && c.roles === undefined)
      addProblem(
        ctx,
        `control ${c.id} applies to nodes but names no roles`,
        'Add `roles: [control-plane]` (or etcd, worker), or `scope: cluster` for a cluster-wide control.',
      );
    if (scope === 'cluster' && c.roles !== undefined)
      addProblem(ctx, 'a `scope: cluster` control is checked once through the API and has no roles', 'Remove `roles:`.', ['roles']);
    const providerManaged = c.providerManaged !== undefined;
    if (providerManaged && scope !== 'cluster') {
      addProblem(ctx, 'a provider-managed control is reported once per cluster', 'Write `scope: cluster` and no roles.', ['providerManaged']);
    }
    if (c.kubeBench.target === 'managedservices' && !providerManaged) {
      addProblem(ctx, "kube-bench's managedservices checks are the cloud provider's settings", 'Give the control a `providerManaged:` block.', [
        'kubeBench',
        'target',
      ]);
    }
    if (!providerManaged && (c.kubeBench.target === 'policies') !== (scope === 'cluster')) {
      addProblem(
        ctx,
        c.kubeBench.target === 'policies'
          ? 'kube-bench runs `policies` checks against the cluster, not on nodes'
          : `kube-bench runs \`${c.kubeBench.target}\` checks on nodes`,
        c.kubeBench.target === 'policies' ? 'Write `scope: cluster` and no roles.' : 'Remove `scope: cluster` and give `roles:`.',
        ['kubeBench', 'target'],
      );
    }
    if (!c.id.startsWith(`${c.section}.`)) {
      addProblem(ctx, `control ${c.id} is not in section ${c.section}`, `Its id must start with "${c.section}."; fix \`section:\` or \`id:\`.`, ['section']);
    }
  });
export type ControlInput = z.output<typeof controlSchema>;

export const sectionFileSchema = z.strictObject({
  benchmark: text,
  sections: z.array(z.strictObject({ id: dottedId, title: text })).min(1),
  controls: z.array(controlSchema).min(1),
});
export type SectionFile = z.output<typeof sectionFileSchema>;
