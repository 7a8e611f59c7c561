import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import ssh2 from 'ssh2';
import { parseKnownHosts, verifyHostKey } from '../../src/transport/known-hosts.js';
import YAML from 'yaml';
import { labDown, labStatus, labUp, nodeExec, type LabState } from '../lab/lab.js';

const INSTANCE = 'e2e-lab';
/** Per-test timeout: the lab is real processes on a shared machine. */
const T = 60_000;
let lab: LabState;
let upSeconds = 0;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function sshArgs(state: LabState, user: string, ip: string): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${state.knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=10',
    '-i',
    state.identityFile,
    `${user}@${ip}`,
  ];
}

/** The real OpenSSH client. */
function ssh(state: LabState, user: string, ip: string, command: string, extra: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile('ssh', [...extra, ...sshArgs(state, user, ip), command], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

async function root(node: string, script: string): Promise<Run> {
  return nodeExec(lab, node, ['sh', '-c', script]);
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The argv of the process whose comm is `comm` in the node (via /proc/PID/cmdline), or undefined. */
async function processArgv(node: string, comm: string): Promise<{ pid: number; argv: string[] } | undefined> {
  const r = await root(node, `pid=$(ps -C ${comm} -o pid= | head -1 | tr -d ' '); [ -n "$pid" ] && echo "$pid" && tr '\\0' '\\n' < /proc/$pid/cmdline`);
  if (r.code !== 0 || r.stdout.trim() === '') return undefined;
  const [pid, ...argv] = r.stdout.replace(/\n$/, '').split('\n');
  return { pid: Number(pid), argv };
}

async function curl(node: string, url: string): Promise<Run> {
  return root(node, `curl -sk -m 2 ${url}`);
}

async function podState(node: string, name: string) {
  const s = await labStatus(INSTANCE);
  return s.nodes.find((n) => n.name === node)?.pods.find((p) => p.name === name || p.file.endsWith(`/${name}.yaml`));
}

function manifestArgv(text: string): string[] {
  const pod = YAML.parse(text) as { spec: { containers: Array<{ command: string[]; args?: string[] }> } };
  const c = pod.spec.containers[0]!;
  return [...c.command, ...(c.args ?? [])];
}

beforeAll(async () => {
  const t = Date.now();
  lab = await labUp({ instance: INSTANCE, nodes: 3, recreate: true });
  upSeconds = (Date.now() - t) / 1000;
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
}, 120_000);

describe('the lab', () => {
  it(
    'brings up 3 nodes (one control plane, two workers) in well under 30 seconds, with an inventory',
    () => {
      expect(upSeconds).toBeLessThan(30);
      expect(lab.nodes.map((n) => [n.name, n.roles])).toEqual([
        ['cp-1', ['control-plane', 'etcd']],
        ['worker-1', ['worker']],
        ['worker-2', ['worker']],
      ]);
      expect(lab.subnet).toMatch(/^198\.1[89]\.\d+\.0\/24$/);
      const inventory = YAML.parse(readFileSync(lab.inventoryFile, 'utf8'));
      expect(inventory.ssh).toMatchObject({ user: 'ops', identityFile: lab.identityFile, knownHostsFile: lab.knownHostsFile, become: 'sudo' });
      expect(inventory.nodes).toEqual(lab.nodes.map((n) => ({ name: n.name, host: n.ip, roles: n.roles })));
    },
    T,
  );

  it(
    'refuses to bring up an instance that is already up',
    async () => {
      await expect(labUp({ instance: INSTANCE, nodes: 1 })).rejects.toThrow(/already up/);
    },
    T,
  );

  it(
    'lets the real ssh client reach every node as ops with verified host keys, and sudo -n works',
    async () => {
      for (const node of lab.nodes) {
        const r = await ssh(lab, 'ops', node.ip, 'hostname; id -un; sudo -n id -u');
        expect(r).toMatchObject({ code: 0 });
        expect(r.stdout.split('\n').slice(0, 3)).toEqual([node.name, 'ops', '0']);
      }
    },
    T,
  );

  it(
    'refuses a host key that is not in known_hosts',
    async () => {
      const r = await ssh(lab, 'ops', lab.nodes[0]!.ip, 'true', ['-o', 'UserKnownHostsFile=/dev/null']);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/Host key verification failed/);
    },
    T,
  );

  it(
    'makes sudo ask ops-pw for a password, so sudo -n fails',
    async () => {
      const r = await ssh(lab, 'ops-pw', lab.nodes[1]!.ip, 'sudo -n true');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/a password is required/);
    },
    T,
  );

  it(
    'reaches a node through the bastion (ProxyJump)',
    async () => {
      const jump = ['ssh', ...sshArgs(lab, 'ops', lab.bastion.ip).slice(0, -1), '-W', '%h:%p', `ops@${lab.bastion.ip}`].join(' ');
      const r = await ssh(lab, 'ops', lab.nodes[2]!.ip, 'hostname', ['-o', `ProxyCommand=${jump}`]);
      expect(r).toMatchObject({ code: 0, stdout: `${lab.nodes[2]!.name}\n` });
    },
    T,
  );

  it(
    'limits a connection to 2 concurrent sessions (MaxSessions 2)',
    async () => {
      const client = new ssh2.Client();
      await new Promise<void>((resolve, reject) => {
        client
          .once('ready', () => resolve())
          .once('error', reject)
          .connect({
            host: lab.nodes[1]!.ip,
            username: 'ops',
            privateKey: readFileSync(lab.identityFile),
            // Host keys are verified even here (the lab's known_hosts), like everywhere else.
            hostVerifier: (key: Buffer) =>
              verifyHostKey(parseKnownHosts(readFileSync(lab.knownHostsFile, 'utf8')), lab.nodes[1]!.ip, 22, key).kind === 'trusted',
          });
      });
      try {
        const open = () =>
          new Promise<string>((resolve) => {
            client.exec('sleep 2', (err, stream) => {
              if (err) return resolve(`refused: ${err.message}`);
              stream.on('close', () => resolve('ran')).resume();
            });
          });
        const results = await Promise.all([open(), open(), open()]);
        expect(results.filter((r) => r === 'ran')).toHaveLength(2);
        expect(results.filter((r) => r.startsWith('refused'))).toHaveLength(1);
      } finally {
        client.end();
      }
    },
    T,
  );

  it(
    'runs kube-apiserver with exactly its manifest arguments, and etcd',
    async () => {
      const manifest = (await root('cp-1', 'cat /etc/kubernetes/manifests/kube-apiserver.yaml')).stdout;
      const apiserver = await processArgv('cp-1', 'kube-apiserver');
      expect(apiserver?.argv).toEqual(manifestArgv(manifest));
      expect(apiserver?.argv).toContain('--enable-admission-plugins=NodeRestriction');
      const ps = await root('cp-1', 'ps -ef');
      expect(ps.stdout).toMatch(/ kube-apiserver --advertise-address=198\.1[89]\.\d+\.10 --allow-privileged=true /);
      const etcd = await processArgv('cp-1', 'etcd');
      expect(etcd?.argv).toEqual(manifestArgv((await root('cp-1', 'cat /etc/kubernetes/manifests/etcd.yaml')).stdout));
      expect((await root('cp-1', '/usr/local/bin/kube-apiserver --version')).stdout).toBe('Kubernetes v1.33.4\n');
    },
    T,
  );

  it(
    "leaves kubeadm's files with kubeadm's modes and owners, users only inside the node",
    async () => {
      const r = await root(
        'cp-1',
        'stat -c "%n %a %U:%G" /etc/kubernetes/admin.conf /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/pki/ca.key /etc/kubernetes/pki/ca.crt /var/lib/etcd /var/lib/kubelet/config.yaml /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf; getent passwd etcd || echo no-etcd-user; getent passwd ops',
      );
      expect(r.stdout).toBe(
        [
          '/etc/kubernetes/admin.conf 600 root:root',
          '/etc/kubernetes/manifests/etcd.yaml 600 root:root',
          '/etc/kubernetes/pki/ca.key 600 root:root',
          '/etc/kubernetes/pki/ca.crt 644 root:root',
          '/var/lib/etcd 700 root:root',
          '/var/lib/kubelet/config.yaml 644 root:root',
          '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf 644 root:root',
          'no-etcd-user',
          'ops:x:1000:1000:cis-fix lab operator:/home/ops:/bin/bash',
          '',
        ].join('\n'),
      );
      expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^ops:/m);
      expect(existsSync('/etc/kubernetes/admin.conf')).toBe(false);
    },
    T,
  );

  it(
    "answers the health endpoints on the node's loopback",
    async () => {
      expect((await curl('cp-1', 'https://127.0.0.1:6443/readyz')).stdout).toBe('ok');
      expect((await curl('cp-1', 'https://127.0.0.1:10257/healthz')).stdout).toBe('ok');
      expect((await curl('cp-1', 'https://127.0.0.1:10259/healthz')).stdout).toBe('ok');
      expect(JSON.parse((await curl('cp-1', 'http://127.0.0.1:2381/health')).stdout)).toMatchObject({ health: 'true' });
      for (const n of lab.nodes) expect((await curl(n.name, 'http://127.0.0.1:10248/healthz')).stdout).toBe('ok');
      // A worker runs no control plane.
      expect((await curl('worker-1', 'https://127.0.0.1:6443/readyz')).code).not.toBe(0);
    },
    T,
  );

  it(
    'restarts a component with the new arguments when its manifest changes',
    async () => {
      const before = await processArgv('cp-1', 'kube-apiserver');
      await root(
        'cp-1',
        `sed -i 's#    - --secure-port=6443#    - --profiling=false\\n    - --secure-port=6443#' /etc/kubernetes/manifests/kube-apiserver.yaml`,
      );
      const after = await eventually('kube-apiserver with --profiling=false', async () => {
        const p = await processArgv('cp-1', 'kube-apiserver');
        return p && p.pid !== before?.pid && p.argv.includes('--profiling=false') ? p : undefined;
      });
      expect(after.argv.indexOf('--profiling=false')).toBe(after.argv.indexOf('--secure-port=6443') - 1);
      await eventually('readyz', async () => ((await curl('cp-1', 'https://127.0.0.1:6443/readyz')).stdout === 'ok' ? true : undefined));
    },
    T,
  );

  describe('refuses a static pod and takes its health endpoint down', () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ['invalid YAML', 'kube-scheduler', `printf 'spec: [\\n' >> /etc/kubernetes/manifests/kube-scheduler.yaml`, /invalid YAML/],
      [
        'a file that does not exist',
        'kube-controller-manager',
        `sed -i 's#--root-ca-file=/etc/kubernetes/pki/ca.crt#--root-ca-file=/etc/kubernetes/pki/missing.crt#' /etc/kubernetes/manifests/kube-controller-manager.yaml`,
        /--root-ca-file=\/etc\/kubernetes\/pki\/missing\.crt: no such file/,
      ],
      [
        'a file outside its hostPath volumes',
        'kube-controller-manager',
        `sed -i 's#--kubeconfig=/etc/kubernetes/controller-manager.conf#--kubeconfig=/etc/kubernetes/admin.conf#' /etc/kubernetes/manifests/kube-controller-manager.yaml`,
        /--kubeconfig=\/etc\/kubernetes\/admin\.conf: the file is not inside any hostPath volumeMount/,
      ],
    ];
    const port: Record<string, number> = { 'kube-scheduler': 10259, 'kube-controller-manager': 10257 };
    it.each(cases)(
      'with %s',
      async (_what, pod, breakIt, reason) => {
        const file = `/etc/kubernetes/manifests/${pod}.yaml`;
        await root('cp-1', `cp -p ${file} /root/${pod}.yaml.orig`);
        await root('cp-1', breakIt);
        const refused = await eventually(`${pod} refused`, async () => {
          const s = await podState('cp-1', pod);
          return s?.state === 'refused' ? s : undefined;
        });
        expect(refused.reason).toMatch(reason);
        expect(await processArgv('cp-1', pod)).toBeUndefined();
        expect((await curl('cp-1', `https://127.0.0.1:${port[pod]}/healthz`)).code).not.toBe(0);
        expect((await root('cp-1', 'cat /var/log/lab-kubelet.log')).stdout).toMatch(reason);
        await root('cp-1', `mv /root/${pod}.yaml.orig ${file}`);
        await eventually(`${pod} back`, async () => ((await curl('cp-1', `https://127.0.0.1:${port[pod]}/healthz`)).stdout === 'ok' ? true : undefined));
      },
      T,
    );
  });

  it(
    'retries a pod refused for a missing file, and starts it once the file appears',
    async () => {
      const file = '/etc/kubernetes/manifests/kube-controller-manager.yaml';
      await root(
        'cp-1',
        `cp -p ${file} /root/cm.orig && sed -i 's#--root-ca-file=/etc/kubernetes/pki/ca.crt#--root-ca-file=/etc/kubernetes/pki/late.crt#' ${file}`,
      );
      await eventually('refused', async () => ((await podState('cp-1', 'kube-controller-manager'))?.state === 'refused' ? true : undefined));
      await root('cp-1', 'cp /etc/kubernetes/pki/ca.crt /etc/kubernetes/pki/late.crt');
      const running = await eventually(
        'running with late.crt',
        async () => {
          const p = await processArgv('cp-1', 'kube-controller-manager');
          return p?.argv.includes('--root-ca-file=/etc/kubernetes/pki/late.crt') ? p : undefined;
        },
        30_000,
      );
      expect(running.argv[0]).toBe('kube-controller-manager');
      await root('cp-1', `mv /root/cm.orig ${file}`);
      await eventually('restored', async () =>
        (await processArgv('cp-1', 'kube-controller-manager'))?.argv.includes('--root-ca-file=/etc/kubernetes/pki/ca.crt') ? true : undefined,
      );
      await root('cp-1', 'rm /etc/kubernetes/pki/late.crt');
    },
    T,
  );

  it(
    'ignores dot-files and non-manifest files in the manifests directory, and runs and stops other pods',
    async () => {
      const pod = (name: string, seconds: number) =>
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: kube-system\nspec:\n  containers:\n  - name: ${name}\n    command:\n    - sleep\n    - "${seconds}"\n`;
      await root(
        'cp-1',
        `cat > /etc/kubernetes/manifests/.hidden.yaml <<'EOF'\n${pod('hidden', 4242)}EOF\ncat > /etc/kubernetes/manifests/notes.txt <<'EOF'\n${pod('notes', 4343)}EOF`,
      );
      await root('cp-1', `cat > /etc/kubernetes/manifests/extra.yaml <<'EOF'\n${pod('extra', 4444)}EOF`);
      await eventually('the extra pod', async () => ((await root('cp-1', 'pgrep -f "^sleep 4444$"')).code === 0 ? true : undefined));
      expect((await root('cp-1', 'pgrep -f "^sleep 4[23]4[23]$"')).code).toBe(1);
      expect((await labStatus(INSTANCE)).nodes[0]!.pods.map((p) => p.name).sort()).toEqual([
        'etcd',
        'extra',
        'kube-apiserver',
        'kube-controller-manager',
        'kube-scheduler',
      ]);
      await root('cp-1', 'rm /etc/kubernetes/manifests/extra.yaml /etc/kubernetes/manifests/.hidden.yaml /etc/kubernetes/manifests/notes.txt');
      await eventually('the extra pod to stop', async () => ((await root('cp-1', 'pgrep -f "^sleep 4444$"')).code === 1 ? true : undefined));
    },
    T,
  );

  it(
    'restarts the kubelet from the unit, drop-ins and env files on `sudo systemctl restart kubelet`',
    async () => {
      const w = lab.nodes[1]!;
      await root(w.name, `sed -i 's#pause:3.10"#pause:3.10 --max-pods=42"#' /var/lib/kubelet/kubeadm-flags.env`);
      expect((await processArgv(w.name, 'kubelet'))?.argv).not.toContain('--max-pods=42');
      const r = await ssh(lab, 'ops', w.ip, 'sudo -n systemctl restart kubelet && systemctl is-active kubelet');
      expect(r).toMatchObject({ code: 0, stdout: 'active\n' });
      const kubelet = await processArgv(w.name, 'kubelet');
      expect(kubelet?.argv).toEqual([
        '/usr/bin/kubelet',
        '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
        '--kubeconfig=/etc/kubernetes/kubelet.conf',
        '--config=/var/lib/kubelet/config.yaml',
        '--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock',
        '--pod-infra-container-image=registry.k8s.io/pause:3.10',
        '--max-pods=42',
      ]);
      const show = await root(w.name, 'systemctl show kubelet -p ExecStart --value');
      expect(show.stdout).toMatch(
        /^\{ path=\/usr\/bin\/kubelet ; argv\[\]=\/usr\/bin\/kubelet \$KUBELET_KUBECONFIG_ARGS \$KUBELET_CONFIG_ARGS \$KUBELET_KUBEADM_ARGS \$KUBELET_EXTRA_ARGS ;/,
      );
    },
    T,
  );

  it(
    'applies a new drop-in only after daemon-reload, as systemd does',
    async () => {
      const w = lab.nodes[2]!.name;
      await root(
        w,
        `printf '[Service]\\nExecStart=\\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml $KUBELET_EXTRA_ARGS\\n' > /usr/lib/systemd/system/kubelet.service.d/20-lab.conf; echo 'KUBELET_EXTRA_ARGS="--v=4 --node-labels=a=b"' > /etc/default/kubelet`,
      );
      const stale = await root(w, 'systemctl restart kubelet');
      expect(stale.stderr).toMatch(/changed on disk\. Run 'systemctl daemon-reload'/);
      expect((await processArgv(w, 'kubelet'))?.argv).toContain('--kubeconfig=/etc/kubernetes/kubelet.conf');
      await root(w, 'systemctl daemon-reload && systemctl restart kubelet');
      expect((await processArgv(w, 'kubelet'))?.argv).toEqual(['/usr/bin/kubelet', '--config=/var/lib/kubelet/config.yaml', '--v=4', '--node-labels=a=b']);
      await root(
        w,
        'rm /usr/lib/systemd/system/kubelet.service.d/20-lab.conf; echo KUBELET_EXTRA_ARGS= > /etc/default/kubelet; systemctl daemon-reload; systemctl restart kubelet',
      );
    },
    T,
  );

  it(
    'fails the kubelet when its --config is invalid, and brings it back once fixed',
    async () => {
      const w = lab.nodes[2]!.name;
      await root(w, 'cp /var/lib/kubelet/config.yaml /root/config.yaml; echo "authentication: [" >> /var/lib/kubelet/config.yaml; systemctl restart kubelet');
      const r = await root(w, 'systemctl is-active kubelet');
      expect(r).toMatchObject({ code: 3, stdout: 'failed\n' });
      expect((await curl(w, 'http://127.0.0.1:10248/healthz')).code).not.toBe(0);
      expect(await processArgv(w, 'kubelet')).toBeUndefined();
      await root(w, 'cp /root/config.yaml /var/lib/kubelet/config.yaml; systemctl restart kubelet');
      expect((await root(w, 'systemctl is-active kubelet')).stdout).toBe('active\n');
      expect((await curl(w, 'http://127.0.0.1:10248/healthz')).stdout).toBe('ok');
    },
    T,
  );
});

describe('the drifted scenario', () => {
  const DRIFTED = 'e2e-lab-drifted';
  let drifted: LabState;
  beforeAll(async () => {
    drifted = await labUp({ instance: DRIFTED, nodes: 2, scenario: 'drifted', recreate: true });
  }, 120_000);
  afterAll(async () => {
    await labDown(DRIFTED);
  }, 60_000);

  it(
    'carries CIS violations and still runs every component',
    async () => {
      const st = await labStatus(DRIFTED);
      expect(st.up).toBe(true);
      expect(
        st.nodes[0]!.pods.filter((p) => p.state === 'running')
          .map((p) => p.name)
          .sort(),
      ).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
      const r = await nodeExec(drifted, 'cp-1', [
        'stat',
        '-c',
        '%n %a %U',
        '/etc/kubernetes/manifests/kube-apiserver.yaml',
        '/etc/kubernetes/manifests/kube-scheduler.yaml',
        '/var/lib/etcd',
        '/var/lib/kubelet/config.yaml',
      ]);
      expect(r.stdout).toBe(
        '/etc/kubernetes/manifests/kube-apiserver.yaml 644 root\n/etc/kubernetes/manifests/kube-scheduler.yaml 400 root\n/var/lib/etcd 755 ops\n/var/lib/kubelet/config.yaml 666 root\n',
      );
      const ps = (await nodeExec(drifted, 'cp-1', ['ps', '-eo', 'args'])).stdout;
      expect(ps).toMatch(/^kube-apiserver .*--authorization-mode=AlwaysAllow .*--profiling=true$/m);
      expect(ps).toMatch(/^etcd /m);
      expect(ps).not.toMatch(/^etcd .*--client-cert-auth/m);
      expect(ps).toMatch(/^\/usr\/bin\/kubelet .* --authorization-mode=AlwaysAllow$/m);
      // The kubelet serves the read-only port and lets anonymous requests through.
      expect((await nodeExec(drifted, 'worker-1', ['curl', '-s', 'http://127.0.0.1:10255/healthz'])).stdout).toBe('ok');
      expect((await nodeExec(drifted, 'worker-1', ['curl', '-sk', '-o', '/dev/null', '-w', '%{http_code}', 'https://127.0.0.1:10250/pods'])).stdout).toBe(
        '200',
      );
    },
    T,
  );
});

describe('down', () => {
  it('leaves no namespace, link, process, mount or file behind, and is idempotent', async () => {
    const dir = lab.dir;
    const prefix = `cisfix${lab.index}-`;
    const netnsInodes = new Set([lab.bastion, ...lab.nodes].map((n) => readlinkSync(`/proc/${n.initPid}/ns/net`)));
    expect(netnsInodes.size).toBe(lab.nodes.length + 1);
    await labDown(INSTANCE);
    await labDown(INSTANCE);
    expect(existsSync(dir)).toBe(false);
    const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : [];
    expect(netns).toEqual([]);
    const links = await new Promise<string>((resolve) => execFile('ip', ['-o', 'link', 'show'], (_e, out) => resolve(String(out))));
    expect(links).not.toContain(`${lab.bridge}:`);
    expect(links).not.toMatch(new RegExp(`cfv${lab.index}-\\d+`));
    const leftovers: string[] = [];
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes(dir)) leftovers.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
        const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
        if (mounts.includes(dir)) leftovers.push(`${pid} has mounts under ${dir}`);
        if (netnsInodes.has(readlinkSync(`/proc/${pid}/ns/net`))) leftovers.push(`${pid} is in a node's network namespace`);
      } catch {
        /* exited meanwhile */
      }
    }
    expect(leftovers).toEqual([]);
  }, 60_000);
});
