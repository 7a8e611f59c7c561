/**
 * npm run lab -- up     [--nodes N] [--control-planes K] [--scenario stock|drifted|variant] [--distribution NAME] [--instance NAME] [--recreate] [--json]
 * npm run lab -- down   [--instance NAME]
 * npm run lab -- status [--instance NAME] [--json]
 * npm run lab -- exec   [--instance NAME] NODE -- COMMAND...   (root inside the node)
 *
 * Progress goes to stderr; --json prints the LabState (up) or LabStatus
 * (status) on stdout and nothing else.
 */
import { labDown, labStatus, labUp, nodeExec, readLabState, type LabStatus } from './lab.js';
import { DISTRIBUTION_NAMES, type LabDistributionName } from './distributions/index.js';
import { DEFAULT_INSTANCE } from './lab-layout.js';
import { SCENARIOS, type Scenario } from './scenario.js';

const USAGE = `usage:
  npm run lab -- up     [--nodes N] [--control-planes K] [--scenario stock|drifted|variant] [--distribution NAME] [--instance NAME] [--recreate] [--json]
  npm run lab -- down   [--instance NAME]
  npm run lab -- status [--instance NAME] [--json]
  npm run lab -- exec   [--instance NAME] NODE -- COMMAND [ARGS...]
`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  flags: Map<string, string | true>;
  rest: string[];
}

function parse(argv: string[]): Parsed {
  const [command, ...args] = argv;
  if (!command || command === '-h' || command === '--help') throw new UsageError('');
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  const valued = new Set(['nodes', 'control-planes', 'scenario', 'distribution', 'instance']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        flags.set(name, v);
      } else if (['json', 'recreate', 'help'].includes(name)) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else {
      rest.push(a);
    }
  }
  return { command, flags, rest };
}

function intFlag(p: Parsed, name: string): number | undefined {
  const v = p.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer`);
  return n;
}

const progress = (m: string) => process.stderr.write(`lab: ${m}\n`);

function renderStatus(s: LabStatus): string {
  if (!s.state) return `lab instance "${s.instance}" is not up (no state in ${s.dir})\n`;
  const st = s.state;
  let out = `instance ${s.instance}: ${s.up ? 'up' : 'NOT fully up'} — ${st.subnet} on ${st.bridge}, scenario ${st.scenario}, distribution ${st.distribution ?? 'kubeadm'}, since ${st.createdAt}\n`;
  out += `  inventory ${st.inventoryFile}\n`;
  out += `  bastion   ${st.bastion.ip}  ${s.bastion?.alive ? 'running' : 'DOWN'}\n`;
  for (const n of s.nodes) {
    const k = n.kubelet;
    out += `  ${n.name.padEnd(10)} ${n.ip.padEnd(14)} ${n.roles.join(',').padEnd(22)} ${n.alive ? `kubelet ${k?.state ?? '?'}${k?.error ? ` (${k.error})` : ''}` : 'DOWN'}\n`;
    for (const p of n.pods) {
      out += `      ${p.name.padEnd(24)} ${p.state.padEnd(9)} ${p.pid ? `pid ${p.pid}` : ''}${p.healthPort ? ` health :${p.healthPort}` : ''}${p.restarts ? ` restarts ${p.restarts}` : ''}${p.reason ? `  ${p.reason}` : ''}\n`;
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const p = parse(argv);
  if (p.flags.has('help')) throw new UsageError('');
  const instanceFlag = p.flags.get('instance');
  const instance = typeof instanceFlag === 'string' ? instanceFlag : DEFAULT_INSTANCE;
  switch (p.command) {
    case 'up': {
      const scenario = p.flags.get('scenario') ?? 'stock';
      if (typeof scenario !== 'string' || !SCENARIOS.includes(scenario as Scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}`);
      const distribution = p.flags.get('distribution') ?? 'kubeadm';
      if (typeof distribution !== 'string' || !DISTRIBUTION_NAMES.includes(distribution as LabDistributionName)) {
        throw new UsageError(`--distribution must be one of ${DISTRIBUTION_NAMES.join(', ')}`);
      }
      const state = await labUp({
        instance,
        nodes: intFlag(p, 'nodes'),
        controlPlanes: intFlag(p, 'control-planes'),
        scenario: scenario as Scenario,
        distribution: distribution as LabDistributionName,
        recreate: p.flags.has('recreate'),
        progress,
      });
      if (p.flags.has('json')) process.stdout.write(JSON.stringify(state, null, 2) + '\n');
      return 0;
    }
    case 'down':
      await labDown(instance, { progress });
      return 0;
    case 'status': {
      const s = await labStatus(instance);
      process.stdout.write(p.flags.has('json') ? JSON.stringify(s, null, 2) + '\n' : renderStatus(s));
      return s.up ? 0 : 1;
    }
    case 'exec': {
      const [node, ...cmd] = p.rest;
      if (!node || cmd.length === 0) throw new UsageError('exec needs a node and a command');
      const state = await readLabState(instance);
      if (!state) throw new Error(`lab instance "${instance}" is not up`);
      const r = await nodeExec(state, node, cmd);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code;
    }
    default:
      throw new UsageError(`unknown command ${p.command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message ? `lab: ${e.message}\n` : ''}${USAGE}`);
      process.exit(e.message ? 1 : 0);
    }
    process.stderr.write(`lab: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
