import type { Finding } from '../model/finding.js';
import type { Benchmark, Control } from '../playbook/types.js';
import { appliesToNode, controlFamily, type ControlFamily } from './control-family.js';
import { evaluateFileControl } from './file-controls.js';
import { evaluateKubeletControl } from './kubelet-controls.js';
import { evaluateKubeProxyFlagControl } from './kube-proxy-flag-controls.js';
import { kubeletView } from './kubelet-setting.js';
import type { NodeContext } from './node-context.js';
import { resolveAllVariables } from './resolve-variables.js';
import { evaluateStaticPodControl } from './static-pod-controls.js';

/**
 * Invariants: one finding per node-scoped control that applies to the
 * node's roles (cluster controls are evaluateCluster's), file controls
 * first, then static-pod flags, then kubelet settings, each group in the
 * order of `controls`; every `fail` finding is `fixable: false` until the
 * plan decides (failing-finding.ts).
 */
export interface NodeEvaluation {
  readonly findings: readonly Finding[];
  /** The benchmark's path variables as resolved on this node, for planning. */
  readonly variables: Readonly<Record<string, readonly string[]>>;
}

/** The order of the families in a node's findings. */
const FAMILY_ORDER: readonly Exclude<ControlFamily, 'cluster'>[] = ['file', 'static-pod', 'kubelet', 'kube-proxy'];

/**
 * Judge every node-scoped control that applies to this node: the verdict,
 * what was expected and observed, and kube-bench's verdict on the same
 * facts. Pure; says nothing about changes.
 */
export function evaluateNode(benchmark: Benchmark, controls: readonly Control[], ctx: NodeContext): NodeEvaluation {
  const variables = resolveAllVariables(benchmark, ctx.facts);
  const applicable = controls.filter((c) => appliesToNode(c, ctx.roles));
  let view: ReturnType<typeof kubeletView> | undefined;
  const findings: Finding[] = [];
  for (const family of FAMILY_ORDER) {
    for (const control of applicable) {
      if (controlFamily(control) !== family) continue;
      switch (family) {
        case 'file':
          findings.push(evaluateFileControl(control, benchmark, variables, ctx));
          break;
        case 'static-pod':
          if (control.fix === 'ensure') findings.push(evaluateStaticPodControl(control, variables, ctx));
          break;
        case 'kubelet':
          view ??= kubeletView(ctx.facts);
          if (control.fix === 'ensure') findings.push(evaluateKubeletControl(control, variables, ctx, view));
          break;
        case 'kube-proxy':
          if (control.fix === 'ensure') findings.push(evaluateKubeProxyFlagControl(control, variables, ctx));
          break;
        default: {
          const never: never = family;
          throw new Error(`unknown control family ${String(never)}`);
        }
      }
    }
  }
  return { findings, variables };
}
