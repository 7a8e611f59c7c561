import type { Finding, KubeBenchVerdict } from '../model/finding.js';
import { isParamRef, type Benchmark, type EnsureControl, type EnsureStep, type Valued } from '../playbook/types.js';
import { FILE_STEP_KINDS } from './control-family.js';
import { NO_CHANGE_PLANNED } from './failing-finding.js';
import { expandStepPaths, judgeFileMode, judgeFileOwner, type StepJudgement } from './file-steps.js';
import { journalAuditVerdict } from './kube-bench/journal-audit.js';
import { kubeBenchStatVerdict } from './kube-bench/stat-audit.js';
import type { NodeContext } from './node-context.js';
import { providerManagedFinding } from './provider-managed.js';
import type { Control } from '../playbook/types.js';

type Variables = Readonly<Record<string, readonly string[]>>;

/**
 * A file control (and the manual and not-yet-evaluated controls of the node)
 * judged on one node, with kube-bench's verdict on the same facts. Pure.
 */
export function evaluateFileControl(control: Control, benchmark: Benchmark, variables: Variables, ctx: NodeContext): Finding {
  const kubeBench = kubeBenchStatVerdict(control.kubeBench, benchmark, ctx.facts) ?? journalAuditVerdict(control.kubeBench, ctx.facts, variables);
  const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench };
  if (control.fix === 'manual') {
    return {
      ...base,
      status: 'manual',
      expected: control.manual.guidance,
      actual: 'needs a human review',
      fixable: false,
      notFixableReason: control.manual.reason,
    };
  }
  if (control.fix === 'provider-managed') return providerManagedFinding(control, ctx.name);
  const unimplemented = control.ensure.filter((s) => !FILE_STEP_KINDS.has(s.kind));
  if (unimplemented.length) {
    return {
      ...base,
      status: 'manual',
      expected: describeExpected(control, variables),
      actual: 'not evaluated',
      notEvaluated: true,
      fixable: false,
      notFixableReason: `this version of cis-fix does not yet evaluate ${[...new Set(unimplemented.map((s) => s.kind))].join(', ')} steps; see 'cis-fix controls show ${control.id}'`,
    };
  }
  const judgements = control.ensure.map((step) => judgeFileStep(step, variables, ctx));
  const failing = judgements.flatMap((j) => j.failing);
  const observed = judgements.flatMap((j) => j.observed);
  const checked = [...new Set(judgements.flatMap((j) => j.checked))];
  const expected = describeExpected(control, variables);
  if (failing.length === 0) {
    const waiver = waivedBy(control, ctx, kubeBench);
    if (waiver) return { ...base, status: 'waived', expected, actual: checked.join(', ') || 'nothing to check', fixable: false, notFixableReason: waiver };
    return {
      ...base,
      status: checked.length ? 'pass' : 'not-applicable',
      expected,
      actual: checked.length ? `${checked.length} path(s) compliant` : 'no such file on this node',
      fixable: false,
    };
  }
  const stricter = kubeBench === 'PASS' ? (control.notes ?? 'kube-bench does not look at every path this control covers') : undefined;
  return {
    ...base,
    status: 'fail',
    expected,
    actual: observed.join('; '),
    fixable: false,
    notFixableReason: NO_CHANGE_PLANNED,
    ...(stricter ? { stricterThanKubeBench: stricter } : {}),
  };
}

/** One step of a file control on this node; a step whose `when` parameter is not true checks nothing. */
export function judgeFileStep(step: EnsureStep, variables: Variables, ctx: NodeContext): StepJudgement {
  if (step.when !== undefined && ctx.parameters[step.when] !== true) return { checked: [], failing: [], observed: [] };
  switch (step.kind) {
    case 'file-mode':
      return judgeFileMode(step, expandStepPaths(step.path, variables, ctx.facts, step.fileType), ctx.facts);
    case 'file-owner':
      return judgeFileOwner(step, expandStepPaths(step.path, variables, ctx.facts, step.fileType), ctx.facts, ctx.parameters);
    default:
      // evaluateFileControl reports controls with other steps as not evaluated before it gets here.
      return { checked: [], failing: [], observed: [] };
  }
}

/** When the user chose a parameter value that knowingly leaves kube-bench failing (1.1.12 with owner root). */
function waivedBy(control: EnsureControl, ctx: NodeContext, kubeBench: KubeBenchVerdict | undefined): string | undefined {
  if (kubeBench === 'PASS' || kubeBench === undefined) return undefined;
  const chosen = control.parameters.filter((p) => ctx.parameters[p] !== undefined);
  const usedInSteps = control.ensure.some((s) => ('owner' in s && isParamRef(s.owner)) || ('group' in s && isParamRef(s.group)));
  if (!chosen.length || !usedInSteps) return undefined;
  return `accepted by parameter ${chosen.map((p) => `${p}=${JSON.stringify(ctx.parameters[p])}`).join(', ')}; kube-bench still reports ${kubeBench}`;
}

/** What the control wants, with path variables resolved on this node ("/var/lib/etcd owned by <parameter etcdDataDirOwner>"). */
function describeExpected(control: EnsureControl, variables: Variables): string {
  const path = (template: string) => template.replace(/\{([^{}]+)\}/g, (_, name: string) => variables[name]?.join(' or ') ?? `{${name}}`);
  const who = (value: Valued<string>) => (isParamRef(value) ? `<parameter ${value.param}>` : value);
  return control.ensure
    .map((s) => {
      switch (s.kind) {
        case 'file-mode':
          return `${path(s.path)} mode ${s.maxMode} or stricter${s.optional ? ' (if it exists)' : ''}`;
        case 'file-owner': {
          const owner = who(s.owner);
          const group = who(s.group);
          return `${path(s.path)} owned by ${owner === group && isParamRef(s.owner) ? owner : `${owner}:${group}`}`;
        }
        default:
          return s.kind;
      }
    })
    .join('; ');
}
