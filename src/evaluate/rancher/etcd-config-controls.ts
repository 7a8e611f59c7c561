import type { NodeFacts } from '../../facts/types.js';
import type { Finding } from '../../model/finding.js';
import type { Role } from '../../model/roles.js';
import type { EnsureControl } from '../../playbook/types.js';
import { componentSource, rancherLayoutOf } from '../component-source.js';
import { NO_CHANGE_PLANNED } from '../failing-finding.js';
import { fileAuditVerdict } from '../kube-bench/file-audit.js';
import { findFlagValue } from '../kube-bench/test-items.js';
import type { NodeContext } from '../node-context.js';
import { ETCD_CONFIG_FILE } from './etcd-config-file.js';

type Variables = Readonly<Record<string, readonly string[]>>;

/**
 * RKE2's etcd reads only its generated config file (etcd-config-file.ts),
 * which is also what kube-bench's rke2 2.x checks `cat`: on such a node an
 * etcd flag control is judged on that file, exactly by kube-bench's rules,
 * and nowhere else (etcd's command line holds only --config-file). Pure.
 */
export interface GeneratedEtcdConfig {
  readonly path: string;
  /** The file as gathered (credential values redacted); undefined when absent or not gathered. */
  readonly text: string | undefined;
  /** True when `text` is the file byte for byte, so a prediction may start from it. */
  readonly verbatim: boolean;
}

/** The generated etcd config of an RKE2 node whose etcd `etcd-arg` configures; undefined elsewhere. */
export function generatedEtcdConfig(facts: NodeFacts, roles: readonly Role[], variables: Variables): GeneratedEtcdConfig | undefined {
  const layout = rancherLayoutOf(facts);
  if (layout?.distribution !== 'rke2') return undefined;
  const source = componentSource('etcd', facts, roles, variables);
  if (source.kind !== 'rancher-config') return undefined;
  const path = `${layout.dataDir}/${ETCD_CONFIG_FILE}`;
  const entry = facts.paths[path];
  if (!entry?.exists || entry.content.kind !== 'text') return { path, text: undefined, verbatim: false };
  return { path, text: entry.content.text, verbatim: entry.content.verbatim && entry.sha256 !== undefined };
}

/** True when every flag step of the control sets etcd and kube-bench reads it from a file (`cat $etcdconf`). */
export function isEtcdConfigFileControl(control: EnsureControl): boolean {
  const flagSteps = control.ensure.filter((s) => s.kind === 'static-pod-flag');
  return control.kubeBench.audit?.source === 'file' && flagSteps.length > 0 && flagSteps.every((s) => s.component === 'etcd');
}

/** The control's finding from the generated file, or undefined when etcd is not run that way on this node. */
export function judgeGeneratedEtcdControl(control: EnsureControl, ctx: NodeContext, variables: Variables, expected: string): Finding | undefined {
  if (!isEtcdConfigFileControl(control)) return undefined;
  const config = generatedEtcdConfig(ctx.facts, ctx.roles, variables);
  if (!config) return undefined;
  const kubeBench = fileAuditVerdict(control.kubeBench, config.text);
  const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench, expected: `${expected} (in ${config.path}, as kube-bench reads it)` };
  if (kubeBench !== 'FAIL') return { ...base, status: 'pass', actual: `${config.path} complies`, fixable: false };
  const actual =
    config.text === undefined
      ? `${config.path} could not be read`
      : [...new Set(control.kubeBench.tests?.items.flatMap((i) => (i.flag === undefined ? [] : [i.flag])) ?? [])]
          .map((flag) => {
            const found = findFlagValue(config.text!, flag);
            return found.found ? `${flag}: ${found.value} (first in ${config.path})` : `${flag} not in ${config.path}`;
          })
          .join('; ') || `${config.path} does not comply`;
  return { ...base, status: 'fail', actual, fixable: false, notFixableReason: NO_CHANGE_PLANNED };
}
