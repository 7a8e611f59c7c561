import type { Finding, KubeBenchVerdict } from '../model/finding.js';
import { isParamRef, type Benchmark, type Control, type EnsureControl, type EnsureStep, type Valued } from '../playbook/types.js';
import { evaluateFileMode, evaluateFileOwner, expandStepPaths, type FileProposal, type StepOutcome } from './file-steps.js';
import { kubeBenchStatVerdict, type StatOverrides } from './kube-bench/stat-audit.js';
import { providerManagedFinding } from './provider-managed.js';
import type { NodeContext } from './node-context.js';
import { resolveAllVariables } from './resolve-variables.js';

/** A change one control wants on this node. */
export interface ControlProposal {
  readonly node: string;
  readonly controlId: string;
  readonly proposal: FileProposal;
}

export interface NodeEvaluation {
  readonly findings: readonly Finding[];
  readonly proposals: readonly ControlProposal[];
  /** The benchmark's path variables as resolved on this node, for the other planners. */
  readonly variables: Readonly<Record<string, readonly string[]>>;
}

/** Step kinds this version of cis-fix evaluates and fixes. */
const IMPLEMENTED_KINDS: ReadonlySet<EnsureStep['kind']> = new Set(['file-mode', 'file-owner']);

/**
 * Evaluate the node-scoped controls that apply to this node's roles. Pure.
 * Each finding also carries kube-bench's verdict on the same facts; a fix is
 * only offered when kube-bench would pass after the whole plan for the node.
 */
export function evaluateNode(benchmark: Benchmark, controls: readonly Control[], ctx: NodeContext, options: { readonly decidedElsewhere?: (control: Control) => boolean } = {}): NodeEvaluation {
  const variables = resolveAllVariables(benchmark, ctx.facts);
  const applicable = controls.filter((c) => c.scope === 'node' && c.roles.some((r) => ctx.roles.includes(r)) && !options.decidedElsewhere?.(c));
  const drafts = applicable.map((control) => draftFinding(control, benchmark, variables, ctx));

  // kube-bench after this node's whole plan: every proposal applied at once.
  const overrides = simulate(drafts.flatMap((d) => d.proposals));
  const findings: Finding[] = [];
  const proposals: ControlProposal[] = [];
  for (const draft of drafts) {
    let finding = draft.finding;
    if (finding.status === 'fail' && finding.fixable) {
      const after = kubeBenchStatVerdict(draft.control.kubeBench, benchmark, ctx.facts, overrides);
      if (after !== undefined && after !== 'PASS' && draft.control.kubeBench.scored) {
        finding = { ...finding, fixable: false, notFixableReason: `after this plan kube-bench would still report ${after}: ${draft.control.notes ?? 'its check looks at more than cis-fix can change here'}` };
      }
    }
    findings.push(finding);
    // Every proposal only tightens, so it is made even when the control cannot fully pass (e.g. the
    // kubelet's real config is tightened although kube-bench looks for a file that does not exist).
    if (finding.status === 'fail') {
      proposals.push(...draft.proposals.map((proposal) => ({ node: ctx.name, controlId: draft.control.id, proposal })));
    }
  }
  return { findings, proposals, variables };
}

interface Draft {
  readonly control: Control;
  readonly finding: Finding;
  readonly proposals: readonly FileProposal[];
}

function draftFinding(control: Control, benchmark: Benchmark, variables: Record<string, string[]>, ctx: NodeContext): Draft {
  const kubeBench = kubeBenchStatVerdict(control.kubeBench, benchmark, ctx.facts);
  const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench };
  if (control.fix === 'manual') {
    return {
      control,
      proposals: [],
      finding: { ...base, status: 'manual', expected: control.manual.guidance, actual: 'needs a human review', fixable: false, notFixableReason: control.manual.reason },
    };
  }
  if (control.fix === 'provider-managed') return { control, proposals: [], finding: providerManagedFinding(control, ctx.name) };
  const unimplemented = control.ensure.filter((s) => !IMPLEMENTED_KINDS.has(s.kind));
  if (unimplemented.length) {
    return {
      control,
      proposals: [],
      finding: {
        ...base,
        status: 'manual',
        expected: describeExpected(control, variables),
        actual: 'not evaluated',
        notEvaluated: true,
        fixable: false,
        notFixableReason: `this version of cis-fix does not yet evaluate ${[...new Set(unimplemented.map((s) => s.kind))].join(', ')} steps; see 'cis-fix controls show ${control.id}'`,
      },
    };
  }
  const outcomes = control.ensure.map((step) => evaluateStep(step, variables, ctx));
  const proposals = outcomes.flatMap((o) => o.proposals);
  const blocked = outcomes.flatMap((o) => o.blocked);
  const observed = outcomes.flatMap((o) => o.observed);
  const checked = [...new Set(outcomes.flatMap((o) => o.checked))];
  const expected = describeExpected(control, variables);
  if (proposals.length === 0 && blocked.length === 0) {
    const waiver = waivedBy(control, ctx, kubeBench);
    if (waiver) return { control, proposals, finding: { ...base, status: 'waived', expected, actual: checked.join(', ') || 'nothing to check', fixable: false, notFixableReason: waiver } };
    return {
      control,
      proposals,
      finding: { ...base, status: checked.length ? 'pass' : 'not-applicable', expected, actual: checked.length ? `${checked.length} path(s) compliant` : 'no such file on this node', fixable: false },
    };
  }
  const stricter = kubeBench === 'PASS' ? (control.notes ?? 'kube-bench does not look at every path this control covers') : undefined;
  const blockedParameter = blocked.find((b) => b.parameter)?.parameter;
  return {
    control,
    proposals,
    finding: {
      ...base,
      status: 'fail',
      expected,
      actual: observed.join('; '),
      fixable: blocked.length === 0,
      ...(blocked.length ? { notFixableReason: [...new Set(blocked.map((b) => b.reason))].join('; ') } : {}),
      ...(blockedParameter ? { decisionParameter: blockedParameter } : {}),
      ...(stricter ? { stricterThanKubeBench: stricter } : {}),
    },
  };
}

function evaluateStep(step: EnsureStep, variables: Record<string, string[]>, ctx: NodeContext): StepOutcome {
  if (step.when !== undefined && ctx.parameters[step.when] !== true) {
    return { checked: [], proposals: [], blocked: [], observed: [] };
  }
  switch (step.kind) {
    case 'file-mode':
      return evaluateFileMode(step, expandStepPaths(step.path, variables, ctx.facts, step.fileType), ctx.facts);
    case 'file-owner':
      return evaluateFileOwner(step, expandStepPaths(step.path, variables, ctx.facts, step.fileType), ctx.facts, ctx.parameters);
    default:
      return { checked: [], proposals: [], blocked: [{ path: '', reason: `${step.kind} is not implemented` }], observed: [] };
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
function describeExpected(control: EnsureControl, variables: Readonly<Record<string, readonly string[]>>): string {
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

function simulate(proposals: readonly FileProposal[]): StatOverrides {
  const overrides = new Map<string, { mode?: string; user?: string; group?: string }>();
  for (const p of proposals) {
    const current = overrides.get(p.path) ?? {};
    if (p.kind === 'file-mode') {
      const mode = parseInt(current.mode ?? p.current.mode, 8) & p.maxMode;
      overrides.set(p.path, { ...current, mode: mode.toString(8) });
    } else {
      overrides.set(p.path, { ...current, user: p.user, group: p.group });
    }
  }
  return overrides;
}
