import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { marked } from 'marked';
import puppeteer, { type Browser } from 'puppeteer-core';
import { labDown, labUp, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

// The reports of a real plan of the 3-node drifted lab (issue 12): the text
// plan's first screen, the Markdown comment, the HTML report in headless
// Chromium (Debian's /usr/bin/chromium), Prometheus metrics through promtool,
// and apply PLANFILE --yes printing one screen.
const INSTANCE = 'e2e-reports';
let lab: LabState;
let scratch: string;
let stateDir: string;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 3, scenario: 'drifted', recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-reports-'));
  stateDir = join(scratch, 'state');
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('reports of the drifted lab', () => {
  it('text: the first screen answers what fails and what changes, in one vocabulary of units', async () => {
    const result = await cli('plan', '-i', lab.apiInventoryFile);
    expect(result.code).toBe(0);
    const firstScreen = result.stdout.split('\n').slice(0, 40).join('\n');
    expect(firstScreen).toContain('Controls by section and node role');
    expect(firstScreen).toMatch(/1\.1\s+control-plane,etcd\s+1\s/);
    expect(firstScreen).toMatch(/4\.1\s+worker\s+2\s/);
    expect(firstScreen).toMatch(/What will change: \d+ changes to \d+ targets on 3 nodes and \d+ cluster objects/);
    expect(firstScreen).toMatch(/kubelet restarts\s+3 nodes \(cp-1, worker-1, worker-2\)/);
    expect(result.stdout).not.toMatch(/\(s\)|control result/);
    // One entry per target: the kube-apiserver manifest's mode and content together, controls with titles.
    expect(result.stdout.match(/~ \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml/g)).toHaveLength(1);
    expect(result.stdout).toMatch(
      /~ \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml {2}\(restarts kube-apiserver\)\n {6}1\.1\.1 Ensure that the API server pod specification file permissions/,
    );
  });

  it('Markdown: a pull-request comment under 65,000 characters that renders', async () => {
    const result = await cli('plan', '-i', lab.apiInventoryFile, '--format', 'markdown');
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeLessThan(65_000);
    const html = marked.parse(result.stdout, { gfm: true, async: false });
    expect(html).toContain('<table>');
    expect(html.match(/<details>/g)).toHaveLength(4);
    expect(html).toContain('<code class="language-diff">');
    expect(result.stdout).not.toContain('<br>');
  });

  it('HTML: opens in headless Chromium with its heat map, and the filters hide and show rows, without console errors', async () => {
    const result = await cli('plan', '-i', lab.apiInventoryFile, '--format', 'html');
    expect(result.code).toBe(0);
    const file = join(scratch, 'report.html');
    writeFileSync(file, result.stdout);
    const shots = mkdtempSync(join(tmpdir(), 'cisfix-shot-'));
    let browser: Browser | undefined;
    try {
      browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'], headless: true });
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

      // Heat map: a row per node and the cluster; drifted control planes fail section 1.2, pass section 2 partly.
      const heat = await page.$$eval('#heatmap td.cell', (cells) =>
        cells.map((c) => ({ node: c.getAttribute('data-node'), section: c.getAttribute('data-section'), compliance: c.getAttribute('data-compliance') })),
      );
      const nodes = [...new Set(heat.map((c) => c.node))];
      expect(nodes).toEqual(['cp-1', 'worker-1', 'worker-2', ':cluster']);
      const cp12 = heat.find((c) => c.node === 'cp-1' && c.section === '1.2')!;
      expect(Number(cp12.compliance)).toBeLessThan(100);
      expect(heat.find((c) => c.node === 'worker-1' && c.section === '1.2')!.compliance).toBe('');
      expect(Number(heat.find((c) => c.node === 'worker-1' && c.section === '4.1')!.compliance)).toBeGreaterThan(0);

      const visible = () =>
        page.$$eval('tr.finding, tr.change', (rows) =>
          rows
            .filter((r) => !r.classList.contains('hidden'))
            .map((r) => [r.getAttribute('data-node'), r.getAttribute('data-section'), r.getAttribute('data-status')]),
        );
      const all = await visible();
      expect(all.length).toBeGreaterThan(100);
      await page.select('#f-node', 'worker-1');
      const worker = await visible();
      expect(worker.length).toBeGreaterThan(0);
      expect(worker.length).toBeLessThan(all.length);
      expect(worker.every(([n]) => n === 'worker-1')).toBe(true);
      await page.select('#f-status', 'fixed');
      const fixed = await visible();
      expect(fixed.length).toBeGreaterThan(0);
      expect(fixed.every(([n, , s]) => n === 'worker-1' && s === 'fixed')).toBe(true);
      // A heat map cell filters to its node and section.
      await page.select('#f-status', '');
      await page.click('#heatmap td.cell[data-node="cp-1"][data-section="1.2"]');
      const cell = await visible();
      expect(cell.length).toBeGreaterThan(0);
      expect(cell.every(([n, s]) => n === 'cp-1' && (s ?? '').split(' ').includes('1.2'))).toBe(true);
      await page.click('#f-reset');
      await new Promise((r) => setTimeout(r, 50));
      expect((await visible()).length).toBe(all.length);

      const shot = join(shots, 'report.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    } finally {
      await browser?.close();
      rmSync(shots, { recursive: true, force: true });
    }
    expect(existsSync(shots)).toBe(false);
  });

  it('metrics: promtool accepts them; --metrics-file is written atomically, readable by node_exporter', async () => {
    const result = await cli('plan', '-i', lab.apiInventoryFile, '--format', 'prometheus');
    expect(result.code).toBe(0);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: result.stdout, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
    expect(result.stdout).toMatch(/cis_fix_control_status\{node="cp-1",control="1\.2\.6",section="1\.2",status="fail",fixable="true"\} 1/);
    const dir = join(scratch, 'textfile');
    const metrics = join(dir, 'cis_fix.prom');
    spawnSync('mkdir', ['-p', dir]);
    const drift = await cli('drift', '-i', lab.apiInventoryFile, '--metrics-file', metrics);
    expect(drift.code).toBe(2);
    expect(statSync(metrics).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['cis_fix.prom']);
    expect(readFileSync(metrics, 'utf8')).toContain('cis_fix_drifted_controls{node="cp-1"} 0');
  });

  it('apply PLANFILE --yes prints one screen, not the plan again; afterwards the metrics have the last successful run', async () => {
    const planFile = join(scratch, 'plan.json');
    expect((await cli('plan', '-i', lab.apiInventoryFile, '--only', '1.1.*,4.1.*', '-o', planFile)).code).toBe(0);
    const applied = await cli('apply', planFile, '--yes');
    expect(applied.code).toBe(0);
    const before = applied.stdout.slice(0, applied.stdout.indexOf('  applied '));
    expect(before.split('\n').length).toBeLessThan(30);
    expect(before).toMatch(/What will change: \d+ changes to \d+ targets on 3 nodes/);
    expect(before).not.toContain('mode 0644 -> 0600');
    expect(applied.stdout).toMatch(/Apply complete: \d+ changes to \d+ targets on 3 nodes\./);
    const verbose = await cli('plan', '-i', lab.apiInventoryFile, '--only', '1.1.*,4.1.*', '--format', 'prometheus');
    expect(verbose.stdout).toMatch(/cis_fix_last_successful_run_timestamp_seconds\{run="[^"]+"\} \d+/);
  });
});
