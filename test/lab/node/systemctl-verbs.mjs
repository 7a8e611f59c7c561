// The verbs of the lab's systemctl, run inside the lab kubelet (which owns
// the kubelet "service"). Output imitates systemd 252 (Debian 12) closely
// enough for scripts: is-active, is-enabled, is-failed, status, show, cat,
// start, stop, restart, try-restart, reload-or-restart, daemon-reload,
// enable, disable. kubelet.service exists, and the services the lab kubelet
// runs besides it (api.serviceFor, systemd-service.mjs); other units are "not found".
import fs from 'node:fs';

const PRIVILEGED_VERBS = new Set(['start', 'stop', 'restart', 'try-restart', 'reload-or-restart', 'condrestart', 'daemon-reload', 'daemon-reexec', 'enable', 'disable', 'reset-failed', 'kill']);

function unitName(arg) {
  return arg.includes('.') ? arg : `${arg}.service`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function systemdTime(d) {
  if (!d) return 'n/a';
  const p = (n) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

function ago(d) {
  const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}min ${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}min ago`;
}

function reloadWarning(name) {
  return `Warning: The unit file, source configuration file or drop-ins of ${name} changed on disk. Run 'systemctl daemon-reload' to reload units.\n`;
}

function parseArgs(argv) {
  const opts = { properties: [], value: false, quiet: false, now: false, all: false };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-p' || a === '--property') {
      opts.properties.push(...(argv[++i] ?? '').split(','));
    } else if (a.startsWith('--property=')) {
      opts.properties.push(...a.slice(11).split(','));
    } else if (a.startsWith('-p') && a.length > 2 && !a.startsWith('--')) {
      opts.properties.push(...a.slice(2).split(','));
    } else if (a === '--value') {
      opts.value = true;
    } else if (a === '-q' || a === '--quiet') {
      opts.quiet = true;
    } else if (a === '--now') {
      opts.now = true;
    } else if (a === '-a' || a === '--all') {
      opts.all = true;
    } else if (a === '--version') {
      rest.unshift('--version');
    } else if (a.startsWith('-')) {
      // --no-pager, --no-legend, -l, --full, --plain, --no-ask-password, --system...: no effect here
    } else {
      rest.push(a);
    }
  }
  return { opts, verb: rest[0], units: rest.slice(1).map(unitName) };
}

function activeLine(k) {
  switch (k.state) {
    case 'active':
      return `active (running) since ${systemdTime(k.activeSince)}; ${ago(k.activeSince)}`;
    case 'failed':
      return `failed (Result: ${k.result}) since ${systemdTime(k.inactiveSince)}; ${ago(k.inactiveSince)}`;
    case 'activating':
      return `activating (auto-restart) (Result: ${k.result}) since ${systemdTime(k.inactiveSince)}; ${ago(k.inactiveSince)}`;
    default:
      return `inactive (dead) since ${systemdTime(k.inactiveSince)}; ${ago(k.inactiveSince)}`;
  }
}

function quoteEnv(k, v) {
  const s = `${k}=${v}`;
  return /\s/.test(s) ? `"${s}"` : s;
}

function properties(api) {
  const k = api.kubelet;
  const u = k.unit;
  const e = k.execStart;
  const exec = u.execStart
    ? `{ path=${u.execStart.path} ; argv[]=${u.execStart.argv.join(' ')} ; ignore_errors=${u.execStart.ignoreErrors ? 'yes' : 'no'} ; start_time=[${systemdTime(e?.start)}] ; stop_time=[${systemdTime(e?.stop)}] ; pid=${e?.pid ?? 0} ; code=${e?.code ?? '(null)'} ; status=${e?.status ?? 0}/${e?.status === 'TERM' ? 'TERM' : e?.status ?? 0} }`
    : '';
  return [
    ['Type', 'simple'],
    ['Restart', u.restart],
    ['RestartUSec', `${u.restartSec}s`],
    ['MainPID', String(k.child?.pid ?? 0)],
    ['ExecMainPID', String(e?.pid ?? 0)],
    ['ExecMainStatus', String(typeof e?.status === 'number' ? e.status : 0)],
    ['ExecStart', exec],
    ['Result', k.result],
    ['Environment', u.environment.map(([kk, v]) => quoteEnv(kk, v)).join(' ')],
    ['EnvironmentFiles', u.environmentFiles.map((f) => `${f.path} (ignore_errors=${f.optional ? 'yes' : 'no'})`)],
    ['Id', api.UNIT_NAME],
    ['Names', api.UNIT_NAME],
    ['Description', u.description],
    ['LoadState', u.loadState],
    ['ActiveState', k.state],
    ['SubState', k.subState],
    ['FragmentPath', u.fragmentPath ?? ''],
    ['DropInPaths', u.dropInPaths.join(' ')],
    ['UnitFileState', k.enabled ? 'enabled' : 'disabled'],
    ['NeedDaemonReload', api.unitNeedsReload() ? 'yes' : 'no'],
  ];
}

function notFoundProperties(name) {
  return [['Id', name], ['Names', name], ['LoadState', 'not-found'], ['ActiveState', 'inactive'], ['SubState', 'dead'], ['MainPID', '0'], ['UnitFileState', ''], ['NeedDaemonReload', 'no']];
}

function renderShow(props, opts) {
  const wanted = opts.properties.filter(Boolean);
  const lines = [];
  for (const [key, value] of props) {
    if (wanted.length > 0 && !wanted.includes(key)) continue;
    const values = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && value.length === 0 && wanted.length === 0) continue;
    for (const v of values) lines.push(opts.value ? v : `${key}=${v}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function status(api) {
  const k = api.kubelet;
  const u = k.unit;
  const dot = k.state === 'active' ? '●' : k.state === 'failed' ? '×' : '○';
  let out = `${dot} ${api.UNIT_NAME} - ${u.description}\n`;
  out += `     Loaded: ${u.loadState} (${u.fragmentPath}; ${k.enabled ? 'enabled' : 'disabled'}; preset: enabled)\n`;
  const byDir = new Map();
  for (const p of u.dropInPaths) {
    const dir = p.slice(0, p.lastIndexOf('/'));
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir).push(p.slice(p.lastIndexOf('/') + 1));
  }
  let first = true;
  for (const [dir, files] of byDir) {
    out += `${first ? '    Drop-In: ' : '             '}${dir}\n`;
    out += `             └─${files.join(', ')}\n`;
    first = false;
  }
  out += `     Active: ${activeLine(k)}\n`;
  if (u.documentation.length) out += `       Docs: ${u.documentation.join('\n             ')}\n`;
  if (k.state === 'active' && k.child) {
    out += `   Main PID: ${k.child.pid} (${api.UNIT_NAME.replace(/\.service$/, '')})\n`;
    out += `      Tasks: 1 (limit: 28724)\n`;
    out += `     CGroup: /system.slice/${api.UNIT_NAME}\n`;
    out += `             └─${k.child.pid} ${k.argv.join(' ')}\n`;
  } else if (k.execStart?.pid) {
    out += `    Process: ${k.execStart.pid} ExecStart=${(k.argv ?? []).join(' ')} (code=${k.execStart.code}, status=${k.execStart.status})\n`;
    out += `   Main PID: ${k.execStart.pid} (code=${k.execStart.code}, status=${k.execStart.status})\n`;
  }
  if (k.error) out += `\n${systemdTime(k.inactiveSince)} ${api.UNIT_NAME.replace(/\.service$/, '')}[${k.execStart?.pid ?? 0}]: E ${k.error}\n`;
  return out;
}

function cat(api) {
  const u = api.kubelet.unit;
  const parts = [];
  for (const p of [u.fragmentPath, ...u.dropInPaths]) {
    if (!p) continue;
    let text;
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    parts.push(`# ${p}\n${text}${text.endsWith('\n') ? '' : '\n'}`);
  }
  return parts.join('\n');
}

/** Runs one systemctl invocation; returns { stdout, stderr, code }. */
export async function handleSystemctl(argv, { privileged, api }) {
  const { opts, verb, units } = parseArgs(argv);
  const res = { stdout: '', stderr: '', code: 0 };
  if (verb === '--version') {
    res.stdout = 'systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL +BLKID +CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD +LIBCRYPTSETUP +LIBFDISK +PCRE2 -PWQUALITY +P11KIT +QRENCODE +TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD -BPF_FRAMEWORK -XKBCOMMON +UTMP +SYSVINIT default-hierarchy=unified\n';
    return res;
  }
  if (!verb) {
    res.stderr = 'lab systemctl: a verb is required (the lab supports only kubelet.service)\n';
    res.code = 1;
    return res;
  }
  if (PRIVILEGED_VERBS.has(verb) && !privileged) {
    const what = verb === 'daemon-reload' ? 'reload daemon' : `${verb} ${units[0] ?? ''}`.trim();
    res.stderr = `Failed to ${what}: Interactive authentication required.\n`;
    res.code = 1;
    return res;
  }
  // The service a unit name stands for: the kubelet's own API, or another
  // service the lab kubelet runs (systemd-service.mjs) through api.serviceFor.
  const serviceOf = (u) => (u === api.UNIT_NAME ? api : api.serviceFor?.(u));
  const known = (u) => serviceOf(u) !== undefined;
  const warnIfStale = (u) => {
    const s = serviceOf(u);
    if (s && s.unitNeedsReload()) res.stderr += reloadWarning(s.UNIT_NAME);
  };

  switch (verb) {
    case 'daemon-reload':
    case 'daemon-reexec':
      api.daemonReload();
      for (const s of api.otherServices?.() ?? []) s.daemonReload();
      return res;
    case 'start':
    case 'restart':
    case 'try-restart':
    case 'condrestart':
    case 'reload-or-restart': {
      if (units.length === 0) {
        res.stderr = 'Too few arguments.\n';
        res.code = 1;
        return res;
      }
      for (const u of units) {
        const s = serviceOf(u);
        if (!s) {
          res.stderr += `Failed to ${verb === 'start' ? 'start' : 'restart'} ${u}: Unit ${u} not found.\n`;
          res.code = 5;
          continue;
        }
        warnIfStale(u);
        if ((verb === 'try-restart' || verb === 'condrestart') && s.kubelet.state !== 'active') continue;
        if (verb !== 'start') await s.stopKubelet();
        const r = await s.startKubelet(verb);
        if (!r.ok) {
          res.stderr += r.message.startsWith('Job for') ? `${r.message}\n` : `Failed to ${verb === 'start' ? 'start' : 'restart'} ${u}: ${r.message}\n`;
          res.code = 1;
        }
      }
      return res;
    }
    case 'stop':
      for (const u of units) {
        const s = serviceOf(u);
        if (!s) {
          res.stderr += `Failed to stop ${u}: Unit ${u} not loaded.\n`;
          res.code = 5;
          continue;
        }
        warnIfStale(u);
        await s.stopKubelet();
      }
      return res;
    case 'enable':
    case 'disable':
      for (const u of units) {
        const s = serviceOf(u);
        if (!s) {
          res.stderr += `Failed to ${verb} unit: Unit file ${u} does not exist.\n`;
          res.code = 1;
          continue;
        }
        s.kubelet.enabled = verb === 'enable';
        if (opts.now) {
          if (verb === 'enable') await s.startKubelet('enable --now');
          else await s.stopKubelet();
        }
      }
      return res;
    case 'reset-failed':
      for (const s of units.length === 0 ? [api, ...(api.otherServices?.() ?? [])] : units.map(serviceOf).filter(Boolean)) {
        const k = s.kubelet;
        if (k.state === 'failed') {
          k.state = 'inactive';
          k.subState = 'dead';
          k.result = 'success';
        }
      }
      return res;
    case 'is-active':
    case 'is-failed': {
      let anyMatch = false;
      const lines = [];
      for (const u of units) {
        const state = known(u) ? serviceOf(u).kubelet.state : 'inactive';
        lines.push(state);
        if (verb === 'is-active' ? state === 'active' : state === 'failed') anyMatch = true;
      }
      if (!opts.quiet) res.stdout = lines.map((l) => `${l}\n`).join('');
      res.code = anyMatch ? 0 : verb === 'is-active' ? 3 : 1;
      return res;
    }
    case 'is-enabled':
      for (const u of units) {
        const s = serviceOf(u);
        if (!s) {
          res.stderr += `Failed to get unit file state for ${u}: No such file or directory\n`;
          res.code = 1;
          continue;
        }
        if (!opts.quiet) res.stdout += `${s.kubelet.enabled ? 'enabled' : 'disabled'}\n`;
        if (!s.kubelet.enabled) res.code = 1;
      }
      return res;
    case 'status':
      for (const u of units) {
        const s = serviceOf(u);
        if (!s) {
          res.stderr += `Unit ${u} could not be found.\n`;
          res.code = 4;
          continue;
        }
        warnIfStale(u);
        res.stdout += status(s);
        if (s.kubelet.state !== 'active') res.code = 3;
      }
      return res;
    case 'show':
      res.stdout = units
        .map((u) => renderShow(known(u) ? properties(serviceOf(u)) : notFoundProperties(u), opts))
        .join('\n');
      return res;
    case 'cat':
      for (const u of units) {
        const s = serviceOf(u);
        if (!s) {
          res.stderr += `No files found for ${u}.\n`;
          res.code = 1;
          continue;
        }
        warnIfStale(u);
        res.stdout += cat(s);
      }
      return res;
    default:
      res.stderr = `Unknown command verb ${verb}.\n`;
      res.code = 1;
      return res;
  }
}
