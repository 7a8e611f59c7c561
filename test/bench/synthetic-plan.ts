import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { finishPlan, NodePlanMemo, planNodes, type PlanInput } from '../../src/plan/assemble-plan.js';
import { loadBenchmark } from '../../src/playbook/load-playbooks.js';
import { DEFAULT_FLEET, recordedBaseConfigurations, syntheticFleet } from './synthetic-fleet.js';

/**
 * Planning without SSH (issue 12 §7), measured, never asserted:
 *   tsx test/bench/synthetic-plan.ts [N] [--json]
 * Without N: 100, 1,000 and 5,000 nodes, each in a child process of its own
 * so each peak RSS is that run's. A run generates the fleet (parsing every
 * node's recorded output: not counted as planning), then plans it as
 * makePlan does (planNodes through one memo, then finishPlan) and reports
 * the planning's CPU (user + system) and wall time, and the process's peak
 * RSS (everything: Node, the benchmark, N nodes' facts, the plan).
 */

interface Measurement {
  readonly nodes: number;
  readonly configurations: number;
  readonly drifted: number;
  readonly evaluated: number;
  readonly generateWallS: number;
  readonly generateCpuMs: number;
  readonly planWallS: number;
  readonly planCpuMs: number;
  readonly planCpuMsPerNode: number;
  readonly findings: number;
  readonly changes: number;
  readonly peakRssMb: number;
}

const SIZES = [100, 1000, 5000];

async function measure(nodes: number): Promise<Measurement> {
  const generateCpu = process.cpuUsage();
  const generateStart = performance.now();
  const fleet = syntheticFleet(recordedBaseConfigurations(), { ...DEFAULT_FLEET, nodes });
  const benchmark = await loadBenchmark('cis-1.12');
  const generateWallS = (performance.now() - generateStart) / 1000;
  const generateCpuMs = cpuMs(process.cpuUsage(generateCpu));

  const input: PlanInput = {
    benchmark,
    chosenBy: 'synthetic bench',
    selection: { targets: [], only: [], skip: [] },
    inventory: fleet.inventory,
    nodes: fleet.nodes,
    facts: fleet.facts,
    unreachable: [],
    cluster: { access: { kind: 'none', reason: 'synthetic bench: no API server' } },
    tool: { name: 'cis-fix', version: 'bench' },
    createdAt: new Date().toISOString(),
  };
  const memo = new NodePlanMemo();
  const planCpu = process.cpuUsage();
  const planStart = performance.now();
  const plan = finishPlan(input, planNodes(input, new Map(), memo));
  const planWallS = (performance.now() - planStart) / 1000;
  const planCpuMs = cpuMs(process.cpuUsage(planCpu));
  return {
    nodes,
    configurations: new Set(fleet.configuration.values()).size,
    drifted: fleet.drifted,
    evaluated: memo.evaluated,
    generateWallS,
    generateCpuMs,
    planWallS,
    planCpuMs,
    planCpuMsPerNode: planCpuMs / nodes,
    findings: plan.findings.length,
    changes: plan.changes.length,
    // maxRSS is in kilobytes on Linux.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function table(rows: readonly Measurement[]): string {
  const header = ['nodes', 'configs', 'drifted', 'evaluated', 'generate s', 'plan wall s', 'plan CPU ms', 'CPU ms/node', 'changes', 'peak RSS MB'];
  const lines = rows.map((m) => [
    String(m.nodes),
    String(m.configurations),
    String(m.drifted),
    String(m.evaluated),
    m.generateWallS.toFixed(2),
    m.planWallS.toFixed(2),
    m.planCpuMs.toFixed(0),
    m.planCpuMsPerNode.toFixed(2),
    String(m.changes),
    m.peakRssMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n');
}

async function main(args: readonly string[]): Promise<void> {
  const json = args.includes('--json');
  const child = args.includes('--child');
  const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`usage: synthetic-plan.ts [N] [--json]: N must be a positive whole number of nodes, got ${sizes.join(' ')}`);
  }
  if (child) {
    process.stdout.write(`${JSON.stringify(await measure(sizes[0]!))}\n`);
    return;
  }
  const rows: Measurement[] = [];
  for (const n of sizes.length ? sizes : SIZES) {
    // A fresh process per size: peak RSS is a high-water mark, so it would otherwise carry over.
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(n), '--child'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    rows.push(JSON.parse(out) as Measurement);
    if (!json) process.stderr.write(`  ${n} nodes measured\n`);
  }
  process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows)}\n`);
}

await main(process.argv.slice(2));
