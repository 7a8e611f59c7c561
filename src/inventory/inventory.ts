import { BENCHMARK_IDS } from '../model/benchmark-id.js';
import type { NodeSpec } from '../model/node.js';

/** Which benchmark to check against; `auto` picks it from the cluster's versions. */
export const BENCHMARK_CHOICES = ['auto', ...BENCHMARK_IDS] as const;
export type BenchmarkChoice = (typeof BENCHMARK_CHOICES)[number];

/**
 * Playbook parameters as the inventory gives them: free-form names, values
 * as YAML gave them (scalars, lists, maps). Playbooks validate the values
 * they read; the inventory only guarantees it is a plain map.
 */
export type InventoryParameters = Readonly<Record<string, unknown>>;

/**
 * A node ready to connect to. Invariants (beyond NodeSpec's unique name):
 * `roles` are canonical (aliases normalized), de-duplicated and non-empty;
 * every path in `ssh` is absolute; `parameters` are the inventory's top-level
 * parameters with this node's own `parameters` merged over them, key by key.
 */
export interface InventoryNode extends NodeSpec {
  readonly parameters: InventoryParameters;
}

/**
 * A decision not to apply a control, as the inventory states it. Invariants:
 * `control` is an id or a glob (`*`, `?`) as `--only` takes them; `nodes`,
 * when set, is non-empty and names only inventory nodes (else the waiver
 * holds on every node and for the cluster); `reason` and `owner` are not
 * blank; `expires` is a real YYYY-MM-DD date, the last day the waiver holds.
 */
export interface InventoryWaiver {
  readonly control: string;
  readonly nodes: readonly string[] | undefined;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

/**
 * A validated inventory. Invariants: `file` is absolute; `digest` is the
 * lowercase hex sha256 of the exact bytes that were parsed (a plan records it
 * so `apply` can tell the inventory changed); `nodes` is non-empty, in file
 * order, with unique names (case-insensitively) and unique
 * host:port-via-proxy endpoints; `cluster.kubeconfig`, when set, is absolute.
 */
export interface Inventory {
  readonly file: string;
  readonly digest: string;
  readonly cluster: {
    readonly name: string | undefined;
    /** Without it, API checks are skipped (and the plan says so). */
    readonly kubeconfig: string | undefined;
    readonly context: string | undefined;
  };
  readonly benchmark: BenchmarkChoice;
  /** Top-level parameters only; each node carries its merged view. */
  readonly parameters: InventoryParameters;
  readonly nodes: readonly InventoryNode[];
  /** In file order; empty when the inventory has none. */
  readonly waivers: readonly InventoryWaiver[];
}

/** What the pure parser needs from the environment; tests pass their own. */
export interface ParseInventoryOptions {
  /** Read for HOME, USER and LOGNAME. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What `~` expands to. Default: env.HOME, else the OS's home directory. */
  readonly homeDir?: string;
  /** The SSH user when the inventory names none. Default: env.USER, env.LOGNAME, else the OS account name. */
  readonly userName?: string;
}

export interface LoadInventoryOptions extends ParseInventoryOptions {
  /**
   * Check that identity files and the kubeconfig are readable and that
   * known-hosts files exist. Default true; `false` only validates the text
   * (e.g. for the shipped example, whose paths are placeholders).
   */
  readonly checkFiles?: boolean;
  /**
   * Treat a missing knownHostsFile as an error. Default true; `inventory
   * check --accept-new-host-keys` passes false because it creates the file.
   */
  readonly requireKnownHosts?: boolean;
}
