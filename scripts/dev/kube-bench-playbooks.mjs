#!/usr/bin/env node
// Writes playbooks/<id>/ for the distribution benchmarks kube-bench ships
// (rke2-cis-1.8, k3s-cis-1.9, eks-1.8.0, gke-1.9.0, aks-1.8) from the facts
// in kube-bench's check definitions: ids, titles, assessments, what each
// audit reads, the tests, and the benchmark's remediation text.
//
// Run by hand on a dev machine (never at build, test or run time), from the
// repository, with kube-bench's cfg directory (a checkout of
// github.com/aquasecurity/kube-bench at the version to follow):
//
//   npm run --silent build    # the script reads dist/facts/candidate-paths.js
//   node scripts/dev/kube-bench-playbooks.mjs [--check] [--drop-vanished] [--benchmark ID] KUBE_BENCH_CFG_DIR
//
// It MERGES into the playbooks in the tree (scripts/dev/playbook-merge.mjs):
// what comes from kube-bench (each control's id, section, title, assessment,
// scope/roles and kubeBench block; the files' head comments, benchmark and
// sections; the keys of benchmark.yaml and of the variables it writes) is
// regenerated, and what engineers wrote by hand (ensure, manual,
// providerManaged, notes, hand-added variables and keys, parameters.yaml,
// comments) is kept byte for byte. A control new in kube-bench gets the
// default below; one kube-bench no longer has is reported on stderr and kept
// unless --drop-vanished. --check writes nothing: it prints the diff and
// exits 1 when the playbooks differ from what it would write. On the tree as
// committed it writes nothing (the test for any change to this script).
// playbooks/README.md says how to upgrade kube-bench with it. It is not part
// of the shipped package. test/unit/playbook/distribution-playbooks.test.ts
// checks the result against the committed fact table (and against
// kube-bench's YAML when it is present).
//
// What it decides:
// - kube-bench's YAML is read with the failsafe schema: every scalar is the
//   text kube-bench's Go decoder sees ("5.10" stays "5.10", `value: false`
//   is "false").
// - An audit that is a plain `stat` of one variable or path, `ps` of a
//   component, `journalctl` of k3s, or `cat $etcdconf` becomes a structured
//   audit; anything else is `source: script` with a summary.
// - A new control gets `ensure` only for what cis-fix fixes with a file step:
//   file-mode / file-owner of one file that the facts layer gathers (a
//   kube-bench path variable, or a literal path in kube-bench's candidate
//   lists). Everything else is `manual` with the reason, or, on EKS, GKE
//   and AKS, `providerManaged` for the provider's control plane and
//   managed-service settings.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Document, isScalar, parse, stringify, visit } from 'yaml';
import { indexControls, mergeControlFile, mergeKeyedFile } from './playbook-merge.mjs';

const USAGE = 'usage: node scripts/dev/kube-bench-playbooks.mjs [--check] [--drop-vanished] [--benchmark ID] KUBE_BENCH_CFG_DIR';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const options = { check: false, dropVanished: false, benchmark: undefined };
const positional = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--check') options.check = true;
  else if (arg === '--drop-vanished') options.dropVanished = true;
  else if (arg === '--benchmark') options.benchmark = process.argv[++i];
  else if (arg === '--help' || arg === '-h') {
    console.log(USAGE);
    process.exit(0);
  } else if (arg.startsWith('-')) {
    console.error(`unknown option ${arg}\n${USAGE}`);
    process.exit(2);
  } else positional.push(arg);
}
const cfg = positional[0];
if (!cfg || positional.length > 1) {
  console.error(USAGE);
  process.exit(2);
}
const candidatePaths = await import(pathToFileURL(join(repo, 'dist/facts/candidate-paths.js')).href);
const GATHERED = new Set(
  [...candidatePaths.CONFIG_CANDIDATE_LISTS, ...candidatePaths.STAT_ONLY_CANDIDATE_LISTS].flatMap((l) => [...l.cisFix, ...(l.default ? [l.default] : [])]),
);

const BENCHMARKS = {
  'rke2-cis-1.8': {
    distribution: 'rke2',
    title: 'CIS RKE2 Kubernetes Benchmark',
    version: '1.8',
    versions: { from: '1.26' },
    name: 'RKE2',
    header: 'RKE2 runs the control plane as static pods whose manifests it generates from /etc/rancher/rke2/config.yaml.',
  },
  'k3s-cis-1.9': {
    distribution: 'k3s',
    title: 'CIS k3s Kubernetes Benchmark',
    version: '1.9',
    versions: { from: '1.27' },
    name: 'k3s',
    header: 'k3s runs every component inside one k3s process, configured by /etc/rancher/k3s/config.yaml; kube-bench reads their flags from journalctl -u k3s.',
  },
  'eks-1.8.0': {
    distribution: 'eks',
    title: 'CIS Amazon Elastic Kubernetes Service (EKS) Benchmark',
    version: '1.8.0',
    versions: { from: '1.28' },
    name: 'EKS',
    provider: 'AWS',
    header: 'AWS runs the EKS control plane; the customer hardens the worker nodes, the cluster policies and the AWS settings.',
  },
  'gke-1.9.0': {
    distribution: 'gke',
    title: 'CIS Google Kubernetes Engine (GKE) Benchmark',
    version: '1.9.0',
    versions: { from: '1.30' },
    name: 'GKE',
    provider: 'Google Cloud',
    header: 'Google runs the GKE control plane; the customer hardens the worker nodes, the cluster policies and the Google Cloud settings.',
  },
  'aks-1.8': {
    distribution: 'aks',
    title: 'CIS Azure Kubernetes Service (AKS) Benchmark',
    version: '1.8',
    versions: { from: '1.30' },
    name: 'AKS',
    provider: 'Azure',
    header: 'Azure runs the AKS control plane; the customer hardens the worker nodes, the cluster policies and the Azure settings.',
  },
};

/** The files of a benchmark directory that are not control files. */
const KEYED_FILES = ['benchmark.yaml', 'variables.yaml', 'parameters.yaml'];

if (options.benchmark && !(options.benchmark in BENCHMARKS)) {
  console.error(`unknown benchmark ${options.benchmark}: one of ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}

const FILES = ['master', 'controlplane', 'etcd', 'node', 'policies', 'managedservices'];

/** kube-bench variable → playbook variable, the config.yaml keys it comes from, its type. */
const VARIABLES = {
  apiserverconf: {
    name: 'apiserverManifest',
    at: ['master', 'apiserver', 'confs', 'defaultconf'],
    type: 'file',
    description: 'kube-apiserver static pod manifest',
  },
  controllermanagerconf: {
    name: 'controllerManagerManifest',
    at: ['master', 'controllermanager', 'confs', 'defaultconf'],
    type: 'file',
    description: 'kube-controller-manager static pod manifest',
  },
  schedulerconf: {
    name: 'schedulerManifest',
    at: ['master', 'scheduler', 'confs', 'defaultconf'],
    type: 'file',
    description: 'kube-scheduler static pod manifest',
  },
  etcdconf: {
    name: 'etcdConfig',
    at: ['etcd', 'etcd', 'confs', 'defaultconf'],
    type: 'file',
    description: "etcd's configuration (RKE2 and k3s: the config file they generate for the embedded etcd)",
  },
  etcddatadir: { name: 'etcdDataDir', at: ['etcd', 'etcd', 'datadirs', 'defaultdatadir'], type: 'directory', description: 'etcd data directory' },
  schedulerkubeconfig: {
    name: 'schedulerKubeconfig',
    at: ['master', 'scheduler', 'kubeconfig', 'defaultkubeconfig'],
    type: 'file',
    description: "kube-scheduler's kubeconfig",
  },
  controllermanagerkubeconfig: {
    name: 'controllerManagerKubeconfig',
    at: ['master', 'controllermanager', 'kubeconfig', 'defaultkubeconfig'],
    type: 'file',
    description: "kube-controller-manager's kubeconfig",
  },
  kubeletsvc: { name: 'kubeletServiceFile', at: ['node', 'kubelet', 'svc', 'defaultsvc'], type: 'file', description: "the kubelet's systemd unit or drop-in" },
  kubeletkubeconfig: {
    name: 'kubeletKubeconfig',
    at: ['node', 'kubelet', 'kubeconfig', 'defaultkubeconfig'],
    type: 'file',
    description: "the kubelet's kubeconfig",
  },
  kubeletcafile: {
    name: 'kubeletCaFile',
    at: ['node', 'kubelet', 'cafile', 'defaultcafile'],
    type: 'file',
    description: 'the CA the kubelet verifies clients with',
  },
  kubeletconf: {
    name: 'kubeletConfig',
    at: ['node', 'kubelet', 'confs', 'defaultconf'],
    type: 'file',
    description: "the kubelet's configuration file (RKE2: its kubelet.conf.d directory)",
  },
  proxykubeconfig: {
    name: 'kubeProxyKubeconfig',
    at: ['node', 'proxy', 'kubeconfig', 'defaultkubeconfig'],
    type: 'file',
    description: "kube-proxy's kubeconfig",
  },
  proxyconf: { name: 'kubeProxyConfig', at: ['node', 'proxy', 'confs', 'defaultconf'], type: 'file', description: "kube-proxy's configuration" },
};

const BINS = {
  apiserverbin: 'kube-apiserver',
  controllermanagerbin: 'kube-controller-manager',
  schedulerbin: 'kube-scheduler',
  etcdbin: 'etcd',
  kubeletbin: 'kubelet',
  proxybin: 'kube-proxy',
};

const variableIndex = new Map();
const globalConfig = parse(readFileSync(join(cfg, 'config.yaml'), 'utf8'));

// ---------------------------------------------------------------- controls

function buildControl(check, group, target, meta, used) {
  const suffix = /\s*\((Automated|Manual)\)\s*$/.exec(check.text);
  const title = check.text.replace(/\s*\((Automated|Manual)\)\s*$/, '').trim();
  const scored = check.scored === 'true';
  const type = check.type === 'manual' || check.type === 'skip' ? check.type : 'automated';
  const assessment = suffix ? suffix[1] : scored ? 'Automated' : 'Manual';
  const managedTarget = meta.provider && (target === 'controlplane' || target === 'managedservices' || target === 'master');
  const cluster = target === 'policies' || managedTarget;
  const kubeBench = { target, ...(type === 'automated' ? {} : { type }), scored };
  const audit = type === 'manual' ? undefined : convertAudit(check, used);
  if (audit) kubeBench.audit = audit.audit;
  if (check.use_multiple_values === 'true' && type !== 'manual') kubeBench.useMultipleValues = true;
  if (check.tests && type !== 'manual') kubeBench.tests = convertTests(check.tests);
  const quirks = [];
  if (type === 'automated' && !check.audit && !check.tests)
    quirks.push('kube-bench\'s check has neither an audit nor tests: kube-bench WARNs it ("There are no tests").');
  if (audit?.note) quirks.push(audit.note);
  if (!suffix) quirks.push(`kube-bench's title carries no (Automated)/(Manual) suffix; the assessment follows scored: ${scored}.`);
  if (quirks.length) kubeBench.notes = quirks.join(' ');

  const control = { id: check.id, section: group.id, title, assessment };
  if (cluster) control.scope = 'cluster';
  else control.roles = target === 'etcd' ? ['etcd'] : target === 'node' ? ['control-plane', 'etcd', 'worker'] : ['control-plane'];
  control.kubeBench = kubeBench;
  const guidance = remediation(check);
  if (managedTarget) {
    control.providerManaged = {
      reason:
        target === 'managedservices'
          ? `This is set in ${meta.provider}'s console, CLI or API for the ${meta.name} cluster, not on a node or through the Kubernetes API: cis-fix reports it for the account owner.`
          : `${meta.provider} runs the ${meta.name} control plane: its components and files are not reachable from the cluster's nodes.`,
      guidance,
    };
    return control;
  }
  const ensure = type === 'automated' && !cluster && audit ? fileSteps(audit.audit, kubeBench.tests, title) : undefined;
  if (ensure) {
    control.ensure = ensure;
    if (meta.distribution === 'rke2' || meta.distribution === 'k3s') {
      control.notes = `${meta.name} writes this file itself: cis-fix only tightens its mode or owner, never its content. ${meta.name} may set its own mode again when it restarts; drift reports that.`;
    }
    return control;
  }
  control.manual = { reason: manualReason(check, type, target, meta, audit), guidance };
  return control;
}

function remediation(check) {
  const text = (check.remediation ?? '').replace(/[ \t]+$/gm, '').trim();
  return text || 'The benchmark gives no remediation text for this check.';
}

// The default for a check kube-bench adds that nobody has mapped to a fix: an engineer replaces it
// with `ensure` steps or a true reason when reviewing the generator's diff.
const NO_FIX = 'cis-fix has no automatic fix for this check yet.';

function manualReason(check, type, target, meta, audit) {
  if (type === 'skip')
    return `kube-bench skips this check for ${meta.name} (it reports INFO): the benchmark treats it as not applicable to ${meta.name}'s layout.`;
  if (type === 'manual') return `A manual check in the ${meta.name} benchmark: it needs a human review, and kube-bench only WARNs.`;
  if (target === 'policies') {
    return `Cluster policies need decisions about the workloads (RBAC, Pod Security, network policies); cis-fix's api-object fixes are mapped to the cis-1.11/1.12 ids, not yet to ${meta.name}'s.`;
  }
  const source = audit?.audit.source;
  if (meta.distribution === 'rke2') {
    if (target === 'node' && source !== 'stat')
      return `${NO_FIX} RKE2 sets kubelet flags through kubelet-arg in /etc/rancher/rke2/config.yaml: set it there, never in the files RKE2 generates.`;
    if (source === 'stat' || source === 'script')
      return `${NO_FIX} It reads files cis-fix does not gather (RKE2 paths outside kube-bench's candidate lists, or a whole directory).`;
    return `${NO_FIX} RKE2 generates the static-pod manifests under /var/lib/rancher/rke2/agent/pod-manifests from /etc/rancher/rke2/config.yaml (kube-apiserver-arg, kube-controller-manager-arg, kube-scheduler-arg, etcd-arg): set the flag there, never in the generated files.`;
  }
  if (meta.distribution === 'k3s') {
    if (source === 'stat' || source === 'script')
      return `${NO_FIX} It reads files cis-fix does not gather (k3s paths outside kube-bench's candidate lists, or a whole directory).`;
    return `${NO_FIX} k3s runs this component inside its one k3s process, configured by the *-arg keys of /etc/rancher/k3s/config.yaml: set the flag there.`;
  }
  if (target === 'node' && source !== 'stat') {
    return `${NO_FIX} The kubelet's settings live in the ${meta.name} node image's kubelet configuration (${kubeletHome(meta.distribution)}). A node pool upgrade replaces the node: set it durably in the ${meta.distribution === 'eks' ? 'launch template / node group bootstrap' : 'node pool configuration'} as well.`;
  }
  return `${NO_FIX} It reads what cis-fix does not gather on ${meta.name} nodes.`;
}

function kubeletHome(distribution) {
  switch (distribution) {
    case 'eks':
      return 'JSON, /etc/kubernetes/kubelet/kubelet-config.json';
    case 'gke':
      return 'YAML, /home/kubernetes/kubelet-config.yaml';
    default:
      return '/etc/default/kubelet flags and the kubelet config file';
  }
}

/**
 * file-mode / file-owner steps when the audit stats one file the facts
 * layer gathers and the test is the usual bitmask / owner test.
 */
function fileSteps(audit, tests, title) {
  if (!audit || audit.source !== 'stat' || audit.files.length !== 1 || !tests) return undefined;
  const file = audit.files[0];
  let path;
  if (file.select === 'variable') {
    const v = variableByName(file.variable);
    if (!v || !v.gathered) return undefined;
    path = `{${file.variable}}`;
  } else if (file.select === 'path') {
    if (!GATHERED.has(file.path)) return undefined;
    path = file.path;
  } else return undefined;
  const items = tests.items;
  // "If it exists" in the title, or a test that accepts the audit's missing-file line: a missing file satisfies it.
  const acceptsMissing = audit.missingOutput !== undefined && tests.binOp === 'or' && items.some((i) => i.flag === audit.missingOutput && i.set !== false);
  const optional = /^if .*exists/i.test(title) || acceptsMissing || undefined;
  if (audit.format.startsWith('permissions=')) {
    const bitmask = items.find((i) => i.flag === 'permissions' && i.compare?.op === 'bitmask');
    if (!bitmask) return undefined;
    return [{ kind: 'file-mode', path, maxMode: bitmask.compare.value.padStart(3, '0').slice(-3), ...(optional ? { optional } : {}) }];
  }
  const ownerText = /^[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*$/;
  const owner =
    items.map((i) => i.flag).find((f) => ownerText.test(f ?? '')) ??
    items.find((i) => i.flag === 'ownership' && i.compare?.op === 'eq' && ownerText.test(i.compare.value))?.compare.value;
  if (!owner) return undefined;
  const [user, group] = owner.split(':');
  return [{ kind: 'file-owner', path, owner: user, group, ...(optional ? { optional } : {}) }];
}

function variableByName(name) {
  return variableIndex.get(name);
}

// ---------------------------------------------------------------- audits

function convertAudit(check, used) {
  const raw = (check.audit ?? '').trim();
  const config = (check.audit_config ?? '').trim();
  if (!raw && !config) return undefined;
  const useVar = (kbName) => {
    const v = VARIABLES[kbName];
    if (!v) throw new Error(`unknown kube-bench variable $${kbName} in ${check.id}`);
    used.add(kbName);
    return v.name;
  };
  const configVariable = () => {
    const m = /\$(kubeletconf|proxyconf|etcdconf)\b/.exec(config);
    return m ? useVar(m[1]) : undefined;
  };

  // ps of a component
  let m = /^\/bin\/ps -fC \$(\w+)$/.exec(raw);
  if (m && BINS[m[1]]) {
    const v = configVariable();
    const note = /test -d/.test(config) ? "When the config variable is a directory (RKE2's kubelet.conf.d), kube-bench reads every file in it." : undefined;
    return { audit: { source: 'process', process: BINS[m[1]], match: 'comm', ...(v ? { config: { variable: v } } : {}) }, note };
  }
  m = /^(?:\/bin\/)?ps -ef \| grep \$(\w+) \| grep -v grep$/.exec(raw);
  if (m && BINS[m[1]]) {
    const v = configVariable();
    return { audit: { source: 'process', process: BINS[m[1]], match: 'grep', ...(v ? { config: { variable: v } } : {}) } };
  }
  // k3s: the flags a component was started with, from the journal
  m = /^journalctl -m((?: -u [\w-]+)+) \| grep '([^']+)' \| tail -n1(?: \| grep (?:'([^']+)'|-o -- "([^"]+)"))?$/.exec(raw);
  if (m) {
    const units = m[1]
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '-u');
    const v = configVariable();
    const grep = m[3] ?? m[4];
    return {
      audit: { source: 'journal', units, line: m[2], ...(grep ? { grep } : {}), ...(v ? { config: { variable: v } } : {}) },
      note: m[4] ? `kube-bench prints only the matched text (grep -o ${m[4]}).` : undefined,
    };
  }
  // the etcd config file, for path items
  m = /^cat \$(etcdconf)$/.exec(raw || config);
  if (m) return { audit: { source: 'file', variable: useVar(m[1]) } };
  if (/grep -A1 'providers:'/.test(raw) && /encryption-provider-config/.test(raw)) return { audit: { source: 'encryption-providers' } };
  // one stat of one file
  const stat = statAudit(raw, useVar);
  if (stat) return { audit: stat };
  return { audit: scriptAudit(raw || config) };
}

function statAudit(raw, useVar) {
  if (/\|\s|find |xargs|\*|ps /.test(raw)) return undefined;
  const stats = [...raw.matchAll(/stat -c\s+(?:"([^"]+)"|'([^']+)'|(\S+))\s+("?)(\$\w+|\/[^\s";']+)\4/g)];
  if (stats.length !== 1) return undefined;
  const [, dq, sq, bare, , target] = stats[0];
  const format = dq ?? sq ?? bare;
  if (!['permissions=%a', '%U:%G', 'ownership=%U:%G', 'ownership=%U:%G %n', 'permissions=%a %n'].includes(format)) return undefined;
  const missing = /else\s+echo\s+(?:\\?"|')(.*?)(?:\\?"|')\s*;?\s*\n?\s*fi/s.exec(raw);
  const file = target.startsWith('$') ? { select: 'variable', variable: useVar(target.slice(1)) } : { select: 'path', path: target };
  return { source: 'stat', format, files: [file], ...(missing ? { missingOutput: missing[1] } : {}) };
}

function scriptAudit(raw) {
  const firstComment = /^#\s*(.+)$/m.exec(raw)?.[1];
  const tools = ['kubectl', 'jq', 'aws', 'gcloud', 'az', 'journalctl', 'find', 'stat', 'ps', 'grep', 'openssl'].filter((t) =>
    new RegExp(`(^|[\\s|(;$])${t}\\b`).test(raw),
  );
  const lines = raw.split('\n').length;
  const summary = firstComment ?? `${lines === 1 ? 'a one-line' : `a ${lines}-line`} shell script using ${tools.join(', ') || 'the shell'}`;
  const short = lines === 1 && raw.length <= 200;
  return { source: 'script', summary, ...(short ? { command: raw } : {}) };
}

function convertTests(tests) {
  const items = (tests.test_items ?? []).map((it) => {
    const item = {};
    if (it.flag !== undefined) item.flag = it.flag;
    if (it.path !== undefined) item.path = it.path;
    if (it.env !== undefined) item.env = it.env;
    if (it.set !== undefined) item.set = it.set === 'true';
    if (it.compare) item.compare = { op: it.compare.op, value: it.compare.value ?? '' };
    return item;
  });
  return { ...(tests.bin_op ? { binOp: tests.bin_op } : {}), items };
}

// ---------------------------------------------------------------- files

function benchmarkYaml(id, meta) {
  return [
    `# ${meta.title} ${meta.version}, as kube-bench's cfg/${id} tests it.`,
    '# kube-bench picks this benchmark by platform, never by version alone, so',
    '# `--benchmark auto` chooses it when it detects the distribution',
    '# (src/playbook/detect-distribution.ts); `kubernetesVersions` is the',
    '# range the benchmark was written for, for information.',
    stringify({ id, title: meta.title, version: meta.version, distribution: meta.distribution, kubernetesVersions: meta.versions }).trimEnd(),
    '',
  ].join('\n');
}

function variablesYaml(id, config, used) {
  const out = {};
  for (const kb of Object.keys(VARIABLES)) {
    if (!used.has(kb)) continue;
    const v = VARIABLES[kb];
    const { candidates, defaultPath } = variableCandidates(config, kb);
    const entry = { description: v.description, kubeBench: `$${kb}`, type: v.type };
    if (kb === 'etcddatadir') entry.from = [{ processFlag: '--data-dir', process: 'etcd' }];
    if (candidates.length) entry.candidates = candidates;
    if (defaultPath) entry.default = defaultPath;
    out[v.name] = entry;
  }
  return [
    `# Path variables of ${id}: kube-bench's $variables with the candidate paths`,
    '# of its cfg/config.yaml, as cfg/' + id + '/config.yaml overrides them.',
    '# Resolution: the first candidate that exists, else the default (used even',
    '# when absent, as kube-bench does). See playbooks/README.md.',
    readable({ variables: out }).trimEnd(),
    '',
  ].join('\n');
}

/** YAML as a person would write it: short lists and small maps of scalars on one line. */
function readable(value) {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i) && String(i.value).length < 40 && !String(i.value).includes('\n'))) node.flow = true;
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && ['id', 'section'].includes(String(pair.key.value)) && isScalar(pair.value)) pair.value.type = 'QUOTE_DOUBLE';
    },
    Map(_, node) {
      const small =
        node.items.length <= 3 && node.items.every((p) => isScalar(p.value) && String(p.value.value).length < 40 && !String(p.value.value).includes('\n'));
      if (small && node.items.some((p) => ['op', 'select', 'variable', 'processFlag'].includes(String(p.key.value ?? p.key)))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function merge(base, over) {
  if (Array.isArray(over) || typeof over !== 'object' || over === null) return over;
  const out = { ...(typeof base === 'object' && base !== null && !Array.isArray(base) ? base : {}) };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k], v) : v;
  return out;
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function variableCandidates(config, kb) {
  const [section, component, listKey, defaultKey] = VARIABLES[kb].at;
  const c = config[section]?.[component] ?? {};
  const list = c[listKey] === undefined ? [] : Array.isArray(c[listKey]) ? c[listKey] : [c[listKey]];
  return { candidates: [...new Set(list)], defaultPath: c[defaultKey] };
}

// ---------------------------------------------------------------- main

// A step may use a variable only when the facts layer gathers every path it can resolve to.
const notes = [];
const problems = [];
const diffs = [];
// A file that cannot be merged (bad YAML, a control in two files) stops the run before anything is written for its benchmark.
try {
  for (const [id, meta] of Object.entries(BENCHMARKS)) {
    if (options.benchmark && options.benchmark !== id) continue;
    const local = parse(readFileSync(join(cfg, id, 'config.yaml'), 'utf8')) ?? {};
    const config = merge(globalConfig, local);
    const used = new Set();
    variableIndex.clear();
    for (const [kb, v] of Object.entries(VARIABLES)) {
      const { candidates, defaultPath } = variableCandidates(config, kb);
      variableIndex.set(v.name, { kb, gathered: [...candidates, ...(defaultPath ? [defaultPath] : [])].every((p) => GATHERED.has(p)) });
    }
    const outDir = join(repo, 'playbooks', id);
    const generated = new Map();
    for (const file of FILES) {
      let text;
      try {
        text = readFileSync(join(cfg, id, `${file}.yaml`), 'utf8');
      } catch {
        continue;
      }
      const doc = parse(text, { schema: 'failsafe' });
      const groups = doc.groups ?? [];
      const controls = groups.flatMap((g) => (g.checks ?? []).map((c) => buildControl(c, g, doc.type, meta, used)));
      if (controls.length === 0) {
        notes.push(`${id}: section ${doc.id} "${doc.text}" (${file}.yaml) has no checks`);
        continue;
      }
      const body = {
        benchmark: id,
        sections: groups.map((g) => ({ id: g.id, title: g.text })),
        controls,
      };
      const name = `${doc.id}-${slug(doc.text)}.yaml`;
      const head = [
        `# ${meta.title} ${meta.version}, section ${doc.id}: ${doc.text} (kube-bench target: ${doc.type}).`,
        `# Written from kube-bench's cfg/${id}/${file}.yaml by scripts/dev/kube-bench-playbooks.mjs.`,
        `# ${meta.header}`,
      ];
      generated.set(name, { text: `${head.join('\n')}\n${readable(body)}`, ids: controls.map((c) => c.id) });
    }

    // Merge into what is in the tree: hand-made keys survive (scripts/dev/playbook-merge.mjs).
    const existing = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.yaml')) : [];
    const read = (f) => readFileSync(join(outDir, f), 'utf8');
    const controlFiles = existing.filter((f) => !KEYED_FILES.includes(f));
    const index = indexControls(controlFiles.map((f) => ({ name: f, text: read(f) })));
    const generatedIds = new Set([...generated.values()].flatMap((g) => g.ids));
    const stale = controlFiles.filter((f) => !generated.has(f));
    const orphans = stale.flatMap((f) => index.order.get(f).filter((c) => !generatedIds.has(c)));
    const out = new Map();
    const names = [...generated.keys()];
    for (const [name, g] of generated) {
      const last = name === names[names.length - 1];
      const { text, report } = mergeControlFile({
        name,
        generated: g.text,
        index,
        generatedIds,
        dropVanished: options.dropVanished,
        orphans: last ? orphans : [],
      });
      out.set(name, text);
      for (const c of report.vanished) {
        const where = index.byId.get(c).file;
        problems.push(
          options.dropVanished
            ? `${id}: control ${c} (${where}) is no longer in kube-bench's cfg: dropped`
            : `${id}: control ${c} (${where}) is no longer in kube-bench's cfg: kept in ${name}; rerun with --drop-vanished to remove it`,
        );
      }
      for (const c of report.guidance) notes.push(`${id}: control ${c} keeps its hand-written guidance (kube-bench's remediation text differs)`);
      for (const c of report.audits) {
        notes.push(
          `${id}: control ${c} keeps its hand-written kubeBench.audit and roles (the generator reads kube-bench's audit as a script): check them against kube-bench's`,
        );
      }
    }
    for (const f of stale) problems.push(`${id}: ${f} is no longer written (kube-bench has no such section now): removed, its controls merged by id`);
    out.set(
      'benchmark.yaml',
      mergeKeyedFile({
        name: `${id}/benchmark.yaml`,
        generated: benchmarkYaml(id, meta),
        existing: existing.includes('benchmark.yaml') ? read('benchmark.yaml') : undefined,
      }),
    );
    out.set(
      'variables.yaml',
      mergeKeyedFile({
        name: `${id}/variables.yaml`,
        generated: variablesYaml(id, config, used),
        existing: existing.includes('variables.yaml') ? read('variables.yaml') : undefined,
        nested: ['variables'],
      }),
    );
    // Parameters are decisions people make for the fixes: kube-bench knows none of them.
    out.set(
      'parameters.yaml',
      existing.includes('parameters.yaml')
        ? read('parameters.yaml')
        : '# No parameters: every fix in this benchmark is a file mode or owner with one compliant value.\nparameters: {}\n',
    );

    const counts = { ensure: 0, manual: 0, providerManaged: 0 };
    for (const [name, text] of out) {
      if (KEYED_FILES.includes(name)) continue;
      for (const c of parse(text).controls) counts[c.ensure ? 'ensure' : c.manual ? 'manual' : 'providerManaged']++;
    }
    if (options.check) {
      for (const [name, text] of out) {
        const before = existing.includes(name) ? read(name) : '';
        if (before !== text) diffs.push(unifiedDiff(`playbooks/${id}/${name}`, before, text, existing.includes(name)));
      }
      for (const f of stale) diffs.push(unifiedDiff(`playbooks/${id}/${f}`, read(f), '', true, true));
    } else {
      mkdirSync(outDir, { recursive: true });
      for (const [name, text] of out) if (!existing.includes(name) || read(name) !== text) writeFileSync(join(outDir, name), text);
      for (const f of stale) rmSync(join(outDir, f));
    }
    console.log(`${id}: ${counts.ensure} ensure, ${counts.manual} manual, ${counts.providerManaged} provider-managed`);
  }
} catch (error) {
  console.error(`kube-bench-playbooks: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

for (const n of notes) console.log(n);
for (const p of problems) console.error(p);
if (options.check) {
  if (diffs.length) {
    process.stdout.write(diffs.join(''));
    console.error(`The playbooks differ from what the generator writes from ${cfg} (diff above): run it without --check to write them.`);
    // exitCode, not exit(): a long diff on a pipe must be written out first.
    process.exitCode = 1;
  } else console.log(`The playbooks are what the generator writes from ${cfg}.`);
}

/** `diff -u` of a file's text now and what the generator would write (diff(1) is in every Debian). */
function unifiedDiff(path, before, after, existed, removed = false) {
  const dir = mkdtempSync(join(tmpdir(), 'kube-bench-playbooks-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    const r = spawnSync(
      'diff',
      ['-u', '--label', existed ? `a/${path}` : '/dev/null', '--label', removed ? '/dev/null' : `b/${path}`, join(dir, 'a'), join(dir, 'b')],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 1) throw new Error(`diff failed on ${path}: ${r.stderr || r.error}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
