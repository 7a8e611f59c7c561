import type { Finding } from '../model/finding.js';
import type { Control, ProviderManagedControl } from '../playbook/types.js';

/**
 * The controls of a managed service that the cloud provider is responsible
 * for (EKS, GKE, AKS: the control plane, and the provider's own settings).
 * They are reported once per cluster with status `provider-managed` and the
 * benchmark's text — never `fail`, never dropped — whatever the facts say,
 * with or without API access. Pure.
 */
export function isProviderManagedControl(control: Control): control is ProviderManagedControl {
  return control.fix === 'provider-managed';
}

export function providerManagedFinding(control: ProviderManagedControl, node: string | undefined = undefined): Finding {
  return {
    controlId: control.id,
    node,
    status: 'provider-managed',
    title: control.title,
    expected: control.providerManaged.guidance,
    actual: control.providerManaged.reason,
    fixable: false,
    notFixableReason: control.providerManaged.reason,
    // kube-bench WARNs these (manual checks) or runs a cloud CLI against the provider's API: nothing cis-fix reproduces.
    kubeBench: control.kubeBench.type === 'manual' ? 'WARN' : undefined,
  };
}

/** The provider-managed findings of a run's controls, one per control (node undefined). */
export function evaluateProviderManaged(controls: readonly Control[]): Finding[] {
  return controls.filter(isProviderManagedControl).map((control) => providerManagedFinding(control));
}
