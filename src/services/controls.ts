import { UserError } from '../model/errors.js';
import { loadBenchmark } from '../playbook/load-playbooks.js';
import { templateVariables } from '../playbook/path-template.js';
import type { Benchmark, BenchmarkId, Control, EnsureStep, Parameter, PathVariable } from '../playbook/types.js';
import type { BenchmarkSummary, ControlDetail, ControlList } from '../render/controls.js';

/**
 * `cis-fix controls list|show`: browse the playbooks. Read-only; the
 * results are plain data (their types live with their renderer,
 * render/controls.ts), printed as text or as JSON.
 */

export interface ControlsRequest {
  readonly benchmark: BenchmarkId;
  /** Where the playbooks are; default: the ones shipped with cis-fix. */
  readonly playbooksDir?: string;
}

export async function listControls(request: ControlsRequest & { readonly section?: string }): Promise<ControlList> {
  const benchmark = await load(request);
  const section = request.section?.trim();
  const inSection = (id: string) => section === undefined || id === section || id.startsWith(`${section}.`);
  const controls = benchmark.controls.filter((c) => inSection(c.section));
  if (section !== undefined && controls.length === 0) {
    throw new UserError(`${benchmark.id} has no section ${section}.`, [], [`Sections: ${benchmark.sections.map((s) => s.id).join(', ')}.`]);
  }
  return {
    benchmark: summarize(benchmark),
    section,
    sections: benchmark.sections.filter((s) => inSection(s.id)).map((s) => ({ id: s.id, title: s.title })),
    controls: controls.map((c) => ({
      id: c.id,
      section: c.section,
      title: c.title,
      assessment: c.assessment,
      scope: c.scope,
      roles: c.roles,
      fix: fixSummary(c),
      needsParameters: c.parameters.filter((name) => benchmark.parameters[name]?.default === undefined),
    })),
  };
}

export async function showControl(request: ControlsRequest & { readonly id: string }): Promise<ControlDetail> {
  const benchmark = await load(request);
  const id = request.id.trim();
  const control = benchmark.controls.find((c) => c.id === id);
  if (!control) {
    const prefix = id.split('.').slice(0, -1).join('.');
    const siblings = benchmark.controls.filter((c) => c.section === prefix || c.id.startsWith(`${prefix}.`)).map((c) => c.id);
    throw new UserError(
      `${benchmark.id} has no control ${id}.`,
      [],
      [
        siblings.length ? `Controls near it: ${siblings.join(', ')}.` : `Sections: ${benchmark.sections.map((s) => s.id).join(', ')}.`,
        `'cis-fix controls list --benchmark ${benchmark.id}' lists them all.`,
      ],
    );
  }
  const variableNames = usedVariables(control);
  return {
    benchmark: summarize(benchmark),
    sectionTitle: benchmark.sections.find((s) => s.id === control.section)?.title ?? '',
    control,
    parameters: control.parameters.map((name) => benchmark.parameters[name]).filter((p): p is Parameter => p !== undefined),
    variables: variableNames.map((name) => benchmark.variables[name]).filter((v): v is PathVariable => v !== undefined),
  };
}

async function load(request: ControlsRequest): Promise<Benchmark> {
  return request.playbooksDir === undefined ? loadBenchmark(request.benchmark) : loadBenchmark(request.benchmark, request.playbooksDir);
}

function summarize(benchmark: Benchmark): BenchmarkSummary {
  return { id: benchmark.id, title: benchmark.title, version: benchmark.version, kubernetesVersions: benchmark.kubernetesVersions };
}

/** "file-mode", "static-pod-flag+support-file", "manual" or "provider-managed". */
export function fixSummary(control: Control): string {
  if (control.fix === 'manual' || control.fix === 'provider-managed') return control.fix;
  return [...new Set(control.ensure.map((step) => step.kind))].join('+');
}

function usedVariables(control: Control): string[] {
  const names: string[] = [];
  const add = (name: string | undefined) => {
    if (name !== undefined && !names.includes(name)) names.push(name);
  };
  const audit = control.kubeBench.audit;
  if (audit?.source === 'stat') {
    for (const f of audit.files) {
      if (f.select === 'variable') add(f.variable);
      if (f.select === 'process-flag') add(f.fallbackVariable);
    }
  }
  if (audit?.source === 'process') add(audit.config?.variable);
  if (control.fix === 'ensure') for (const step of control.ensure) for (const name of stepVariables(step)) add(name);
  return names;
}

function stepVariables(step: EnsureStep): string[] {
  const templates: unknown[] = [];
  switch (step.kind) {
    case 'file-mode':
    case 'file-owner':
    case 'support-file':
      templates.push(step.path);
      break;
    case 'static-pod-flag':
    case 'kubelet-setting':
    case 'kube-proxy-setting': {
      const r = step.requirement;
      if (r.op === 'equals') templates.push(r.value);
      if (r.op === 'present') templates.push(r.setIfAbsent);
      break;
    }
    case 'api-object':
      break;
  }
  return templates.flatMap((t) => (typeof t === 'string' ? templateVariables(t) : []));
}
