import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../model/errors.js';
import { BENCHMARK_FILE, buildBenchmark, type PlaybookText } from './build-benchmark.js';
import { explainIssues } from '../model/explain-zod-issue.js';
import { benchmarkFileSchema } from './schema.js';
import { BENCHMARK_IDS, type Benchmark, type BenchmarkId, type Distribution, type KubernetesVersionRange } from './types.js';
import { parseYamlSource } from './yaml-source.js';

/**
 * The playbooks shipped with cis-fix: `<package root>/playbooks`, found from
 * this module's own location so it works from dist/ (dist/playbook/…) and
 * from the TypeScript sources under ts-jest (src/playbook/…) alike.
 */
export function defaultPlaybooksDir(): string {
  return fileURLToPath(new URL('../../playbooks', import.meta.url));
}

/**
 * Loads and validates one benchmark's playbooks from `dir/<id>/`: the
 * benchmark.yaml, variables.yaml and parameters.yaml files and every other
 * `*.yaml` file as a section file. Rejects the whole benchmark — with every
 * problem in every file at once, as one UserError with file, line and fix —
 * when anything is wrong.
 */
export async function loadBenchmark(id: BenchmarkId, dir: string = defaultPlaybooksDir()): Promise<Benchmark> {
  const benchmarkDir = join(dir, id);
  let names: string[];
  try {
    names = (await readdir(benchmarkDir)).filter((name) => /\.ya?ml$/.test(name));
  } catch (cause) {
    throw new UserError(
      `There are no playbooks for ${id}: ${benchmarkDir} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`,
      [],
      [`Available benchmarks: ${BENCHMARK_IDS.join(', ')}; the playbooks ship in ${dir}.`],
    );
  }
  const files: PlaybookText[] = await Promise.all(
    names.sort().map(async (name) => {
      const file = join(benchmarkDir, name);
      return { name, file, text: await readFile(file, 'utf8') };
    }),
  );
  return buildBenchmark(id, benchmarkDir, files);
}

/** What benchmark.yaml says about a benchmark, without loading its controls. */
export interface BenchmarkInfo {
  readonly id: BenchmarkId;
  readonly title: string;
  readonly version: string;
  readonly kubernetesVersions: KubernetesVersionRange;
  readonly distribution: Distribution;
}

/**
 * The benchmarks with playbooks in `dir`, newest Kubernetes range first.
 * Only benchmark.yaml is read; loadBenchmark validates the rest.
 */
export async function listBenchmarks(dir: string = defaultPlaybooksDir()): Promise<BenchmarkInfo[]> {
  const infos: BenchmarkInfo[] = [];
  for (const id of BENCHMARK_IDS) {
    const file = join(dir, id, BENCHMARK_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const source = parseYamlSource(file, text);
    const parsed = benchmarkFileSchema.safeParse(source.data);
    if (source.problems.length || !parsed.success) {
      throw new UserError(
        `${file} is not valid:`,
        source.problems.length ? source.problems : explainIssues(parsed.error?.issues ?? [], benchmarkFileSchema, source),
      );
    }
    infos.push({
      id,
      title: parsed.data.title,
      version: parsed.data.version,
      kubernetesVersions: { from: parsed.data.kubernetesVersions.from, to: parsed.data.kubernetesVersions.to },
      distribution: parsed.data.distribution ?? 'kubeadm',
    });
  }
  return infos.sort((a, b) => minorOf(b.kubernetesVersions.from) - minorOf(a.kubernetesVersions.from));
}

/**
 * The benchmark for a Kubernetes version ("v1.31.4", "1.33"), as kube-bench
 * maps it: the benchmark whose range holds its minor version; newer than
 * every range → the newest benchmark; older than every range → undefined.
 * Only `distribution` (default kubeadm) benchmarks take part: kube-bench
 * picks the distribution benchmarks by platform, never by version alone.
 */
export function selectBenchmark(
  kubernetesVersion: string,
  benchmarks: readonly BenchmarkInfo[],
  distribution: Distribution = 'kubeadm',
): BenchmarkInfo | undefined {
  const match = /^v?1\.(\d+)/.exec(kubernetesVersion.trim());
  if (!match) return undefined;
  const wanted = Number(match[1]);
  const newestFirst = benchmarks
    .filter((b) => b.distribution === distribution)
    .sort((a, b) => minorOf(b.kubernetesVersions.from) - minorOf(a.kubernetesVersions.from));
  return (
    newestFirst.find(
      (b) => wanted >= minorOf(b.kubernetesVersions.from) && (b.kubernetesVersions.to === undefined || wanted <= minorOf(b.kubernetesVersions.to)),
    ) ?? (newestFirst[0] && wanted > minorOf(newestFirst[0].kubernetesVersions.to ?? newestFirst[0].kubernetesVersions.from) ? newestFirst[0] : undefined)
  );
}

function minorOf(version: string): number {
  return Number(version.split('.')[1] ?? 0);
}
