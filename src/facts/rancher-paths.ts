import type { ListingSpec } from './listing-specs.js';

/**
 * What cis-fix gathers to know a Rancher distribution's layout (RKE2, k3s)
 * on a node, and to edit the source that configures its components: the
 * config.yaml each reads at start (its content: configuration), the
 * config.yaml.d drop-in directory (listed, the content of its .yaml/.yml
 * entries gathered like manifests), and the binaries, units and data
 * directories that say the distribution is installed (stat only).
 */

export interface RancherDistributionPaths {
  readonly distribution: 'rke2' | 'k3s';
  readonly configFile: string;
  readonly dataDir: string;
  readonly binaries: readonly string[];
  /** The services that read configFile: on a server, on an agent. */
  readonly services: { readonly server: string; readonly agent: string };
  readonly unitFiles: readonly string[];
}

const UNIT_DIRS = ['/etc/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

function layout(distribution: 'rke2' | 'k3s', services: { server: string; agent: string }): RancherDistributionPaths {
  return {
    distribution,
    configFile: `/etc/rancher/${distribution}/config.yaml`,
    dataDir: `/var/lib/rancher/${distribution}`,
    binaries: [`/usr/local/bin/${distribution}`, `/usr/bin/${distribution}`, `/opt/${distribution}/bin/${distribution}`],
    services,
    unitFiles: UNIT_DIRS.flatMap((dir) => [`${dir}/${services.server}.service`, `${dir}/${services.agent}.service`]),
  };
}

export const RANCHER_DISTRIBUTIONS: readonly RancherDistributionPaths[] = [
  layout('rke2', { server: 'rke2-server', agent: 'rke2-agent' }),
  layout('k3s', { server: 'k3s', agent: 'k3s-agent' }),
];

/** Their config files: gathered with content (redacted like every configuration: a `token:` makes the file not verbatim). */
export const RANCHER_CONFIG_FILES: readonly string[] = RANCHER_DISTRIBUTIONS.map((d) => d.configFile);

/** Files rke2-cis-1.8 checks by literal path (1.1.11, 1.1.13, 1.1.14): their mode and owner, never their content (credentials). */
const RKE2_BENCHMARK_PATHS = ['/var/lib/rancher/rke2/server/db/etcd', '/var/lib/rancher/rke2/server/cred/admin.kubeconfig'];

/** Stat'ed only: what says the distribution is installed here, and the files its benchmark names by path. */
export const RANCHER_MARKER_PATHS: readonly string[] = [
  ...RANCHER_DISTRIBUTIONS.flatMap((d) => [d.dataDir, ...d.binaries, ...d.unitFiles]),
  ...RKE2_BENCHMARK_PATHS,
];

/** The drop-in directories, listed with the content of their YAML entries. */
export const RANCHER_LISTINGS: readonly ListingSpec[] = RANCHER_DISTRIBUTIONS.map((d) => ({ dir: `${d.configFile}.d`, depth: 1, listing: 'manifests' }));
