import { ETCD_DROP_IN_DIRS, ETCD_ENV_FILES, ETCD_UNIT_FILES } from '../../facts/candidate-paths.js';
import { resolveSystemdService, type ServiceLayout } from '../../facts/kubelet-service.js';
import { flagOccurrences } from '../../facts/process-flags.js';
import type { KubeletServiceFacts, NodeFacts } from '../../facts/types.js';
import type { StaticPodFlagStep } from '../../playbook/types.js';
import type { FlagReading } from '../static-pod/flag-judgement.js';
import { judgeFlagStep } from '../static-pod/flag-judgement.js';
import type { ParameterValues, VariableValues } from '../static-pod/flag-requirement.js';
import { reconstructServiceCommandLine, type KubeletCommandLine } from '../kubelet/kubelet-command-line.js';

/**
 * etcd run by systemd instead of as a static pod (kubeadm's external etcd;
 * DESIGN.md §7 "external etcd: its unit and environment file"). Its settings
 * come from two places, and etcd reads both: flags on the command line
 * systemd builds from the unit (and its drop-ins, `$VAR`s expanded), and
 * ETCD_* variables of the service environment (`Environment=`,
 * `EnvironmentFile=`), one per flag (`--client-cert-auth` is
 * ETCD_CLIENT_CERT_AUTH). etcd 3.4 refuses to start when a flag and its
 * variable are both set ("conflicting environment variable ... is shadowed
 * by corresponding command-line flag"). Pure.
 */

export const ETCD_UNIT = 'etcd.service';

export const ETCD_SERVICE_LAYOUT: ServiceLayout = {
  unitName: ETCD_UNIT,
  unitFiles: ETCD_UNIT_FILES,
  dropInDirs: ETCD_DROP_IN_DIRS,
  wellKnownEnvironmentFiles: ETCD_ENV_FILES,
};

/**
 * The sources of an etcd service. Invariant: `argv` is undefined exactly
 * when the command line cannot be rebuilt (`problems` says why).
 */
export interface EtcdServiceSource {
  readonly service: KubeletServiceFacts & { readonly unitFile: string };
  readonly commandLine: KubeletCommandLine;
  readonly argv: readonly string[] | undefined;
  readonly problems: readonly string[];
}

const MANIFEST_FILE = /\.(ya?ml|json|manifest)$/;
const known = new WeakMap<NodeFacts, Map<string, EtcdServiceSource | undefined>>();

/**
 * The etcd service of this node, or undefined when etcd is a static pod
 * here (its manifest exists) or no etcd unit exists. `manifest` is the etcd
 * manifest variable as resolved on the node: kube-bench's candidates end
 * with the unit file itself, so a unit there is not a manifest.
 */
export function etcdServiceSource(facts: NodeFacts, manifest: string | undefined): EtcdServiceSource | undefined {
  const memo = known.get(facts) ?? new Map<string, EtcdServiceSource | undefined>();
  known.set(facts, memo);
  const key = manifest ?? '';
  if (memo.has(key)) return memo.get(key);
  const source = readSource(facts, manifest);
  memo.set(key, source);
  return source;
}

function readSource(facts: NodeFacts, manifest: string | undefined): EtcdServiceSource | undefined {
  if (manifest !== undefined && MANIFEST_FILE.test(manifest) && facts.paths[manifest]?.exists) return undefined;
  const service = resolveSystemdService(facts.paths, facts.listings, ETCD_SERVICE_LAYOUT);
  if (service.unitFile === null) return undefined;
  const commandLine = reconstructServiceCommandLine(facts, service, ETCD_UNIT);
  const blocking = commandLine.problems.filter((p) => p.blocking).map((p) => p.message);
  const argv = commandLine.words === undefined || blocking.length > 0 ? undefined : commandLine.words.map((w) => w.text);
  return { service: { ...service, unitFile: service.unitFile }, commandLine, argv, problems: blocking };
}

/** The service variable etcd reads for a flag: `--peer-client-cert-auth` → ETCD_PEER_CLIENT_CERT_AUTH. */
export function etcdVariableFor(flag: string): string {
  return `ETCD_${flag.replace(/^-+/, '').toUpperCase().replace(/-/g, '_')}`;
}

/** How etcd gets one setting: from its command line, from its variable, or not at all. */
export type EtcdSetting =
  | { readonly kind: 'flag'; readonly readings: readonly FlagReading[] }
  | { readonly kind: 'variable'; readonly variable: string; readonly value: string }
  | { readonly kind: 'unset'; readonly variable: string }
  | { readonly kind: 'problem'; readonly problem: string };

export function etcdSetting(source: EtcdServiceSource, flag: string): EtcdSetting {
  if (source.argv === undefined) return { kind: 'problem', problem: source.problems.join('; ') || `cis-fix cannot rebuild etcd's command line` };
  const variable = etcdVariableFor(flag);
  const assigned = source.commandLine.variables.get(variable);
  const occurrences = flagOccurrences(source.argv, flag);
  if (occurrences.length > 0 && assigned !== undefined) {
    return {
      kind: 'problem',
      problem: `${flag} is on etcd's command line and ${variable} is set in ${assigned.file}: etcd refuses to start with both; remove one by hand`,
    };
  }
  if (occurrences.length > 0) {
    return {
      kind: 'flag',
      readings: occurrences.map((o) => ({ value: o.value ?? 'true', form: o.form, singleDash: !(source.argv?.[o.index] ?? '').startsWith('--') })),
    };
  }
  return assigned === undefined ? { kind: 'unset', variable } : { kind: 'variable', variable, value: assigned.value.text };
}

/** What a setting looks like to a flag judgement: a variable is read as `--flag=value`. */
export function settingReadings(setting: EtcdSetting): readonly FlagReading[] {
  switch (setting.kind) {
    case 'flag':
      return setting.readings;
    case 'variable':
      return [{ value: setting.value, form: 'equals', singleDash: false }];
    case 'unset':
    case 'problem':
      return [];
    default: {
      const never: never = setting;
      return never;
    }
  }
}

/** "etcd --auto-tls=true (drop-in)", "ETCD_CLIENT_CERT_AUTH=false", "ETCD_PEER_CLIENT_CERT_AUTH not set". */
export function describeSetting(flag: string, setting: EtcdSetting): string {
  switch (setting.kind) {
    case 'flag':
      return `etcd ${setting.readings.map((r) => `${flag}=${r.value}`).join(' ')}`;
    case 'variable':
      return `${setting.variable}=${setting.value}`;
    case 'unset':
      return `etcd ${flag} and ${setting.variable} not set`;
    case 'problem':
      return setting.problem;
    default: {
      const never: never = setting;
      return never;
    }
  }
}

/**
 * A `static-pod-flag` step for etcd judged on the etcd service, or
 * undefined when etcd is not a systemd service on this node (the manifest
 * judgement applies).
 */
export function judgeEtcdServiceStep(
  step: StaticPodFlagStep,
  facts: NodeFacts,
  manifest: string | undefined,
  parameters: ParameterValues,
  variables: VariableValues,
): { readonly satisfied: boolean; readonly observed: string } | undefined {
  if (step.component !== 'etcd') return undefined;
  const source = etcdServiceSource(facts, manifest);
  if (!source) return undefined;
  const setting = etcdSetting(source, step.flag);
  if (setting.kind === 'problem') return { satisfied: false, observed: setting.problem };
  const satisfied = judgeFlagStep(step, settingReadings(setting), parameters, variables).kind === 'satisfied';
  return { satisfied, observed: describeSetting(step.flag, setting) };
}
