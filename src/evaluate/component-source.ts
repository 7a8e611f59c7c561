import type { NodeFacts } from '../facts/types.js';
import { RANCHER_DISTRIBUTIONS, type RancherDistributionPaths } from '../facts/rancher-paths.js';
import { MANIFEST_VARIABLES, type ManagedComponent } from '../model/components.js';
import type { Role } from '../model/roles.js';
import type { Control, EnsureStep, KubeletSettingStep, KubeProxySettingStep, StaticPodFlagStep } from '../playbook/types.js';
import { etcdServiceSource, type EtcdServiceSource } from './etcd-service/etcd-service-source.js';
import { generatedEtcdConfigProblem } from './rancher/etcd-config-file.js';
import { ARG_KEYS, configFileOrder, type ArgComponent, type ArgKey, type RancherConfigSource } from './rancher/rancher-config.js';

/**
 * The one question the planners ask before they write a component's setting
 * (DESIGN.md §7 "Distributions are layouts"): which source configures this
 * component on this node? A playbook step says WHAT must hold; the answer,
 * read from the node's facts, says WHERE it is written. Pure.
 *
 * - `own-files`: the component's own files as kubeadm lays them out (its
 *   static pod manifest, the kubelet's unit, environment files and config):
 *   the existing kinds edit them.
 * - `rancher-config`: RKE2 or k3s generates the component's manifest or
 *   command line from config.yaml (+ config.yaml.d) `*-arg` lists when its
 *   service starts: the `rancher-config` kind edits those, never what the
 *   distribution generates.
 *
 * - `etcd-service`: etcd run by systemd (external etcd) with no static pod
 *   manifest: its unit, drop-ins and ETCD_* environment files; the
 *   `etcd-service` kind edits the one that wins.
 *
 * A planner that meets a source it does not handle reports the step as not
 * fixable by it.
 */
export type ComponentSource = OwnFilesSource | RancherConfigSourceOf | EtcdServiceSourceOf;

/** The benchmark's path variables as resolved on the node (the etcd manifest's path decides whether etcd is a static pod). */
type Variables = Readonly<Record<string, readonly string[]>>;

export interface EtcdServiceSourceOf {
  readonly kind: 'etcd-service';
  readonly component: 'etcd';
  readonly service: EtcdServiceSource;
}

export interface OwnFilesSource {
  readonly kind: 'own-files';
  readonly component: ConfiguredComponent;
}

/**
 * What a playbook step may configure: the managed components and kube-proxy
 * (a `kube-proxy-setting` step judged on the node), which a distribution may
 * run inside its own service and configure from a `*-arg` key (k3s).
 */
export type ConfiguredComponent = ManagedComponent | 'kube-proxy';

/**
 * Invariants: `files` are the files the distribution reads, in its order
 * (config.yaml first, present or not); `problem`, when set, says why cis-fix
 * cannot tell what they set (a drop-in it cannot read): the step is then not
 * fixable, with that reason. A file gathered only redacted (it holds a
 * token) is read for its keys but never edited (`redacted`): it stops only
 * an edit that must touch it.
 */
export interface RancherConfigSourceOf {
  readonly kind: 'rancher-config';
  readonly component: ArgComponent;
  readonly key: ArgKey;
  readonly distribution: RancherDistributionPaths['distribution'];
  readonly configFile: string;
  /** The service whose restart makes the distribution read the files again. */
  readonly service: string;
  readonly files: readonly RancherFile[];
  /** Whether config.yaml.d exists: a drop-in may then be created there. */
  readonly dropInDir: boolean;
  readonly problem: string | undefined;
}

/**
 * A config file as gathered: its text and hash when it exists (sha256
 * undefined when absent). `redacted`: the text has credential values
 * replaced (a `token:`), so it tells which keys the file sets but may not be
 * the `before` of an edit (sha256 then undefined too).
 */
export interface RancherFile extends RancherConfigSource {
  readonly exists: boolean;
  readonly sha256: string | undefined;
  readonly redacted: boolean;
}

export function componentSource(component: ConfiguredComponent, facts: NodeFacts, roles: readonly Role[], variables: Variables): ComponentSource {
  const rancher = rancherLayoutOf(facts);
  if (rancher && component in ARG_KEYS) return rancherSource(component as ArgComponent, rancher, facts, roles);
  if (component === 'etcd') {
    const service = etcdServiceSource(facts, variables[MANIFEST_VARIABLES.etcd]?.[0]);
    if (service) return { kind: 'etcd-service', component, service };
  }
  return { kind: 'own-files', component };
}

/**
 * True when a step of the control sets a component that a source other than
 * its own files configures (`by` that source, when given): the kind of that
 * source plans the control, the kubeadm kinds (static-pod-manifest,
 * kubelet-file) leave it alone.
 */
export function configuredElsewhere(
  control: Control,
  facts: NodeFacts,
  roles: readonly Role[],
  variables: Variables,
  by?: Exclude<ComponentSource['kind'], 'own-files'>,
): boolean {
  if (control.fix !== 'ensure') return false;
  return control.ensure.some((step) => {
    const configured = stepComponent(step);
    if (configured === undefined) return false;
    const kind = componentSource(configured.component, facts, roles, variables).kind;
    return by === undefined ? kind !== 'own-files' : kind === by;
  });
}

/** A step that sets a component's configuration: a flag (or, for the kubelet, a config-file key) and its requirement. */
export type ComponentStep = StaticPodFlagStep | KubeletSettingStep | KubeProxySettingStep;

/**
 * The component whose configuration a step sets, with the step narrowed to
 * the kinds that do; undefined for steps on files or cluster objects.
 */
export function stepComponent(step: EnsureStep): { readonly component: ConfiguredComponent; readonly step: ComponentStep } | undefined {
  switch (step.kind) {
    case 'static-pod-flag':
      return { component: step.component, step };
    case 'kubelet-setting':
      return { component: 'kubelet', step };
    case 'kube-proxy-setting':
      return { component: 'kube-proxy', step };
    default:
      return undefined;
  }
}

/**
 * The routing question asked by the evaluators, which know the node but not
 * its roles: whether a distribution builds the component's command line from
 * a `*-arg` key of its config files (RKE2, k3s: no unit, flag file or
 * manifest of the component's own says what it runs with), and from which
 * files. Undefined when the component's own files configure it. The same
 * answer as componentSource's, without the service to restart.
 */
export function argListSource(component: ConfiguredComponent, facts: NodeFacts): ArgListSource | undefined {
  const rancher = rancherLayoutOf(facts);
  if (!rancher || !(component in ARG_KEYS)) return undefined;
  const { service: _service, ...source } = rancherSource(component as ArgComponent, rancher, facts, []);
  return source;
}

export type ArgListSource = Omit<RancherConfigSourceOf, 'service'>;

/** The Rancher distribution installed on the node, from its config, data directory, binary or units. */
export function rancherLayoutOf(facts: NodeFacts): RancherDistributionPaths | undefined {
  const present = (path: string) => facts.paths[path]?.exists === true;
  return RANCHER_DISTRIBUTIONS.find(
    (d) => present(d.configFile) || present(d.dataDir) || d.binaries.some(present) || d.unitFiles.some(present) || facts.listings[`${d.configFile}.d`]?.exists,
  );
}

function rancherSource(component: ArgComponent, layout: RancherDistributionPaths, facts: NodeFacts, roles: readonly Role[]): RancherConfigSourceOf {
  const listing = facts.listings[`${layout.configFile}.d`];
  const order = configFileOrder(layout.configFile, listing?.exists ? listing.entries : []);
  const problems: string[] = [];
  const files: RancherFile[] = [];
  for (const path of order) {
    const entry = facts.paths[path];
    if (!entry) {
      problems.push(`${path} was not gathered`);
      continue;
    }
    if (!entry.exists) {
      files.push({ path, text: '', exists: false, sha256: undefined, redacted: false });
      continue;
    }
    if (entry.content.kind === 'not-gathered') {
      problems.push(`${path}: its content was not gathered (a hidden drop-in or not a regular file), so cis-fix cannot tell what it sets`);
      continue;
    }
    if (entry.content.kind !== 'text') {
      problems.push(
        `${path} could not be read (${entry.content.kind === 'withheld' ? entry.content.reason : 'not gathered'}), so cis-fix cannot tell what it sets`,
      );
      continue;
    }
    // A token in config.yaml is RKE2's and k3s's documented layout: its keys still say which file sets what.
    if (!entry.content.verbatim || !entry.sha256) {
      files.push({ path, text: entry.content.text, exists: true, sha256: undefined, redacted: true });
      continue;
    }
    files.push({ path, text: entry.content.text, exists: true, sha256: entry.sha256, redacted: false });
  }
  // RKE2's etcd reads --config-file, which RKE2 generates with etcd-arg merged in: the edit is judged on a prediction of that file.
  const problem = component === 'etcd' && layout.distribution === 'rke2' ? generatedEtcdConfigProblem(facts, layout.dataDir) : undefined;
  if (problem) problems.push(problem);
  if (facts.truncated) problems.push('the node has more files than cis-fix lists, so the config.yaml.d drop-ins may be incomplete');
  const server = roles.includes('control-plane') || roles.includes('etcd');
  return {
    kind: 'rancher-config',
    component,
    key: ARG_KEYS[component],
    distribution: layout.distribution,
    configFile: layout.configFile,
    service: server ? layout.services.server : layout.services.agent,
    files,
    dropInDir: listing?.exists === true,
    problem: problems.length ? problems.join('; ') : undefined,
  };
}
