import type { z } from 'zod';
import { UserError, type InputProblem, type SourceLocation } from '../model/errors.js';
import type { Role } from '../model/roles.js';
import { MANIFEST_VARIABLES } from '../model/components.js';
import { didYouMean } from '../model/closest-match.js';
import { explainIssues } from '../model/explain-zod-issue.js';
import { checkParameterValue, describeParameterType } from './parameter-value.js';
import { templateVariables } from './path-template.js';
import {
  benchmarkFileSchema,
  parametersFileSchema,
  sectionFileSchema,
  variablesFileSchema,
  type BenchmarkFile,
  type ControlInput,
  type EnsureStepInput,
  type KubeBenchInput,
  type ParametersFile,
  type SectionFile,
  type VariablesFile,
} from './schema.js';
import {
  isParamRef,
  type Benchmark,
  type BenchmarkId,
  type Control,
  type Distribution,
  type EnsureStep,
  type KubeBenchAudit,
  type KubeBenchCheck,
  type Parameter,
  type ParameterType,
  type ParameterValue,
  type PatchValue,
  type PathVariable,
  type Requirement,
  type Section,
  type SettingValue,
  type StatSelection,
  type Valued,
} from './types.js';
import { parseYamlSource, type DataPath, type YamlSource } from './yaml-source.js';

/** One playbook file's text. `name` is relative to the benchmark directory; `file` is what problems report. */
export interface PlaybookText {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

/** The files every benchmark directory has besides its section files. */
export const BENCHMARK_FILE = 'benchmark.yaml';
export const VARIABLES_FILE = 'variables.yaml';
export const PARAMETERS_FILE = 'parameters.yaml';

/** The variables a change kind reads by name (its targets), so they must be declared: one per static pod (src/model/components.ts). */
export { MANIFEST_VARIABLES };
export const KUBELET_VARIABLES = ['kubeletConfigInUse', 'kubeletFlagFiles'] as const;

/**
 * Builds a validated Benchmark from the texts of its playbook files. Pure:
 * no I/O. Collects every problem in every file and throws them together as
 * one UserError, each with its file, line and what to write instead.
 */
export function buildBenchmark(id: BenchmarkId, dir: string, files: readonly PlaybookText[]): Benchmark {
  const builder = new BenchmarkBuilder(id, dir);
  return builder.build(files);
}

interface Located<T> {
  readonly value: T;
  readonly source: YamlSource;
}

class BenchmarkBuilder {
  private readonly problems: InputProblem[] = [];
  private variables: Record<string, PathVariable> = {};
  private parameters: Record<string, Parameter> = {};
  private distribution: Distribution = 'kubeadm';

  constructor(
    private readonly id: BenchmarkId,
    private readonly dir: string,
  ) {}

  build(files: readonly PlaybookText[]): Benchmark {
    const byName = new Map(files.map((f) => [f.name, f]));
    const special = [BENCHMARK_FILE, VARIABLES_FILE, PARAMETERS_FILE];
    for (const name of special) {
      if (!byName.has(name))
        this.problem(
          { file: `${this.dir}/${name}`, line: 1, column: 1 },
          `${this.id} has no ${name}`,
          `Create ${name} in ${this.dir} (see playbooks/README.md).`,
        );
    }

    const info = this.parse(byName.get(BENCHMARK_FILE), benchmarkFileSchema) as Located<BenchmarkFile> | undefined;
    if (info && info.value.id !== this.id) {
      this.problem(info.source.locate(['id']), `benchmark.yaml says id "${info.value.id}" but lives in the directory for ${this.id}`, `Write id: ${this.id}.`);
    }
    if (info?.value.kubernetesVersions.to !== undefined && minor(info.value.kubernetesVersions.to) < minor(info.value.kubernetesVersions.from)) {
      this.problem(
        info.source.locate(['kubernetesVersions', 'to']),
        'kubernetesVersions.to is before kubernetesVersions.from',
        'Write the older version in `from:` and the newer in `to:`.',
      );
    }

    this.distribution = info?.value.distribution ?? 'kubeadm';

    const variables = this.parse(byName.get(VARIABLES_FILE), variablesFileSchema) as Located<VariablesFile> | undefined;
    if (variables) this.variables = this.buildVariables(variables);
    const parameters = this.parse(byName.get(PARAMETERS_FILE), parametersFileSchema) as Located<ParametersFile> | undefined;
    if (parameters) this.parameters = this.buildParameters(parameters);

    const sections: Section[] = [];
    const sectionSeen = new Map<string, SourceLocation>();
    const controls: Control[] = [];
    const controlSeen = new Map<string, SourceLocation>();
    const sectionFiles = files.filter((f) => !special.includes(f.name)).sort((a, b) => a.name.localeCompare(b.name));
    if (sectionFiles.length === 0) {
      this.problem(
        { file: this.dir, line: 1, column: 1 },
        `${this.id} has no section files`,
        'Add one YAML file per CIS section, e.g. 1.1-control-plane-files.yaml.',
      );
    }
    for (const file of sectionFiles) {
      const parsed = this.parse(file, sectionFileSchema) as Located<SectionFile> | undefined;
      if (!parsed) continue;
      const { value, source } = parsed;
      if (value.benchmark !== this.id) {
        this.problem(
          source.locate(['benchmark']),
          `the file says benchmark "${value.benchmark}" but lives in the directory for ${this.id}`,
          `Write benchmark: ${this.id}.`,
        );
      }
      const declared = new Set<string>();
      value.sections.forEach((section, i) => {
        const where = source.locate(['sections', i, 'id']);
        const earlier = sectionSeen.get(section.id);
        declared.add(section.id);
        if (earlier) {
          this.problem(
            where,
            `section ${section.id} is declared twice`,
            `The other declaration is at ${formatLocation(earlier)}; keep one, and put all of the section's controls in its file.`,
          );
          return;
        }
        sectionSeen.set(section.id, where);
        sections.push({ id: section.id, title: section.title, file: file.name });
      });
      value.controls.forEach((raw, i) => {
        const path = ['controls', i];
        const where = source.locate([...path, 'id']);
        const earlier = controlSeen.get(raw.id);
        if (earlier) {
          this.problem(
            where,
            `control ${raw.id} is defined twice`,
            `The other definition is at ${formatLocation(earlier)}; remove one of them or correct its id.`,
          );
          return;
        }
        controlSeen.set(raw.id, where);
        if (!declared.has(raw.section)) {
          this.problem(
            source.locate([...path, 'section']),
            `section ${raw.section} is not declared in this file`,
            `Add it to \`sections:\` at the top of the file${declared.size ? ` (declared here: ${[...declared].join(', ')})` : ''}, or correct \`section:\`.`,
          );
        }
        const control = this.buildControl(raw, path, source);
        if (control) controls.push(control);
      });
    }

    if (this.problems.length) {
      throw new UserError(`The ${this.id} playbooks in ${this.dir} have ${this.problems.length} problem(s):`, this.problems);
    }
    if (!info) throw new UserError(`${this.id}: benchmark.yaml could not be read`);
    return {
      id: this.id,
      title: info.value.title,
      version: info.value.version,
      kubernetesVersions: { from: info.value.kubernetesVersions.from, to: info.value.kubernetesVersions.to },
      distribution: this.distribution,
      ...(info.value.nodeReplacement !== undefined ? { nodeReplacement: info.value.nodeReplacement } : {}),
      dir: this.dir,
      sections: sections.sort((a, b) => compareIds(a.id, b.id)),
      controls: controls.sort((a, b) => compareIds(a.id, b.id)),
      variables: this.variables,
      parameters: this.parameters,
    };
  }

  private problem(location: SourceLocation, message: string, fix: string | undefined): void {
    this.problems.push({ location, message, fix });
  }

  /** Parse + schema check of one file; undefined (with problems recorded) when it is unusable. */
  private parse<T extends z.ZodType>(file: PlaybookText | undefined, schema: T): Located<z.output<T>> | undefined {
    if (!file) return undefined;
    const source = parseYamlSource(file.file, file.text);
    if (source.problems.length) {
      this.problems.push(...source.problems);
      return undefined;
    }
    if (source.data === undefined || source.data === null) {
      this.problem({ file: file.file, line: 1, column: 1 }, 'the file is empty', 'See playbooks/README.md for what this file holds.');
      return undefined;
    }
    const result = schema.safeParse(source.data);
    if (!result.success) {
      this.problems.push(...explainIssues(result.error.issues, schema, source));
      return undefined;
    }
    return { value: result.data, source };
  }

  // ------------------------------------------------------------ variables and parameters

  private buildVariables({ value, source }: Located<VariablesFile>): Record<string, PathVariable> {
    const out: Record<string, PathVariable> = {};
    for (const [name, v] of Object.entries(value.variables)) {
      out[name] = {
        name,
        description: v.description,
        kubeBench: v.kubeBench,
        resolve: v.resolve ?? 'first',
        type: v.type,
        from: (v.from ?? []).map((s) =>
          'processFlag' in s ? { type: 'process-flag', process: s.process, flag: s.processFlag } : { type: 'kubelet-config', key: s.kubeletConfig },
        ),
        candidates: v.candidates ?? [],
        default: v.default,
        definedAt: source.locate(['variables', name], 'key'),
      };
    }
    return out;
  }

  private buildParameters({ value, source }: Located<ParametersFile>): Record<string, Parameter> {
    const out: Record<string, Parameter> = {};
    for (const [name, p] of Object.entries(value.parameters)) {
      const path = ['parameters', name];
      if (p.type === 'enum' && !p.values)
        this.problem(source.locate(path, 'key'), `enum parameter ${name} lists no values`, 'Add `values: [a, b]`: the choices the user has.');
      if (p.values && p.type !== 'enum' && p.type !== 'string-map')
        this.problem(
          source.locate([...path, 'values']),
          `\`values\` only applies to enum and string-map parameters, not ${p.type}`,
          'Remove `values:`, or change `type:`.',
        );
      if (p.minimum !== undefined && p.type !== 'integer')
        this.problem(source.locate([...path, 'minimum']), `\`minimum\` only applies to integer parameters, not ${p.type}`, 'Remove `minimum:`.');
      const param: Parameter = {
        name,
        description: p.description,
        type: p.type,
        values: p.values,
        minimum: p.minimum,
        default: p.default as ParameterValue | undefined,
        definedAt: source.locate(path, 'key'),
      };
      if (p.default !== undefined) {
        const problem = checkParameterValue(param, p.default);
        if (problem)
          this.problem(
            source.locate([...path, 'default']),
            `the default of ${problem}`,
            `Write a default that is ${describeParameterType(param)}, or remove \`default:\` so the user must choose.`,
          );
      }
      out[name] = param;
    }
    return out;
  }

  // ------------------------------------------------------------ controls

  private buildControl(raw: ControlInput, path: DataPath, source: YamlSource): Control | undefined {
    const refs = new ReferenceChecker(this, source, this.variables, this.parameters);
    const kubeBench = this.buildKubeBench(raw.kubeBench, [...path, 'kubeBench'], refs);
    // kube-bench's cis-* files score exactly the CIS "Automated" controls; its distribution files do not always
    // (k3s-cis-1.9 skips Automated 1.1.x, gke-1.9.0 scores Manual 4.1.x): there the playbook records both as they are.
    if (this.distribution === 'kubeadm' && raw.kubeBench.scored !== (raw.assessment === 'Automated')) {
      this.problem(
        source.locate([...path, 'kubeBench', 'scored']),
        `kube-bench scores exactly the CIS "Automated" controls, but this one is ${raw.assessment} with scored: ${raw.kubeBench.scored}`,
        `Write scored: ${raw.assessment === 'Automated'}, or correct \`assessment:\`.`,
      );
    }
    const base = {
      id: raw.id,
      title: raw.title,
      assessment: raw.assessment,
      section: raw.section,
      scope: raw.scope ?? 'node',
      roles: [...new Set(raw.roles ?? [])] as Role[],
      kubeBench,
      notes: raw.notes,
      definedAt: source.locate([...path, 'id']),
    } as const;
    if (raw.ensure) {
      const ensure = raw.ensure.map((step, i) => this.buildStep(step, [...path, 'ensure', i], refs));
      return { ...base, fix: 'ensure', ensure, parameters: refs.parametersUsed() };
    }
    if (raw.manual) return { ...base, fix: 'manual', manual: raw.manual, parameters: refs.parametersUsed() };
    if (raw.providerManaged) return { ...base, fix: 'provider-managed', providerManaged: raw.providerManaged, parameters: refs.parametersUsed() };
    return undefined;
  }

  private buildKubeBench(raw: KubeBenchInput, path: DataPath, refs: ReferenceChecker): KubeBenchCheck {
    let audit: KubeBenchAudit | undefined;
    const a = raw.audit;
    if (a) {
      switch (a.source) {
        case 'stat':
          audit = {
            source: 'stat',
            format: a.format,
            missingOutput: a.missingOutput,
            files: a.files.map((f, i): StatSelection => {
              const at = [...path, 'audit', 'files', i];
              switch (f.select) {
                case 'variable':
                  refs.variable(f.variable, [...at, 'variable']);
                  return { select: 'variable', variable: f.variable, nameFilter: f.nameFilter };
                case 'path':
                  return { select: 'path', path: f.path };
                case 'find':
                  return { select: 'find', root: f.root, name: f.name, fileType: f.fileType, minDepth: f.minDepth };
                case 'process-flag':
                  if (f.fallbackVariable) refs.variable(f.fallbackVariable, [...at, 'fallbackVariable']);
                  return {
                    select: 'process-flag',
                    process: f.process,
                    flag: f.flag,
                    fallbackVariable: f.fallbackVariable,
                    ifExists: f.ifExists ?? true,
                    contents: f.contents ?? false,
                  };
              }
            }),
          };
          break;
        case 'process':
          if (a.config) refs.variable(a.config.variable, [...path, 'audit', 'config', 'variable']);
          audit = {
            source: 'process',
            process: a.process,
            match: a.match,
            config: a.config ? { variable: a.config.variable, ifExists: a.config.ifExists ?? false } : undefined,
          };
          break;
        case 'encryption-providers':
          audit = { source: 'encryption-providers' };
          break;
        case 'kubectl':
          audit = { source: 'kubectl', query: a.query };
          break;
        case 'file':
          refs.variable(a.variable, [...path, 'audit', 'variable']);
          audit = { source: 'file', variable: a.variable };
          break;
        case 'journal':
          if (a.config) refs.variable(a.config.variable, [...path, 'audit', 'config', 'variable']);
          audit = {
            source: 'journal',
            units: a.units,
            line: a.line,
            grep: a.grep,
            config: a.config ? { variable: a.config.variable } : undefined,
            ...(a.exclude !== undefined ? { exclude: a.exclude } : {}),
            ...(a.fallback !== undefined ? { fallback: a.fallback } : {}),
          };
          break;
        case 'script':
          audit = { source: 'script', summary: a.summary, command: a.command };
          break;
      }
    }
    return {
      target: raw.target,
      type: raw.type ?? 'automated',
      scored: raw.scored,
      audit,
      useMultipleValues: raw.useMultipleValues ?? false,
      tests: raw.tests
        ? {
            binOp: raw.tests.binOp ?? 'and',
            items: raw.tests.items.map((item) => ({ flag: item.flag, path: item.path, env: item.env, set: item.set ?? true, compare: item.compare })),
          }
        : undefined,
      notes: raw.notes,
    };
  }

  private buildStep(raw: EnsureStepInput, path: DataPath, refs: ReferenceChecker): EnsureStep {
    const when = raw.when;
    if (when !== undefined) refs.param(when, [...path, 'when'], ['boolean']);
    switch (raw.kind) {
      case 'file-mode':
        refs.template(raw.path, [...path, 'path']);
        return { kind: 'file-mode', path: raw.path, maxMode: raw.maxMode.slice(-3), optional: raw.optional ?? false, fileType: raw.fileType ?? 'any', when };
      case 'file-owner': {
        refs.template(raw.path, [...path, 'path']);
        refs.valued(raw.owner, [...path, 'owner'], ['string', 'enum']);
        refs.valued(raw.group, [...path, 'group'], ['string', 'enum']);
        const createMissingUser = raw.createMissingUser ?? false;
        if (createMissingUser && !isParamRef(raw.owner)) {
          this.problem(
            refs.locate([...path, 'createMissingUser']),
            'cis-fix never creates a user the user did not choose',
            'Take the owner from a parameter (owner: { param: NAME }) so creating it is a decision, or remove `createMissingUser:`.',
          );
        }
        return {
          kind: 'file-owner',
          path: raw.path,
          owner: raw.owner,
          group: raw.group,
          createMissingUser,
          optional: raw.optional ?? false,
          fileType: raw.fileType ?? 'any',
          when,
        };
      }
      case 'static-pod-flag': {
        const manifest = MANIFEST_VARIABLES[raw.component];
        refs.variable(manifest, [...path, 'component'], `static-pod-flag steps for ${raw.component} edit the file in variable ${manifest}`);
        return {
          kind: 'static-pod-flag',
          component: raw.component,
          flag: raw.flag,
          requirement: this.buildRequirement(raw, path, refs),
          needsFile: raw.needsFile,
          when,
        };
      }
      case 'kubelet-setting':
        for (const name of KUBELET_VARIABLES) refs.variable(name, [...path, 'kind'], `kubelet-setting steps read variable ${name}`);
        return {
          kind: 'kubelet-setting',
          configKey: raw.configKey,
          flag: raw.flag,
          requirement: this.buildRequirement(raw, path, refs),
          fileMustExist: raw.fileMustExist ?? false,
          when,
        };
      case 'kube-proxy-setting':
        return { kind: 'kube-proxy-setting', configKey: raw.configKey, flag: raw.flag, requirement: this.buildRequirement(raw, path, refs), when };
      case 'support-file': {
        if (isParamRef(raw.path)) refs.param(raw.path.param, [...path, 'path', 'param'], ['path']);
        else refs.template(raw.path, [...path, 'path']);
        const secrets = raw.generatedSecrets ?? [];
        const used = new Set<string>();
        for (const match of raw.content.matchAll(/\$\{([a-z]+)\.([A-Za-z0-9]+)\}/g)) {
          const [, space, name] = match;
          if (space === 'param') refs.param(name ?? '', [...path, 'content'], ['string', 'integer', 'boolean', 'path', 'enum']);
          else if (space === 'secret') {
            used.add(name ?? '');
            if (!secrets.some((s) => s.name === name))
              this.problem(
                refs.locate([...path, 'content']),
                `the content uses \${secret.${name}} but the step declares no such secret`,
                `Declare it: generatedSecrets: [{ name: ${name}, bytes: 32, encoding: base64 }].`,
              );
          } else
            this.problem(
              refs.locate([...path, 'content']),
              `unknown placeholder \${${space}.${name}} in the content`,
              'Placeholders are ${param.NAME} and ${secret.NAME}.',
            );
        }
        secrets.forEach((s, i) => {
          if (!used.has(s.name))
            this.problem(
              refs.locate([...path, 'generatedSecrets', i, 'name']),
              `secret ${s.name} is generated but the content never uses it`,
              `Write \${secret.${s.name}} where it goes in the content, or remove it.`,
            );
        });
        return {
          kind: 'support-file',
          path: raw.path,
          mode: raw.mode.slice(-3),
          owner: raw.owner ?? 'root',
          group: raw.group ?? 'root',
          content: raw.content,
          generatedSecrets: secrets.map((s) => ({ name: s.name, bytes: s.bytes, encoding: s.encoding, scope: s.scope ?? 'node' })),
          onExisting: raw.onExisting ?? 'keep',
          when,
        };
      }
      case 'api-object': {
        const sel = raw.selector;
        if (sel.namesFromParameter) refs.param(sel.namesFromParameter, [...path, 'selector', 'namesFromParameter'], ['string-map', 'string-list']);
        if (sel.names && sel.namesFromParameter)
          this.problem(refs.locate([...path, 'selector']), 'the selector gives both `names` and `namesFromParameter`', 'Keep one of them.');
        const patch = this.buildPatch(raw.patch, [...path, 'patch'], refs) as { [key: string]: PatchValue };
        return {
          kind: 'api-object',
          apiVersion: raw.apiVersion,
          objectKind: raw.objectKind,
          selector: {
            names: sel.names,
            namesFromParameter: sel.namesFromParameter,
            namespaces: sel.namespaces,
            excludeNamespaces: sel.excludeNamespaces ?? [],
          },
          patch,
          podSecurityMinimum: raw.podSecurityMinimum,
          when,
        };
      }
    }
  }

  private buildPatch(value: unknown, path: DataPath, refs: ReferenceChecker): PatchValue {
    if (Array.isArray(value)) return value.map((v, i) => this.buildPatch(v, [...path, i], refs));
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 1 && entries[0]?.[0] === 'param' && typeof entries[0][1] === 'string') {
        refs.param(entries[0][1], [...path, 'param'], ['string', 'integer', 'boolean', 'path', 'enum', 'string-list', 'string-map']);
        return { param: entries[0][1] };
      }
      if (entries.length === 1 && entries[0]?.[0] === 'paramEntry' && typeof entries[0][1] === 'string') {
        refs.param(entries[0][1], [...path, 'paramEntry'], ['string-map']);
        return { paramEntry: entries[0][1] };
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, this.buildPatch(v, [...path, k], refs)]));
    }
    return value as PatchValue;
  }

  private buildRequirement(raw: RequirementInput, path: DataPath, refs: ReferenceChecker): Requirement {
    const scalarTypes: ParameterType[] = ['string', 'integer', 'boolean', 'path', 'enum'];
    // Flag values that name files may use path variables: --client-ca-file={pki}/ca.crt.
    for (const key of ['value', 'setIfAbsent', 'fixValue'] as const) {
      const v = raw[key];
      if (typeof v === 'string') refs.template(v, [...path, key]);
    }
    if (raw.value !== undefined) {
      refs.valued(raw.value, [...path, 'value'], scalarTypes);
      return {
        op: 'equals',
        value: raw.value as Valued<SettingValue>,
        allowAbsent: raw.allowAbsent !== undefined && raw.allowAbsent !== false,
        ...anyDefault(raw),
      };
    }
    if (raw.notValue !== undefined) {
      const values = (Array.isArray(raw.notValue) ? raw.notValue : [raw.notValue]) as SettingValue[];
      return {
        op: 'not-equals',
        values,
        fixValue: raw.fixValue as SettingValue,
        allowAbsent: raw.allowAbsent !== undefined && raw.allowAbsent !== false,
        ...anyDefault(raw),
      };
    }
    if (raw.atLeast !== undefined) {
      refs.valued(raw.atLeast, [...path, 'atLeast'], ['integer']);
      return { op: 'at-least', value: raw.atLeast as Valued<number> };
    }
    if (raw.setIfAbsent !== undefined) {
      refs.valued(raw.setIfAbsent, [...path, 'setIfAbsent'], scalarTypes);
      return { op: 'present', setIfAbsent: raw.setIfAbsent as Valued<SettingValue> };
    }
    if (raw.absent) return { op: 'absent' };
    if (raw.containsElement !== undefined) return { op: 'contains-element', element: raw.containsElement, insert: raw.insert ?? 'end' };
    if (raw.notContainsElement !== undefined) return { op: 'not-contains-element', element: raw.notContainsElement };
    if (raw.elementsWithin !== undefined) {
      refs.valued(raw.elementsWithin, [...path, 'elementsWithin'], ['string-list']);
      return { op: 'elements-within', allowed: raw.elementsWithin as Valued<readonly string[]> };
    }
    // The schema guarantees exactly one requirement key; reaching here means the schema and this code disagree.
    return { op: 'absent' };
  }

  /** For ReferenceChecker. */
  report(location: SourceLocation, message: string, fix: string): void {
    this.problem(location, message, fix);
  }
}

type RequirementInput = Extract<EnsureStepInput, { kind: 'static-pod-flag' | 'kubelet-setting' | 'kube-proxy-setting' }>;

/** `allowAbsent: always`: unset passes whatever the default (Requirement.absentAnyDefault). */
function anyDefault(raw: Pick<RequirementInput, 'allowAbsent'>): { absentAnyDefault?: true } {
  return raw.allowAbsent === 'always' ? { absentAnyDefault: true } : {};
}

/** Checks references from one control to variables and parameters, and remembers the parameters used. */
class ReferenceChecker {
  private readonly used = new Set<string>();

  constructor(
    private readonly builder: BenchmarkBuilder,
    private readonly source: YamlSource,
    private readonly variables: Readonly<Record<string, PathVariable>>,
    private readonly parameters: Readonly<Record<string, Parameter>>,
  ) {}

  locate(path: DataPath): SourceLocation {
    return this.source.locate(path);
  }

  parametersUsed(): string[] {
    return [...this.used].sort();
  }

  variable(name: string, path: DataPath, why?: string): void {
    if (this.variables[name]) return;
    const names = Object.keys(this.variables);
    this.builder.report(
      this.source.locate(path),
      `unknown path variable ${name}${why ? ` (${why})` : ''}`,
      `${didYouMean(name, names)}Declare it in variables.yaml, or use one of: ${names.join(', ')}.`,
    );
  }

  template(template: string, path: DataPath): void {
    for (const name of templateVariables(template)) this.variable(name, path);
  }

  valued(value: unknown, path: DataPath, types: readonly ParameterType[]): void {
    if (isParamRef(value)) this.param(value.param, [...path, 'param'], types);
  }

  param(name: string, path: DataPath, types: readonly ParameterType[]): void {
    const param = this.parameters[name];
    if (!param) {
      const names = Object.keys(this.parameters);
      this.builder.report(
        this.source.locate(path),
        `unknown parameter ${name}`,
        `${didYouMean(name, names)}Declare it in parameters.yaml, or use one of: ${names.join(', ')}.`,
      );
      return;
    }
    this.used.add(name);
    if (!types.includes(param.type)) {
      this.builder.report(
        this.source.locate(path),
        `parameter ${name} is ${param.type}, but this place needs ${types.join(' or ')}`,
        `Refer to a parameter of type ${types.join(' or ')}, or change the type of ${name} in parameters.yaml.`,
      );
    }
  }
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

function minor(version: string): number {
  return Number(version.split('.')[1] ?? 0);
}

/** Orders CIS ids numerically: 1.2.9 < 1.2.10 < 1.3.1 < 2.1. */
export function compareIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
