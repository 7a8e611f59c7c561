import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { gatherClusterFacts } from '../../../src/facts/cluster-facts.js';
import type { ObjectRef } from '../../../src/model/cluster-errors.js';
import { CRONJOB_COMMAND, kubernetesCronJob } from '../../../src/render/schedule.js';
import type { ClusterClient } from '../../../src/transport/cluster-client.js';
import { LISTABLE_RESOURCES, type ListableResource } from '../../../src/transport/cluster-resources.js';

// Images cannot be built on the development machines, so the Containerfile is
// checked by reading it: what it copies exists (or the build stage makes it),
// the runtime stage holds everything the npm package holds, and the CronJob
// that `schedule --kubernetes` prints runs the image's entrypoint with the
// least RBAC that lets cis-fix's own API reads through.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** The Containerfile as stages of instructions: comments dropped, `\` continuations joined. */
function readContainerfile(): Stage[] {
  const text = readFileSync(join(ROOT, 'Containerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [, op = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1], instructions: [] });
    stages[stages.length - 1]?.instructions.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') });
  }
  return stages;
}

interface Copy {
  readonly from: string | undefined;
  readonly sources: string[];
  /** Absolute, WORKDIR applied. */
  readonly dest: string;
}

/** The COPY instructions of a stage, with WORKDIR resolved. */
function copies(stage: Stage): Copy[] {
  let workdir = '/';
  const found: Copy[] = [];
  for (const { op, args } of stage.instructions) {
    if (op === 'WORKDIR') workdir = args;
    if (op !== 'COPY') continue;
    const words = args.split(' ');
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((w) => !w.startsWith('--'));
    const dest = paths.pop()!;
    found.push({ from, sources: paths, dest: dest.startsWith('/') ? dest : join(workdir, dest) });
  }
  return found;
}

const runs = (stage: Stage) => stage.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('Containerfile', () => {
  const stages = readContainerfile();
  const [build, runtime] = stages as [Stage, Stage];

  it('has a build stage and a runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', undefined]);
  });

  it('copies from the build context only files that exist in the repository and are not ignored', () => {
    const sources = stages
      .flatMap(copies)
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: dockerignore.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)) }).toEqual({ source, ignored: false });
    }
  });

  it('builds with the dev dependencies and keeps only the production ones', () => {
    const commands = runs(build).join(' && ');
    expect(commands).toMatch(/npm ci\b/);
    expect(commands).toMatch(/npm run build\b/);
    expect(commands).toMatch(/npm prune --omit=dev\b/);
  });

  it('copies into the runtime stage only what the build stage has: its own copies of the sources, or what npm ci and the build make', () => {
    const fromContext = copies(build).flatMap((c) => (c.sources.length === 1 && !c.dest.endsWith('/') ? [c.dest] : c.sources.map((s) => join(c.dest, s))));
    const outDir = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    expect(readFileSync(join(ROOT, 'scripts', 'oclif-manifest.mjs'), 'utf8')).toContain('oclif.manifest.json');
    const made = ['node_modules', outDir, 'oclif.manifest.json'].map((p) => join('/src', p));
    const fromBuild = copies(runtime).filter((c) => c.from !== undefined);
    expect(fromBuild.every((c) => c.from === 'build')).toBe(true);
    for (const source of fromBuild.flatMap((c) => c.sources)) {
      const available = [...fromContext, ...made].some((p) => source === p || source.startsWith(`${p}/`));
      expect({ source, available }).toEqual({ source, available: true });
    }
  });

  it('gives the runtime stage everything the npm package holds, plus its production dependencies', () => {
    const copied = copies(runtime).flatMap((c) => c.sources.map((s) => s.replace(/^\/src\//, '')));
    for (const entry of [...pkg.files, 'package.json', 'node_modules']) expect(copied).toContain(entry);
  });

  it('runs as a non-root user, its entrypoint the command the CronJob runs, linked to the package bin', () => {
    const user = runtime.instructions.filter((i) => i.op === 'USER').pop()?.args ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    const entrypoint = runtime.instructions.find((i) => i.op === 'ENTRYPOINT');
    expect(JSON.parse(entrypoint!.args)).toEqual(CRONJOB_COMMAND);
    const name = CRONJOB_COMMAND[0]!;
    const workdir = runtime.instructions.filter((i) => i.op === 'WORKDIR').pop()!.args;
    expect(runs(runtime)).toContain(`ln -s ${join(workdir, pkg.bin[name]!)} /usr/local/bin/${name}`);
  });
});

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[];
  roleRef?: { kind: string; name: string };
  spec?: unknown;
  data?: Record<string, string>;
}
interface CronJobPod {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: {
    image: string;
    command: string[];
    args: string[];
    env: { name: string; value: string }[];
    securityContext: Record<string, unknown>;
    volumeMounts: { name: string; mountPath: string }[];
  }[];
  volumes: { name: string; emptyDir?: unknown }[];
}

describe('schedule --kubernetes', () => {
  const text = kubernetesCronJob({
    bin: '/usr/local/bin/cis-fix',
    inventory: '/etc/cis-fix/inventory.yaml',
    calendar: 'daily',
    cron: '17 3 * * *',
    fix: false,
    stateDir: '/x',
    image: 'registry.example.com/cis-fix:0.1.0',
  });
  const docs = parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as K8sObject;
  });
  const cronJob = docs.find((d) => d.kind === 'CronJob')!;
  const pod = (cronJob.spec as { jobTemplate: { spec: { template: { spec: CronJobPod } } } }).jobTemplate.spec.template.spec;
  const container = pod.containers[0]!;
  const roleRules = (kind: string, name: string, namespace?: string) =>
    docs.find((d) => d.kind === kind && d.metadata.name === name && d.metadata.namespace === namespace)?.rules ?? [];

  /** Whether the printed RBAC lets the CronJob's service account do this. */
  function allowed(verb: string, group: string, resource: string, namespace: string | undefined, name?: string): boolean {
    const bound = docs.filter(
      (d) => (d.kind === 'RoleBinding' || d.kind === 'ClusterRoleBinding') && JSON.stringify(d).includes('"name":"cis-fix","namespace":"cis-fix"'),
    );
    return bound.some((binding) => {
      if (binding.kind === 'RoleBinding' && binding.metadata.namespace !== namespace) return false;
      const rules = roleRules(binding.roleRef!.kind, binding.roleRef!.name, binding.roleRef!.kind === 'Role' ? binding.metadata.namespace : undefined);
      return rules.some(
        (r) =>
          r.apiGroups.includes(group) &&
          r.resources.includes(resource) &&
          r.verbs.includes(verb) &&
          (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))),
      );
    });
  }

  it('says how to build the image from the Containerfile', () => {
    expect(text).toContain('podman build -f Containerfile -t registry.example.com/cis-fix:0.1.0 .');
    expect(text).toContain('docker build -f Containerfile');
  });

  it("runs the image's entrypoint as non-root on a read-only root, HOME and state on an emptyDir, never twice at once", () => {
    expect(container.command).toEqual(CRONJOB_COMMAND);
    expect(container.image).toBe('registry.example.com/cis-fix:0.1.0');
    expect(cronJob.spec).toMatchObject({ concurrencyPolicy: 'Forbid' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    const emptyDirs = new Set(pod.volumes.filter((v) => v.emptyDir !== undefined).map((v) => v.name));
    const writable = container.volumeMounts.filter((m) => emptyDirs.has(m.name)).map((m) => m.mountPath);
    for (const dir of [env['HOME']!, env['CIS_FIX_STATE_DIR']!, '/tmp']) expect(writable.some((m) => dir === m || dir.startsWith(`${m}/`))).toBe(true);
    expect(pod.volumes.some((v) => 'persistentVolumeClaim' in v)).toBe(false);
  });

  it("grants the Lease, the run records' Secrets, and nothing more than reads elsewhere", () => {
    expect(allowed('get', 'coordination.k8s.io', 'leases', 'kube-system', 'cis-fix')).toBe(true);
    expect(allowed('update', 'coordination.k8s.io', 'leases', 'kube-system', 'cis-fix')).toBe(true);
    expect(allowed('create', 'coordination.k8s.io', 'leases', 'kube-system')).toBe(true);
    expect(allowed('update', 'coordination.k8s.io', 'leases', 'kube-system', 'another-lease')).toBe(false);
    for (const verb of ['get', 'list', 'create', 'update']) expect(allowed(verb, '', 'secrets', 'cis-fix')).toBe(true);
    expect(allowed('get', '', 'secrets', 'kube-system')).toBe(false);
    expect(allowed('delete', '', 'secrets', 'cis-fix')).toBe(false);
    const writes = docs.flatMap((d) => d.rules ?? []).filter((r) => r.verbs.some((v) => !['get', 'list'].includes(v)));
    expect(writes.flatMap((r) => r.resources).sort()).toEqual(['leases', 'leases', 'secrets']);
  });

  it("lets every API read of the plan's cluster checks through", async () => {
    const calls: { verb: string; group: string; resource: string; namespace: string | undefined; name?: string }[] = [];
    const client = {
      server: 'https://kubernetes.default.svc',
      context: 'in-cluster',
      version: async () => ({ major: '1', minor: '32', gitVersion: 'v1.32.0' }),
      list: async (resource: ListableResource) => {
        calls.push({ verb: 'list', group: LISTABLE_RESOURCES[resource].group, resource: LISTABLE_RESOURCES[resource].plural, namespace: undefined });
        return [];
      },
      get: async (ref: ObjectRef) => {
        const type = Object.values(LISTABLE_RESOURCES).find((t) => t.kind === ref.kind)!;
        calls.push({ verb: 'get', group: type.group, resource: type.plural, namespace: ref.namespace, name: ref.name });
        return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      },
    } as unknown as ClusterClient;
    await gatherClusterFacts(client);
    expect(calls.length).toBeGreaterThan(5);
    for (const c of calls) expect({ ...c, allowed: allowed(c.verb, c.group, c.resource, c.namespace, c.name) }).toEqual({ ...c, allowed: true });
  });

  it('with --fix corrects only node-side drift, since the RBAC can change nothing through the API', () => {
    const fixing = parseAllDocuments(
      kubernetesCronJob({ bin: '', inventory: '/i.yaml', calendar: '', cron: '17 3 * * *', fix: true, stateDir: '', image: 'i' }),
    )
      .map((d) => d.toJS() as K8sObject)
      .find((d) => d.kind === 'CronJob')!;
    const args = (fixing.spec as { jobTemplate: { spec: { template: { spec: CronJobPod } } } }).jobTemplate.spec.template.spec.containers[0]!.args;
    expect(args).toEqual(['drift', '-i', '/etc/cis-fix-inventory/inventory.yaml', '--fix', '--yes', '--format', 'json', '--targets', 'master,etcd,node']);
  });
});
