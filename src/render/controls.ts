import {
  isParamRef,
  type BenchmarkId,
  type Control,
  type EnsureStep,
  type KubeBenchAudit,
  type KubeBenchTestItem,
  type KubernetesVersionRange,
  type Parameter,
  type PathVariable,
  type Requirement,
  type StatSelection,
} from '../playbook/types.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/**
 * Text for `cis-fix controls list|show`. Pure: data in, text out. The data
 * types are the results of services/controls.ts (and the commands' --json
 * output); they live here because render may not import services.
 */

/** Which benchmark the result comes from. */
export interface BenchmarkSummary {
  readonly id: BenchmarkId;
  readonly title: string;
  readonly version: string;
  readonly kubernetesVersions: KubernetesVersionRange;
}

/** One row of `controls list`. `fix` is the ensure kinds joined with "+", or "manual". */
export interface ControlSummary {
  readonly id: string;
  readonly section: string;
  readonly title: string;
  readonly assessment: Control['assessment'];
  readonly scope: Control['scope'];
  readonly roles: Control['roles'];
  readonly fix: string;
  /** Parameters the fix needs that have no default: until the inventory sets them the control is not fixable. */
  readonly needsParameters: readonly string[];
}

export interface ControlList {
  readonly benchmark: BenchmarkSummary;
  /** The --section filter, when given. */
  readonly section: string | undefined;
  readonly sections: readonly { readonly id: string; readonly title: string }[];
  readonly controls: readonly ControlSummary[];
}

export interface ControlDetail {
  readonly benchmark: BenchmarkSummary;
  readonly sectionTitle: string;
  readonly control: Control;
  /** Every parameter the control refers to, in name order. */
  readonly parameters: readonly Parameter[];
  /** Every path variable its kube-bench audit or ensure steps refer to, in first-use order. */
  readonly variables: readonly PathVariable[];
}

export function describeBenchmark(b: BenchmarkSummary): string {
  const k = b.kubernetesVersions;
  return `${b.id}: ${b.title} ${b.version} (Kubernetes ${k.from}${k.to === undefined ? '+' : `–${k.to}`})`;
}

export function renderControlList(list: ControlList, style: Style): string {
  const rows = list.controls.map((c) => [
    style.bold(c.id),
    c.assessment,
    c.fix === 'manual' || c.fix === 'provider-managed' ? style.dim(c.fix) : c.needsParameters.length ? `${c.fix} ${style.yellow('(needs parameter)')}` : c.fix,
    c.title,
  ]);
  const fixable = list.controls.filter((c) => c.fix !== 'manual' && c.fix !== 'provider-managed').length;
  const providerManaged = list.controls.filter((c) => c.fix === 'provider-managed').length;
  const scope = list.section === undefined ? '' : `, section ${list.section}`;
  return [
    `${describeBenchmark(list.benchmark)}${scope}`,
    '',
    renderTable(['ID', 'ASSESSMENT', 'FIX', 'TITLE'], rows),
    '',
    `${list.controls.length} controls: ${fixable} with an automatic fix, ${list.controls.length - fixable - providerManaged} manual${providerManaged ? `, ${providerManaged} managed by the cloud provider` : ''}.`,
  ].join('\n');
}

export function renderControlDetail(detail: ControlDetail, style: Style): string {
  const c = detail.control;
  const params = new Map(detail.parameters.map((p) => [p.name, p]));
  const lines: string[] = [];
  const heading = (text: string) => {
    lines.push('', style.bold(text));
  };
  lines.push(`${style.bold(c.id)}  ${c.title}`);
  lines.push(`  Benchmark:   ${describeBenchmark(detail.benchmark)}`);
  lines.push(`  Section:     ${c.section} ${detail.sectionTitle}`);
  lines.push(
    `  Assessment:  ${c.assessment}${c.kubeBench.scored ? ' (kube-bench scores it: FAIL when it fails)' : ' (kube-bench does not score it: WARN when it fails)'}`,
  );
  const appliesTo =
    c.fix === 'provider-managed'
      ? "the cloud provider's side of the cluster (reported once)"
      : c.scope === 'cluster'
        ? 'the cluster, through the API'
        : `nodes with role ${c.roles.join(', ')}`;
  lines.push(`  Applies to:  ${appliesTo}`);
  lines.push(`  Defined at:  ${c.definedAt.file}:${c.definedAt.line}`);

  heading(`What kube-bench tests (target ${c.kubeBench.target})`);
  if (c.kubeBench.type === 'skip') {
    lines.push('  Nothing: kube-bench skips this check (INFO).');
  } else if (c.kubeBench.type === 'manual' || !c.kubeBench.audit || !c.kubeBench.tests) {
    lines.push('  Nothing: a manual check, always reported as WARN.');
  } else {
    lines.push(`  Reads:  ${describeAudit(c.kubeBench.audit)}${c.kubeBench.useMultipleValues ? ' (every line must pass)' : ''}`);
    const items = c.kubeBench.tests.items.map(describeTestItem);
    if (items.length === 1) lines.push(`  Passes: ${items[0]}`);
    else {
      lines.push(`  Passes: ${c.kubeBench.tests.binOp === 'or' ? 'any' : 'all'} of`);
      for (const item of items) lines.push(`    - ${item}`);
    }
  }
  if (c.kubeBench.notes) lines.push(...wrap(`Note: ${c.kubeBench.notes}`, '  '));

  if (c.fix === 'ensure') {
    heading('What cis-fix ensures');
    c.ensure.forEach((step, i) => {
      const [first, ...rest] = describeStep(step, params);
      lines.push(`  ${i + 1}. ${first}`);
      for (const line of rest) lines.push(`     ${line}`);
    });
  } else if (c.fix === 'provider-managed') {
    heading('Managed by the cloud provider');
    lines.push(...wrap(`Why: ${c.providerManaged.reason}`, '  '));
    lines.push(...wrap(`What to do: ${c.providerManaged.guidance}`, '  '));
  } else {
    heading('No automatic fix');
    lines.push(...wrap(`Why: ${c.manual.reason}`, '  '));
    lines.push(...wrap(`What to do: ${c.manual.guidance}`, '  '));
  }
  if (c.notes) lines.push(...wrap(`Note: ${c.notes}`, '  '));

  if (detail.parameters.length) {
    heading('Parameters (set them under `parameters:` in the inventory)');
    for (const p of detail.parameters) {
      const value = p.default === undefined ? style.yellow('no default: not fixable until set') : `default ${formatValue(p.default)}`;
      lines.push(`  ${style.bold(p.name)} (${p.type}${p.values ? `: ${p.values.join('|')}` : ''}), ${value}`);
      lines.push(...wrap(p.description, '    '));
    }
  }
  if (detail.variables.length) {
    heading('Path variables');
    for (const v of detail.variables) lines.push(...describeVariable(v));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- kube-bench

export function describeAudit(audit: KubeBenchAudit): string {
  switch (audit.source) {
    case 'stat':
      return `stat -c '${audit.format}' of ${audit.files.map(describeSelection).join(' and ')}${audit.missingOutput ? `; prints "${audit.missingOutput}" when the file is missing` : ''}`;
    case 'process':
      return audit.match === 'grep'
        ? `the command lines of the running ${audit.process} (ps -ef | grep ${audit.process})`
        : `the running ${audit.process}'s command line (ps -fC ${audit.process})${audit.config ? `, then {${audit.config.variable}}${audit.config.ifExists ? ' if it exists' : ''} for keys` : ''}`;
    case 'encryption-providers':
      return "the first provider in the file named by kube-apiserver's --encryption-provider-config";
    case 'kubectl':
      return `the cluster, through kubectl (query ${audit.query})`;
    case 'file':
      return `the content of {${audit.variable}}`;
    case 'journal':
      return (
        `the last "${audit.line}" line of journalctl -u ${audit.units.join(' -u ')}${audit.grep ? ` (if it contains ${audit.grep}` : ''}` +
        `${audit.grep && audit.exclude ? ` and not ${audit.exclude}` : ''}${audit.grep ? ')' : ''}` +
        `${audit.fallback !== undefined ? `, or "${audit.fallback}" when there is no such line` : ''}${audit.config ? `, then {${audit.config.variable}} for keys` : ''}`
      );
    case 'script':
      return `a shell script: ${audit.summary}`;
  }
}

function describeSelection(s: StatSelection): string {
  switch (s.select) {
    case 'variable':
      return `{${s.variable}}${s.nameFilter ? ` if its name matches ${s.nameFilter}` : ''} if it exists`;
    case 'path':
      return `${s.path} if it exists`;
    case 'find':
      return `every ${s.name ? `${s.name} ` : ''}${s.fileType === 'file' ? 'regular file' : s.fileType === 'directory' ? 'directory' : 'file and directory'} under ${s.root}`;
    case 'process-flag': {
      const what = s.contents ? `everything inside the directory in ${s.process}'s ${s.flag}` : `the path in ${s.process}'s ${s.flag}`;
      return `${what}${s.fallbackVariable ? `, else {${s.fallbackVariable}}` : ''}${s.ifExists && !s.contents ? ' if it exists' : ''}`;
    }
  }
}

export function describeTestItem(item: KubeBenchTestItem): string {
  const keys = [item.flag && `"${item.flag}"`, item.path && `config ${item.path}`, item.env && `env ${item.env}`].filter(Boolean).join(' / ');
  if (!item.set) return `${keys} is not set`;
  if (!item.compare) return `${keys} is set`;
  const { op, value } = item.compare;
  const words: Record<typeof op, string> = {
    eq: `= "${value}"`,
    noteq: `≠ "${value}"`,
    gt: `> ${value}`,
    gte: `>= ${value}`,
    lt: `< ${value}`,
    lte: `<= ${value}`,
    has: `contains "${value}"`,
    nothave: `does not contain "${value}"`,
    bitmask: `has no permission bit outside ${value}`,
    valid_elements: `lists only elements of ${value}`,
    regex: `matches /${value}/`,
    noteqx: `"noteqx ${value}" (an op kube-bench does not know: never passes)`,
  };
  return `${keys} ${words[op]}`;
}

// ---------------------------------------------------------------- ensure steps

/** One or more lines; the first names the target and the state. */
export function describeStep(step: EnsureStep, params: ReadonlyMap<string, Parameter>): string[] {
  const v = (value: unknown) => formatValued(value, params);
  const gate =
    step.when === undefined
      ? []
      : [`only when parameter ${step.when} is true${params.get(step.when)?.default === undefined ? ' (no default: not fixable until set)' : ''}`];
  switch (step.kind) {
    case 'file-mode':
      return [
        `${step.path}: mode at most ${step.maxMode} (only tightened)${step.fileType === 'any' ? '' : `, ${step.fileType}s only`}${step.optional ? ', if it exists' : ''}`,
        ...gate,
      ];
    case 'file-owner':
      return [
        `${step.path}: owned by ${isParamRef(step.owner) && JSON.stringify(step.owner) === JSON.stringify(step.group) ? `${v(step.owner)} (user and group)` : `${v(step.owner)}:${v(step.group)}`}${step.fileType === 'any' ? '' : `, ${step.fileType}s only`}${step.optional ? ', if it exists' : ''}`,
        ...(step.createMissingUser ? ['creates the user and group as system accounts when missing (the parameter is that decision)'] : []),
        ...gate,
      ];
    case 'static-pod-flag':
      return [
        `${step.component} ${step.flag}: ${describeRequirement(step.requirement, params)}`,
        ...(step.needsFile
          ? [
              `mounts the ${step.needsFile.mount === 'file' ? 'file' : "file's directory"} into the pod (hostPath ${step.needsFile.hostPathType}${step.needsFile.readOnly ? ', read-only' : ''})`,
            ]
          : []),
        ...gate,
      ];
    case 'kubelet-setting':
      return [
        `kubelet ${[step.configKey && `config ${step.configKey}`, step.flag && `flag ${step.flag}`].filter(Boolean).join(' / ')}: ${describeRequirement(step.requirement, params)}`,
        ...(step.fileMustExist ? ['the file it names must exist'] : []),
        ...gate,
      ];
    case 'kube-proxy-setting':
      return [`kube-proxy config ${step.configKey} / flag ${step.flag}: ${describeRequirement(step.requirement, params)}`, ...gate];
    case 'support-file':
      return [
        `file ${v(step.path)} (mode ${step.mode}, ${step.owner}:${step.group}), created when missing${step.onExisting === 'keep' ? ', an existing file is kept' : ', an existing file is replaced'}`,
        ...step.generatedSecrets.map(
          (s) =>
            `secret ${s.name}: ${s.bytes} random bytes (${s.encoding}) generated on the node at apply time${s.scope === 'cluster' ? ', the same on every node' : ''}`,
        ),
        'content:',
        ...step.content
          .trimEnd()
          .split('\n')
          .map((line) => `  ${line}`),
        ...gate,
      ];
    case 'api-object': {
      const sel = step.selector;
      const which = sel.namesFromParameter ? `named by the keys of parameter ${sel.namesFromParameter}` : sel.names ? `named ${sel.names.join(', ')}` : 'all';
      const where = sel.namespaces === undefined ? '' : sel.namespaces === 'all' ? ' in every namespace' : ` in namespaces ${sel.namespaces.join(', ')}`;
      return [
        `${step.apiVersion} ${step.objectKind} objects ${which}${where}${sel.excludeNamespaces.length ? ` except ${sel.excludeNamespaces.join(', ')}` : ''}: merge patch ${JSON.stringify(step.patch)}`,
        ...(step.podSecurityMinimum ? [`satisfied by Pod Security level ${step.podSecurityMinimum} or stricter`] : []),
        ...gate,
      ];
    }
  }
}

export function describeRequirement(r: Requirement, params: ReadonlyMap<string, Parameter>): string {
  const v = (value: unknown) => formatValued(value, params);
  switch (r.op) {
    case 'equals':
      return `set to ${v(r.value)}${r.absentAnyDefault ? ' (or left unset, whatever the default)' : r.allowAbsent ? ' (or left unset)' : ''}`;
    case 'not-equals':
      return `not ${r.values.map((x) => formatValue(x)).join(' or ')}${r.allowAbsent ? ' (unset is fine)' : ''}; fixed by setting ${formatValue(r.fixValue)}`;
    case 'at-least':
      return `at least ${v(r.value)}`;
    case 'present':
      return `set (to ${v(r.setIfAbsent)} when missing; an existing value is kept)`;
    case 'absent':
      return 'not set (removed)';
    case 'contains-element':
      return `list includes ${r.element} (added at the ${r.insert}, the rest kept)`;
    case 'not-contains-element':
      return `list does not include ${r.element} (only it is removed)`;
    case 'elements-within':
      return `lists only elements of ${v(r.allowed)}`;
  }
}

function describeVariable(v: PathVariable): string[] {
  const sources = [
    ...v.from.map((s) => (s.type === 'process-flag' ? `${s.process} ${s.flag}` : `kubelet config ${s.key}`)),
    ...(v.candidates.length > 3 ? [...v.candidates.slice(0, 3), `… ${v.candidates.length - 3} more`] : v.candidates),
  ];
  return [
    `  {${v.name}}${v.kubeBench ? ` (kube-bench ${v.kubeBench})` : ''}: ${v.description}`,
    `    ${v.resolve === 'all' ? 'every existing one of' : 'first existing of'}: ${sources.join(', ')}${v.default ? `; default ${v.default}` : ''}`,
  ];
}

/** A literal, or `<parameter NAME>` (its value and default are listed under Parameters). */
function formatValued(value: unknown, _params: ReadonlyMap<string, Parameter>): string {
  return isParamRef(value) ? `<parameter ${value.param}>` : formatValue(value);
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Wraps prose at 100 columns with a hanging indent. */
function wrap(text: string, indent: string): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && indent.length + line.length + 1 + word.length > 100) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}
