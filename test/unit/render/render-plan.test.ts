import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePlan, serializePlan } from '../../../src/plan/planfile.js';
import { renderPlanHtml } from '../../../src/render/plan-html.js';
import { renderPlanJunit } from '../../../src/render/plan-junit.js';
import { renderPlanMetrics } from '../../../src/render/plan-metrics.js';
import { renderPlanMarkdown } from '../../../src/render/plan-markdown.js';
import { renderPlanSarif } from '../../../src/render/plan-sarif.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { createStyle } from '../../../src/render/style.js';
import { HOSTILE, plan, richPlan } from './plan-fixtures.js';

// Golden files for rendered plans (DESIGN.md §5.7). To accept a deliberate
// change of the output, delete the golden file and run the test once.
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));

function expectGolden(name: string, actual: string): void {
  const file = golden(name);
  if (!existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('rendered plans', () => {
  it('renders the text plan per node with markers, control ids, decisions and the summary line', () => {
    expectGolden('plan.txt', renderPlanText(plan, createStyle(false)));
  });

  it('renders a rich plan: summary table, what will change, one entry per target with titles, waivers, an unreached node', () => {
    expectGolden('plan-rich.txt', renderPlanText(richPlan, createStyle(false), { width: 80 }));
  });

  it('puts the mode and the content change of one file in one entry, each control followed by its title', () => {
    const text = renderPlanText(richPlan, createStyle(false));
    const entry = text.slice(text.indexOf('~ /etc/kubernetes/manifests/kube-apiserver.yaml'));
    const block = entry.slice(0, entry.search(/\n {2}[~+!=x-] /));
    expect(text.match(/kube-apiserver\.yaml {2}\(restarts/g)).toHaveLength(1);
    expect(block).toContain('1.1.1 Ensure that the API server pod specification file permissions');
    expect(block).toContain('1.2.6 Ensure that the --authorization-mode argument is not set to AlwaysAllow');
    expect(block).toContain('mode 0644 -> 0600');
    expect(block).toContain('+    - --profiling=false');
  });

  it('wraps long decision texts at the width it is given', () => {
    const text = renderPlanText(richPlan, createStyle(false), { width: 60 });
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.includes('needs a decision: the retention'));
    const paragraph = lines.slice(start, start + 6);
    expect(paragraph.join(' ').replace(/\s+/g, ' ')).toContain('what your auditors ask for: set parameter auditLogMaxAge');
    for (const line of paragraph) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('calls out an expired waiver and one expiring within 14 days, with reason, owner and expiry', () => {
    const text = renderPlanText(richPlan, createStyle(false), { width: 300 });
    expect(text).toMatch(/= 1\.2\.16 .*\(waiver expires soon\)/);
    expect(text).toContain('waived until 2026-12-05 (expires in 9 days), owner platform-team: the API server is behind a private load balancer');
    expect(text).toContain('waiver expired on 2026-11-20 (EXPIRED 7 days ago), owner platform-team');
    expect(text).toMatch(/Plan: .*1 waiver expired; 1 waiver expiring within 14 days; 1 node not reached\./);
  });

  it('uses one vocabulary of units: changes, targets, nodes, cluster objects', () => {
    const text = renderPlanText(richPlan, createStyle(false));
    expect(text).toContain('What will change: 6 changes to 4 targets on 2 nodes and 1 cluster object');
    expect(text).not.toMatch(/\(s\)|node\(s\)|control result/);
  });

  it('renders the text plan with colours only when asked', () => {
    const coloured = renderPlanText(plan, createStyle(true));
    expect(coloured).toContain('\u001b[33m~\u001b[39m');
    expect(renderPlanText(plan, createStyle(false))).not.toContain('\u001b[');
  });

  it('renders the markdown plan with a changes table and the undecided controls', () => {
    expectGolden('plan.md', renderPlanMarkdown(plan));
  });

  it('renders JUnit XML with a suite per node, failures for failing controls and skips for manual ones', () => {
    expectGolden('plan.junit.xml', renderPlanJunit(plan));
    const xml = renderPlanJunit(plan);
    expect(xml).toContain('<testsuite name="cp-1" tests="3" failures="2" errors="0" skipped="1">');
  });

  it('renders SARIF 2.1.0 with one result per failing control, warnings for what the plan fixes', () => {
    const sarif = JSON.parse(renderPlanSarif(plan)) as { version: string; runs: { results: { ruleId: string; level: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['1.1.13', 'warning'],
      ['1.1.12', 'error'],
      ['4.1.10', 'warning'],
    ]);
  });

  it('escapes control characters in every name, in text, Markdown, JUnit, SARIF, HTML and metrics: no raw ESC, no faked line', () => {
    const outputs = {
      text: renderPlanText(richPlan, createStyle(true)),
      markdown: renderPlanMarkdown(richPlan),
      junit: renderPlanJunit(richPlan),
      sarif: renderPlanSarif(richPlan),
      html: renderPlanHtml(richPlan),
      prometheus: renderPlanMetrics(richPlan),
    };
    for (const [format, out] of Object.entries(outputs)) {
      // The only ESC allowed is the style's own SGR colour codes.
      // eslint-disable-next-line no-control-regex
      expect([format, out.replace(/\u001b\[\d+m/g, '')]).not.toEqual([format, expect.stringMatching(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)]);
      expect([format, out]).not.toEqual([format, expect.stringMatching(/\n\s*\+ fake line/)]);
      expect([format, out]).not.toEqual([format, expect.stringMatching(/\n\s*~ \/etc\/fake/)]);
    }
    expect(outputs.text).toContain('evil\\n  ~ /etc/fake  [1.1.1]\\n+ fake line\\x1b[2J\\x1b]0;title\\x07\\x9b31m');
    expect(JSON.parse(outputs.sarif).runs[0].results.find((r: { ruleId: string }) => r.ruleId === '1.1.21').message.text).toContain('evil\\n  ~ /etc/fake');
    expect(HOSTILE).toContain('\n');
  });

  it('round-trips through the plan file unchanged', () => {
    expect(parsePlan(serializePlan(plan), 'plan.json')).toEqual(plan);
  });

  it('refuses a plan file of another format version, naming both versions', () => {
    expect(() => parsePlan(JSON.stringify({ ...plan, formatVersion: 99 }), 'old.json')).toThrow(/format version 99; this cis-fix reads version 1/);
  });
});
