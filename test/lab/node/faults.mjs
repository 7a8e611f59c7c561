// Failure injection for tests (DESIGN.md §4): a test writes lines into
// /run/lab/faults on a node, and the lab's kubelet then refuses to start a
// component whose command line (or, for the kubelet, its config file) matches,
// as a real component refuses a flag value it does not accept. Lines:
//   <component> --flag            refuse when any argument is --flag or --flag=...
//   <component> --flag=value      refuse when an argument is exactly --flag=value
//   kubelet config:<key>=<value>  refuse when the KubeletConfiguration's top-level <key> is <value> (as YAML prints it)
// Blank lines and lines starting with # are ignored. Nothing else reads this file.
import fs from 'node:fs';

export const FAULTS_FILE = '/run/lab/faults';

function readFaults() {
  let text;
  try {
    text = fs.readFileSync(FAULTS_FILE, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const space = l.indexOf(' ');
      return space < 0 ? undefined : { component: l.slice(0, space), match: l.slice(space + 1).trim() };
    })
    .filter((f) => f !== undefined);
}

/** The refusal message for `component` started with `argv` (and the kubelet's parsed `config`), or undefined. */
export function injectedFault(component, argv, config = {}) {
  for (const { component: c, match } of readFaults()) {
    if (c !== component) continue;
    if (match.startsWith('config:')) {
      const [key, ...rest] = match.slice('config:'.length).split('=');
      const want = rest.join('=');
      if (config && Object.prototype.hasOwnProperty.call(config, key) && String(config[key]) === want) {
        return `injected fault: ${component} refuses ${key}: ${want} (${FAULTS_FILE})`;
      }
      continue;
    }
    const hit = match.includes('=') ? argv.includes(match) : argv.some((a) => a === match || a.startsWith(`${match}=`));
    if (hit) return `injected fault: ${component} refuses ${match} (${FAULTS_FILE})`;
  }
  return undefined;
}
