/**
 * kube-bench's path variables resolved against one node's facts. Pure.
 *
 * kube-bench's rule (cmd/util.go): the first candidate that exists, else
 * the default. cis-fix applies the same rule to its extended lists, but
 * first asks the running node: a flag on the component's command line (or a
 * field of the kubelet's own config file) names the file really in use.
 * Each entry keeps `kubeBenchPath`, the file kube-bench itself will check.
 */

import { parse as parseYaml } from 'yaml';
import { memoByText } from './text-memo.js';

/** Read-only results, shared: the same config is resolved again for every simulated kubelet edit. */
const parseYamlOnce = memoByText((text: string): unknown => {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return undefined;
  }
});
import {
  ADMIN_CONF,
  APISERVER_CONF,
  CNI_NETWORKS_DIR,
  CONTROLLER_MANAGER_CONF,
  CONTROLLER_MANAGER_KUBECONFIG,
  ETCD_CONF,
  ETCD_DATA_DIR,
  KUBELET_CA_FILE,
  KUBELET_CONF,
  KUBELET_KUBECONFIG,
  KUBELET_SVC,
  MANIFESTS_DIR,
  PROXY_CONF,
  PROXY_KUBECONFIG,
  SCHEDULER_CONF,
  SCHEDULER_KUBECONFIG,
  SUPER_ADMIN_CONF,
  type CandidateList,
} from './candidate-paths.js';
import { existsFollowing, normalizePath, textContent } from './path-lookup.js';
import { flagOccurrences, flagValue } from './process-flags.js';
import type { Component, ComponentProcess, DirectoryListing, PathFacts, ResolvedPath, ResolvedPaths } from './types.js';

type Paths = Readonly<Record<string, PathFacts>>;

interface Inputs {
  readonly paths: Paths;
  readonly listings: Readonly<Record<string, DirectoryListing>>;
  readonly components: Readonly<Partial<Record<Component, ComponentProcess>>>;
}

/** kube-bench's own choice from its unextended list. */
function kubeBenchChoice(paths: Paths, list: CandidateList): string {
  return list.kubeBench.find((p) => existsFollowing(paths, p)) ?? list.default ?? list.kubeBench[0] ?? '';
}

function fromCandidates(paths: Paths, list: CandidateList, kubeBenchPath = kubeBenchChoice(paths, list)): ResolvedPath {
  const index = list.cisFix.findIndex((p) => existsFollowing(paths, p));
  const found = list.cisFix[index];
  if (found !== undefined) {
    return { path: found, source: 'candidate', origin: `${list.variable} candidate ${index + 1}`, exists: true, kubeBenchPath };
  }
  const path = list.default ?? list.cisFix[0] ?? '';
  return { path, source: 'default', origin: `${list.variable} default`, exists: existsFollowing(paths, path), kubeBenchPath };
}

function absolute(value: string | undefined): string | undefined {
  return value !== undefined && value.startsWith('/') ? normalizePath(value) : undefined;
}

/** The component's flag value when it is an absolute path, else the candidate rule. */
function flagOrCandidates(inputs: Inputs, component: Component, flag: string, list: CandidateList): ResolvedPath {
  const argv = inputs.components[component]?.argv;
  const value = absolute(argv ? flagValue(argv, flag) : undefined);
  if (value === undefined) return fromCandidates(inputs.paths, list);
  return {
    path: value,
    source: 'process-flag',
    origin: `${component} ${flag}`,
    exists: existsFollowing(inputs.paths, value),
    kubeBenchPath: kubeBenchChoice(inputs.paths, list),
  };
}

function hardCoded(paths: Paths, path: string): ResolvedPath {
  return { path, source: 'default', origin: 'hard-coded in cis-1.12', exists: existsFollowing(paths, path), kubeBenchPath: path };
}

function flagOnly(inputs: Inputs, component: Component, flag: string): ResolvedPath | null {
  const argv = inputs.components[component]?.argv;
  const value = absolute(argv ? flagValue(argv, flag) : undefined);
  if (value === undefined) return null;
  return { path: value, source: 'process-flag', origin: `${component} ${flag}`, exists: existsFollowing(inputs.paths, value), kubeBenchPath: value };
}

/** The running kubelet's config file, parsed; undefined when not gathered or not YAML/JSON. */
function kubeletConfigObject(paths: Paths, path: string): Record<string, unknown> | undefined {
  const text = textContent(paths, path);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = parseYamlOnce(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function field(object: unknown, ...keys: string[]): unknown {
  let at = object;
  for (const key of keys) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * 4.1.7/4.1.8: kube-bench takes `--client-ca-file=` (the `=` form only) from
 * the kubelet's command line, else $kubeletcafile. The kubelet itself also
 * honours authentication.x509.clientCAFile in its config file.
 */
function kubeletCaFile(inputs: Inputs, kubeletConfig: ResolvedPath): ResolvedPath {
  const argv = inputs.components.kubelet?.argv ?? [];
  const benchFlag = flagOccurrences(argv, '--client-ca-file').find((o) => o.form === 'equals')?.value ?? undefined;
  const kubeBenchPath = benchFlag ?? kubeBenchChoice(inputs.paths, KUBELET_CA_FILE);
  const flag = absolute(flagValue(argv, '--client-ca-file'));
  if (flag !== undefined) {
    return { path: flag, source: 'process-flag', origin: 'kubelet --client-ca-file', exists: existsFollowing(inputs.paths, flag), kubeBenchPath };
  }
  const fromConfig = absolute(stringOrUndefined(field(kubeletConfigObject(inputs.paths, kubeletConfig.path), 'authentication', 'x509', 'clientCAFile')));
  if (fromConfig !== undefined) {
    return {
      path: fromConfig,
      source: 'config-file',
      origin: `${kubeletConfig.path} authentication.x509.clientCAFile`,
      exists: existsFollowing(inputs.paths, fromConfig),
      kubeBenchPath,
    };
  }
  return fromCandidates(inputs.paths, KUBELET_CA_FILE, kubeBenchPath);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The kubelet's static pod directory: --pod-manifest-path, else staticPodPath
 * from its config file, else kubeadm's default. A manifest found there wins
 * over the candidate lists.
 */
function staticPodDir(inputs: Inputs, kubeletConfig: ResolvedPath): { dir: string; origin: string; source: ResolvedPath['source'] } {
  const argv = inputs.components.kubelet?.argv;
  const flag = absolute(argv ? flagValue(argv, '--pod-manifest-path') : undefined);
  if (flag !== undefined) return { dir: flag, origin: 'kubelet --pod-manifest-path', source: 'process-flag' };
  const configured = absolute(stringOrUndefined(field(kubeletConfigObject(inputs.paths, kubeletConfig.path), 'staticPodPath')));
  if (configured !== undefined) {
    return { dir: configured, origin: `${kubeletConfig.path} staticPodPath`, source: 'config-file' };
  }
  return { dir: MANIFESTS_DIR, origin: 'default', source: 'default' };
}

function manifest(inputs: Inputs, list: CandidateList, fileName: string, podDir: ReturnType<typeof staticPodDir>): ResolvedPath {
  if (podDir.dir !== MANIFESTS_DIR) {
    const path = `${podDir.dir}/${fileName}`;
    if (existsFollowing(inputs.paths, path)) {
      return { path, source: podDir.source, origin: podDir.origin, exists: true, kubeBenchPath: kubeBenchChoice(inputs.paths, list) };
    }
  }
  return fromCandidates(inputs.paths, list);
}

/**
 * 1.1.11/1.1.12: the last `--data-dir` of the running etcd that is a
 * directory, else $etcddatadir. The running etcd's own value wins for cis-fix
 * even when missing (it is what etcd uses).
 */
function etcdDataDir(inputs: Inputs): ResolvedPath {
  const argv = inputs.components.etcd?.argv ?? [];
  const values = flagOccurrences(argv, '--data-dir')
    .map((o) => o.value)
    .filter((v): v is string => v !== null);
  const benchDirs = values.filter((v) => {
    const facts = inputs.paths[normalizePath(v)];
    return facts?.exists === true && (facts.type === 'dir' || facts.followed?.type === 'dir');
  });
  const lastDir = benchDirs[benchDirs.length - 1];
  const kubeBenchPath = lastDir !== undefined ? normalizePath(lastDir) : kubeBenchChoice(inputs.paths, ETCD_DATA_DIR);
  const used = absolute(values[values.length - 1]);
  if (used === undefined) return fromCandidates(inputs.paths, ETCD_DATA_DIR, kubeBenchPath);
  return { path: used, source: 'process-flag', origin: 'etcd --data-dir', exists: existsFollowing(inputs.paths, used), kubeBenchPath };
}

function cniFiles(inputs: Inputs): string[] {
  const files = new Set<string>();
  const confDir = absolute(flagValue(inputs.components.kubelet?.argv ?? [], '--cni-conf-dir'));
  if (confDir !== undefined) for (const entry of inputs.listings[confDir]?.entries ?? []) files.add(entry);
  for (const entry of inputs.listings[CNI_NETWORKS_DIR]?.entries ?? []) {
    const facts = inputs.paths[entry];
    if (facts?.exists && facts.type === 'file') files.add(entry);
  }
  return [...files].sort();
}

export function resolvePaths(inputs: Inputs): ResolvedPaths {
  const kubeletConfig = flagOrCandidates(inputs, 'kubelet', '--config', KUBELET_CONF);
  const podDir = staticPodDir(inputs, kubeletConfig);
  return {
    apiserverManifest: manifest(inputs, APISERVER_CONF, 'kube-apiserver.yaml', podDir),
    controllerManagerManifest: manifest(inputs, CONTROLLER_MANAGER_CONF, 'kube-controller-manager.yaml', podDir),
    schedulerManifest: manifest(inputs, SCHEDULER_CONF, 'kube-scheduler.yaml', podDir),
    etcdManifest: manifest(inputs, ETCD_CONF, 'etcd.yaml', podDir),
    etcdDataDir: etcdDataDir(inputs),
    adminConf: hardCoded(inputs.paths, ADMIN_CONF),
    superAdminConf: hardCoded(inputs.paths, SUPER_ADMIN_CONF),
    schedulerKubeconfig: flagOrCandidates(inputs, 'kube-scheduler', '--kubeconfig', SCHEDULER_KUBECONFIG),
    controllerManagerKubeconfig: flagOrCandidates(inputs, 'kube-controller-manager', '--kubeconfig', CONTROLLER_MANAGER_KUBECONFIG),
    kubeletKubeconfig: flagOrCandidates(inputs, 'kubelet', '--kubeconfig', KUBELET_KUBECONFIG),
    kubeletConfig,
    kubeletService: fromCandidates(inputs.paths, KUBELET_SVC),
    kubeletCaFile: kubeletCaFile(inputs, kubeletConfig),
    proxyKubeconfig: flagOrCandidates(inputs, 'kube-proxy', '--kubeconfig', PROXY_KUBECONFIG),
    proxyConfig: flagOrCandidates(inputs, 'kube-proxy', '--config', PROXY_CONF),
    auditPolicyFile: flagOnly(inputs, 'kube-apiserver', '--audit-policy-file'),
    encryptionProviderConfig: flagOnly(inputs, 'kube-apiserver', '--encryption-provider-config'),
    cniFiles: cniFiles(inputs),
  };
}
