import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import type { LabDistributionName } from '../../lab/distributions/index.js';
import { labDown, labUp, nodeExec, type LabState } from '../../lab/lab.js';
import type { Scenario } from '../../lab/scenario.js';
import { runCli, type CliResult } from './cli.js';

/** One distribution e2e file's lab and cis-fix state, set up before its tests and torn down after them. */
export interface DistributionLab {
  /**
   * The lab instance. The same object from the start, filled in by the
   * file's first beforeAll (so a file can hold it in a const and its tests
   * read it as the lab state).
   */
  readonly lab: LabState;
  /** cis-fix's state directory for this file (CIS_FIX_STATE_DIR), removed after it. */
  readonly stateDir: string;
  /** The built CLI, with this file's state directory. */
  readonly cli: (...args: string[]) => Promise<CliResult>;
  /** A shell script run on one of the lab's nodes. */
  readonly sh: (node: string, script: string) => ReturnType<typeof nodeExec>;
}

export interface DistributionLabOptions {
  readonly nodes: number;
  /** The lab distribution; by default `name`. */
  readonly distribution?: LabDistributionName;
  /** By default the drifted layout, which every distribution test starts from. */
  readonly scenario?: Scenario;
}

/**
 * The set-up every test/e2e/distribution-*.test.ts shares: lab instance
 * `e2e-<name>` (recreated, so a run that died leaves nothing in the way),
 * a fresh state directory, and both torn down after the file. Call it at
 * the top level of the file, before its own beforeAll: hooks run in the
 * order they are registered, so the file's hooks see the lab up.
 */
export function distributionLab(name: string, options: DistributionLabOptions): DistributionLab {
  const instance = `e2e-${name}`;
  const lab = {} as LabState;
  const stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  beforeAll(async () => {
    const distribution = options.distribution ?? (name as LabDistributionName);
    Object.assign(lab, await labUp({ instance, nodes: options.nodes, scenario: options.scenario ?? 'drifted', distribution, recreate: true }));
  }, 180_000);
  afterAll(async () => {
    await labDown(instance);
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);
  return {
    lab,
    stateDir,
    cli: (...args) => runCli(args, { CIS_FIX_STATE_DIR: stateDir }),
    sh: (node, script) => nodeExec(lab, node, ['/bin/sh', '-c', script]),
  };
}
