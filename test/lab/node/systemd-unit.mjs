// systemd unit loading, as far as the lab's kubelet needs it: the unit file,
// its drop-ins (with systemd's precedence rules), Environment=,
// EnvironmentFile= and ExecStart= (with reset semantics) and the $VAR/${VAR}
// expansion systemd applies when it starts the process.
//
// Plain ESM for `node` inside lab nodes: no dependencies, no TypeScript.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Unit search path, highest priority first (Debian has merged /usr: /lib == /usr/lib). */
// LAB_UNIT_DIRS (colon-separated) replaces them for a kubelet another supervisor generates its unit for (rke2-sim.mjs).
export const UNIT_DIRS = process.env.LAB_UNIT_DIRS ? process.env.LAB_UNIT_DIRS.split(':') : ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system'];

/**
 * Splits a command line or an Environment= value into words the way systemd
 * does (double and single quotes, backslash escapes). Returns the words.
 */
export function splitWords(text) {
  const words = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    let word = '';
    let quote = null;
    for (; i < n; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) { quote = null; continue; }
        if (c === '\\' && quote === '"' && i + 1 < n) { word += unescapeChar(text[++i]); continue; }
        word += c;
        continue;
      }
      if (c === '"' || c === "'") { quote = c; continue; }
      if (c === '\\' && i + 1 < n) { word += unescapeChar(text[++i]); continue; }
      if (/\s/.test(c)) break;
      word += c;
    }
    words.push(word);
  }
  return words;
}

function unescapeChar(c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    default: return c;
  }
}

/** Parses an INI-style unit file into [{section, key, value, line}] (line continuations joined). */
export function parseUnitText(text) {
  const out = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const lineNo = i + 1;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + ' ' + lines[++i];
    }
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    if (t.startsWith('[') && t.endsWith(']')) { section = t.slice(1, -1); continue; }
    const eq = t.indexOf('=');
    if (eq < 0) continue;
    out.push({ section, key: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim(), line: lineNo });
  }
  return out;
}

/**
 * systemd's unit specifiers (systemd.unit(5)) that units use in practice:
 * %n full name, %N name without the type suffix, %p prefix (before "@"),
 * %i instance, %H host name, %% a literal %. Others are left as they are.
 */
export function expandSpecifiers(value, name) {
  if (!value.includes('%')) return value;
  const base = name.replace(/\.[^.]+$/, '');
  const at = base.indexOf('@');
  const table = { n: name, N: base, p: at < 0 ? base : base.slice(0, at), i: at < 0 ? '' : base.slice(at + 1), H: os.hostname(), '%': '%' };
  return value.replace(/%([nNpiH%])/g, (_, c) => table[c]);
}

function statSig(p) {
  try {
    const st = fs.statSync(p);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return 'absent';
  }
}

/**
 * Loads a unit as `systemctl daemon-reload` would. Returns
 * { name, loadState: 'loaded'|'not-found'|'masked'|'bad-setting', error?,
 *   fragmentPath, dropInPaths, description, documentation,
 *   environment: [[k, v]...], environmentFiles: [{path, optional}],
 *   execStart: {path, argv, ignoreErrors, raw} | undefined,
 *   restartSec, signature }
 */
export function loadUnit(name) {
  const unit = {
    name, loadState: 'not-found', error: undefined, fragmentPath: undefined, dropInPaths: [],
    description: '', documentation: [], environment: [], environmentFiles: [], execStart: undefined,
    execStartRaw: [], restartSec: 0.1, restart: 'no', signature: '', type: 'simple', user: undefined, group: undefined,
  };
  const sigParts = [];
  for (const dir of UNIT_DIRS) {
    const p = path.join(dir, name);
    sigParts.push(`${p}=${statSig(p)}`);
    if (unit.fragmentPath) continue;
    let st;
    try { st = fs.lstatSync(p); } catch { continue; }
    if (st.isSymbolicLink() && fs.readlinkSync(p) === '/dev/null') { unit.loadState = 'masked'; unit.fragmentPath = p; continue; }
    unit.fragmentPath = p;
  }
  // Drop-ins: same file name in a higher-priority directory wins; then sorted by file name.
  const byName = new Map();
  for (const dir of UNIT_DIRS) {
    const d = path.join(dir, `${name}.d`);
    sigParts.push(`${d}=${statSig(d)}`);
    let names;
    try { names = fs.readdirSync(d); } catch { continue; }
    for (const f of names) {
      if (!f.endsWith('.conf')) continue;
      const p = path.join(d, f);
      sigParts.push(`${p}=${statSig(p)}`);
      if (!byName.has(f)) byName.set(f, p);
    }
  }
  unit.dropInPaths = [...byName.keys()].sort().map((f) => byName.get(f));
  unit.signature = sigParts.join('|');
  if (unit.loadState === 'masked') return unit;
  if (!unit.fragmentPath) {
    unit.loadState = 'not-found';
    return unit;
  }
  unit.loadState = 'loaded';
  const files = [unit.fragmentPath, ...unit.dropInPaths];
  const exec = [];
  for (const f of files) {
    let text;
    try { text = fs.readFileSync(f, 'utf8'); } catch (e) { unit.loadState = 'bad-setting'; unit.error = `${f}: ${e.message}`; return unit; }
    for (const { section, key, value: raw } of parseUnitText(text)) {
      const value = expandSpecifiers(raw, name);
      if (section === 'Unit') {
        if (key === 'Description') unit.description = value;
        if (key === 'Documentation') unit.documentation = value === '' ? [] : [...unit.documentation, ...splitWords(value)];
        continue;
      }
      if (section !== 'Service') continue;
      switch (key) {
        case 'Environment':
          if (value === '') { unit.environment = []; break; }
          for (const w of splitWords(value)) {
            const eq = w.indexOf('=');
            if (eq > 0) unit.environment.push([w.slice(0, eq), w.slice(eq + 1)]);
          }
          break;
        case 'EnvironmentFile':
          if (value === '') { unit.environmentFiles = []; break; }
          unit.environmentFiles.push(value.startsWith('-') ? { path: value.slice(1), optional: true } : { path: value, optional: false });
          break;
        case 'ExecStart':
          if (value === '') { exec.length = 0; break; }
          exec.push(value);
          break;
        case 'RestartSec': {
          const s = parseFloat(value);
          if (Number.isFinite(s)) unit.restartSec = value.endsWith('ms') ? s / 1000 : value.endsWith('min') ? s * 60 : s;
          break;
        }
        case 'Restart':
          unit.restart = value;
          break;
        case 'Type':
          unit.type = value || 'simple';
          break;
        case 'User':
          unit.user = value || undefined;
          break;
        case 'Group':
          unit.group = value || undefined;
          break;
        default:
          break;
      }
    }
  }
  unit.execStartRaw = [...exec];
  if (exec.length === 0) {
    unit.loadState = 'bad-setting';
    unit.error = 'Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.';
    return unit;
  }
  if (exec.length > 1) {
    unit.loadState = 'bad-setting';
    unit.error = 'Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.';
    return unit;
  }
  let raw = exec[0];
  let ignoreErrors = false;
  while (raw.length > 0 && '-@:+!'.includes(raw[0])) {
    if (raw[0] === '-') ignoreErrors = true;
    raw = raw.slice(1);
  }
  const words = splitWords(raw);
  unit.execStart = { path: words[0], argv: words, ignoreErrors, raw: exec[0] };
  return unit;
}

/** True when the unit's files changed on disk since `unit` was loaded (systemd's NeedDaemonReload). */
export function needsReload(unit) {
  return loadUnit(unit.name).signature !== unit.signature;
}

/**
 * Parses an environment file as systemd does: KEY=VALUE lines, # and ;
 * comments, single/double quotes, backslash escapes and line continuations.
 * Returns [[key, value]...].
 */
export function parseEnvironmentFile(text) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    while (line.endsWith('\\') && !line.endsWith('\\\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i];
    const t = line.replace(/^\s+/, '');
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) continue;
    const key = t.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    let rest = t.slice(eq + 1).replace(/^\s+/, '');
    let value = '';
    let quote = null;
    for (let j = 0; j < rest.length; j++) {
      const c = rest[j];
      if (quote) {
        if (c === quote) { quote = null; continue; }
        if (c === '\\' && quote === '"' && j + 1 < rest.length && '"\\`$'.includes(rest[j + 1])) { value += rest[++j]; continue; }
        value += c;
        continue;
      }
      if (c === '"' || c === "'") { quote = c; continue; }
      if (c === '\\' && j + 1 < rest.length) { value += rest[++j]; continue; }
      if (c === '#' && (j === 0 || /\s/.test(rest[j - 1]))) break;
      value += c;
    }
    if (!quote) value = value.replace(/\s+$/, '');
    rest = undefined;
    out.push([key, value]);
  }
  return out;
}

/**
 * The environment the service's process gets: Environment= first, then each
 * EnvironmentFile= in order (files override). Throws for a missing
 * non-optional file, as systemd fails the start.
 */
export function serviceEnvironment(unit) {
  const env = new Map(unit.environment);
  for (const f of unit.environmentFiles) {
    let text;
    try {
      text = fs.readFileSync(f.path, 'utf8');
    } catch (e) {
      if (f.optional) continue;
      throw new Error(`Failed to load environment files: ${f.path}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}`);
    }
    for (const [k, v] of parseEnvironmentFile(text)) env.set(k, v);
  }
  return env;
}

/**
 * Expands ExecStart= words with the service environment: a word that is
 * exactly $NAME becomes the value split at whitespace (zero or more words);
 * ${NAME} anywhere in a word is replaced by the value as is; $$ is a literal $.
 */
export function expandCommand(words, env) {
  const out = [];
  for (const w of words) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
    if (whole) {
      out.push(...splitWords(env.get(whole[1]) ?? ''));
      continue;
    }
    out.push(w.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name) => (m === '$$' ? '$' : env.get(name) ?? '')));
  }
  return out;
}
