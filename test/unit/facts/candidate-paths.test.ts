/**
 * One source of truth per fact (issue 9 §5): kube-bench's candidate paths in
 * src/facts/ and the playbooks' path variables (playbooks/<benchmark>/
 * variables.yaml) describe the same lists. These tests fail as soon as the
 * two diverge, or a path a variable can resolve to is not looked at by the
 * gathering script (it would then count as unknown on every node).
 */

import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_CONF,
  APISERVER_CONF,
  CONFIG_CANDIDATE_LISTS,
  CONTROLLER_MANAGER_CONF,
  ETCD_CONF,
  KUBELET_ENV_FILES,
  KUBELET_UNIT_FILES,
  SCHEDULER_CONF,
  STAT_ONLY_CANDIDATE_LISTS,
  SUPER_ADMIN_CONF,
  type CandidateList,
} from '../../../src/facts/candidate-paths.js';
import { FILE_FLAGS } from '../../../src/facts/file-flags.js';
import { FIXED_LISTINGS } from '../../../src/facts/listing-specs.js';
import { K3S_LISTINGS, K3S_STAT_FILES } from '../../../src/facts/k3s-paths.js';
import { resolvePaths } from '../../../src/facts/resolve-paths.js';
import type { PathFacts, PresentPath, ResolvedPaths } from '../../../src/facts/types.js';
import { MANIFEST_VARIABLES } from '../../../src/playbook/build-benchmark.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import { isGlob } from '../../../src/playbook/path-template.js';
import { BENCHMARK_IDS, type Benchmark, type PathVariable } from '../../../src/playbook/types.js';

const benchmarks: Benchmark[] = await Promise.all(BENCHMARK_IDS.map((id) => loadBenchmark(id)));
const LISTS: readonly CandidateList[] = [...CONFIG_CANDIDATE_LISTS, ...STAT_ONLY_CANDIDATE_LISTS];

/** Every path the gathering script stats on every node (listed directories aside). */
const LOOKED_AT = new Set([
  ...LISTS.flatMap((l) => [...l.cisFix, ...(l.default ? [l.default] : [])]),
  ADMIN_CONF,
  SUPER_ADMIN_CONF,
  ...KUBELET_UNIT_FILES,
  ...KUBELET_ENV_FILES,
  // Looked at on a node that shows k3s (the only nodes where these paths exist).
  ...K3S_STAT_FILES,
]);

function listed(path: string): boolean {
  return [...FIXED_LISTINGS, ...K3S_LISTINGS].some(
    (l) => path === l.dir || (path.startsWith(`${l.dir}/`) && path.slice(l.dir.length + 1).split('/').length <= l.depth),
  );
}

/** The ResolvedPaths entry that mirrors each kube-bench variable of the playbooks. */
const RESOLVED_KEY: Readonly<Record<string, keyof ResolvedPaths>> = {
  apiserverManifest: 'apiserverManifest',
  controllerManagerManifest: 'controllerManagerManifest',
  schedulerManifest: 'schedulerManifest',
  etcdManifest: 'etcdManifest',
  etcdDataDir: 'etcdDataDir',
  schedulerKubeconfig: 'schedulerKubeconfig',
  controllerManagerKubeconfig: 'controllerManagerKubeconfig',
  kubeletKubeconfig: 'kubeletKubeconfig',
  kubeletConfig: 'kubeletConfig',
  kubeletServiceFile: 'kubeletService',
  kubeletClientCaFile: 'kubeletCaFile',
  kubeProxyKubeconfig: 'proxyKubeconfig',
  kubeProxyConfig: 'proxyConfig',
};

/** The facts' list behind each static pod's manifest variable. */
const MANIFEST_LISTS: Readonly<Record<keyof typeof MANIFEST_VARIABLES, CandidateList>> = {
  'kube-apiserver': APISERVER_CONF,
  'kube-controller-manager': CONTROLLER_MANAGER_CONF,
  'kube-scheduler': SCHEDULER_CONF,
  etcd: ETCD_CONF,
};

function existing(path: string): PresentPath {
  return {
    path,
    exists: true,
    type: 'file',
    mode: '600',
    uid: 0,
    gid: 0,
    user: 'root',
    group: 'root',
    size: 0,
    device: 1,
    inode: 1,
    sha256: null,
    symlinkTarget: null,
    followed: null,
    content: { kind: 'not-gathered' },
  };
}

function kubeBenchVariables(benchmark: Benchmark): PathVariable[] {
  return Object.values(benchmark.variables).filter((v) => v.kubeBench !== undefined);
}

// The candidate lists of src/facts are kube-bench's generic (kubeadm) config; a distribution's benchmark
// has its own lists, and only has to resolve to paths the script looks at (the last test, for every benchmark).
const kubeadmBenchmarks = benchmarks.filter((b) => b.distribution === 'kubeadm');

describe.each(kubeadmBenchmarks.map((b) => [b.id, b] as const))("the facts' candidate paths and %s's variables", (_id, benchmark) => {
  it('list the same kube-bench candidates and default for every kube-bench variable', () => {
    const variables = kubeBenchVariables(benchmark);
    expect(variables.length).toBeGreaterThan(10);
    for (const variable of variables) {
      const lists = LISTS.filter((l) => l.variable === variable.kubeBench);
      expect({ variable: variable.name, lists: lists.length }).toEqual({ variable: variable.name, lists: expect.any(Number) });
      const same = lists.some((l) => JSON.stringify([l.kubeBench, l.default]) === JSON.stringify([variable.candidates, variable.default]));
      expect({ variable: variable.name, kubeBench: variable.kubeBench, sameAsFacts: same }).toEqual({
        variable: variable.name,
        kubeBench: variable.kubeBench,
        sameAsFacts: true,
      });
    }
    // Every kube-bench list of the facts is some variable's (none is left behind when a variable is dropped).
    const mirrored = new Set(variables.map((v) => v.kubeBench));
    expect(LISTS.map((l) => l.variable).filter((v) => !mirrored.has(v))).toEqual([]);
  });

  it('resolve each kube-bench variable to the path the facts say kube-bench checks', () => {
    for (const variable of kubeBenchVariables(benchmark)) {
      const key = RESOLVED_KEY[variable.name];
      expect({ variable: variable.name, mapped: key !== undefined }).toEqual({ variable: variable.name, mapped: true });
      const resolveWith = (present: readonly string[]) => {
        const paths: Record<string, PathFacts> = Object.fromEntries(present.map((p) => [p, existing(p)]));
        const resolved = resolvePaths({ paths, listings: {}, components: {} })[key!];
        return resolved && 'kubeBenchPath' in resolved ? resolved.kubeBenchPath : undefined;
      };
      // The first existing candidate wins (this one and every later one exist, none before it); with none, the default.
      variable.candidates.forEach((candidate, i) => {
        const earlier = variable.candidates.slice(0, i);
        if (earlier.includes(candidate)) return; // listed twice (kube-bench's $kubeletconf): the first occurrence decides
        const present = variable.candidates.slice(i).filter((p) => !earlier.includes(p));
        expect([variable.name, candidate, resolveWith(present)]).toEqual([variable.name, candidate, candidate]);
      });
      expect([variable.name, resolveWith([])]).toEqual([variable.name, variable.default]);
    }
  });

  it("name the manifest of each static pod with the facts' list for that component", () => {
    for (const [component, name] of Object.entries(MANIFEST_VARIABLES) as [keyof typeof MANIFEST_VARIABLES, string][]) {
      const variable = benchmark.variables[name];
      expect(variable?.candidates).toEqual(MANIFEST_LISTS[component].kubeBench);
      expect(variable?.default).toEqual(MANIFEST_LISTS[component].default);
    }
  });
});

describe.each(benchmarks.map((b) => [b.id, b] as const))("%s's variables", (_id, benchmark) => {
  it('can resolve only to paths the gathering script looks at', () => {
    const unseen: string[] = [];
    for (const variable of Object.values(benchmark.variables)) {
      for (const path of [...variable.candidates, ...(variable.default ? [variable.default] : [])]) {
        if (isGlob(path)) {
          const dir = path.slice(0, path.lastIndexOf('/'));
          if (!FIXED_LISTINGS.some((l) => l.dir === dir)) unseen.push(`${variable.name}: ${path}`);
        } else if (!LOOKED_AT.has(path) && !listed(path)) {
          unseen.push(`${variable.name}: ${path}`);
        }
      }
      // A `from` flag must be one the script follows to the file it names.
      for (const source of variable.from) {
        if (source.type === 'process-flag' && FILE_FLAGS[source.flag] === undefined) unseen.push(`${variable.name}: ${source.process} ${source.flag}`);
      }
    }
    expect(unseen).toEqual([]);
  });
});
