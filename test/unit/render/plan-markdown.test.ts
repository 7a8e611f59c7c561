import { marked } from 'marked';
import type { Change } from '../../../src/model/change.js';
import type { Finding } from '../../../src/model/finding.js';
import { MARKDOWN_LIMIT, renderPlanMarkdown } from '../../../src/render/plan-markdown.js';
import { makePlan, richPlan } from './plan-fixtures.js';

// The Markdown is a pull-request comment: it must render (marked, GitHub-flavoured), keep diffs
// out of table cells, and stay under GitHub's limit whatever the size of the plan.

function html(markdown: string): string {
  return marked.parse(markdown, { gfm: true, async: false });
}

/** A plan as large as a fleet's: `nodes` nodes, each with `perNode` manifest-sized diffs. */
function largePlan(nodes: number, perNode: number): ReturnType<typeof makePlan> {
  const names = Array.from({ length: nodes }, (_, i) => `worker-${i + 1}`);
  const findings: Finding[] = [];
  const changes: Change[] = [];
  for (const node of names) {
    for (let i = 0; i < perNode; i++) {
      const target = `/etc/kubernetes/conf-${i}.yaml`;
      const diff = [
        `--- a${target}`,
        `+++ b${target}`,
        '@@ -1,40 +1,40 @@',
        ...Array.from({ length: 40 }, (_, l) => `${l % 2 ? '+' : '-'}    - --flag-${l}=value-${'x'.repeat(30)}`),
      ].join('\n');
      findings.push({
        controlId: `4.2.${i + 1}`,
        node,
        status: 'fail',
        title: `Control ${i + 1}`,
        expected: 'set',
        actual: 'unset',
        fixable: true,
        kubeBench: 'FAIL',
      });
      changes.push({
        id: `${node}:kubelet-file:${target}`,
        node,
        controlIds: [`4.2.${i + 1}`],
        kind: 'kubelet-file',
        target,
        action: 'update',
        restart: 'kubelet',
        daemonReload: false,
        purpose: 'kubelet',
        edits: [],
        precondition: { exists: true, sha256: 'a'.repeat(64), mode: '600', uid: 0, gid: 0 },
        diff,
        before: { sha256: 'a'.repeat(64), argv: undefined },
        after: { content: '', sha256: 'b'.repeat(64), argv: undefined, healthUrl: 'http://127.0.0.1:10248/healthz' },
      });
    }
  }
  return makePlan(findings, changes, names);
}

describe('the Markdown plan', () => {
  it('starts with the summary table and renders each node in a details section with fenced diff blocks', () => {
    const markdown = renderPlanMarkdown(richPlan);
    const out = html(markdown);
    expect(markdown.indexOf('| Section | Role |')).toBeLessThan(markdown.indexOf('<details>'));
    expect(out).toContain('<table>');
    expect(out.match(/<details>/g)).toHaveLength(4);
    expect(out).toContain('<code class="language-diff">');
    expect(out).toContain('+    - --profiling=false');
    expect(markdown).not.toContain('<br>');
    // No table cell holds a diff: every table line is short.
    for (const line of markdown.split('\n').filter((l) => l.startsWith('|'))) expect(line.length).toBeLessThan(200);
  });

  it('keeps a hostile name from breaking out: no raw control character, no HTML from the node', () => {
    const evil = {
      ...richPlan,
      changes: richPlan.changes.map((c, i) => (i === 1 ? { ...c, target: '/x/</details><script>alert(1)</script>```\n# heading' } : c)),
    } as typeof richPlan;
    const out = html(renderPlanMarkdown(evil));
    expect(out).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(out.match(/<details>/g)).toHaveLength(4);
    expect(out.match(/<\/details>/g)).toHaveLength(4);
  });

  it('stays under 65,000 characters for a large plan, naming what was left out and where the whole plan is', () => {
    const markdown = renderPlanMarkdown(largePlan(120, 20), { fullPlan: 'plan.json' });
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown).toContain('Shortened to stay under 65,000 characters');
    expect(markdown).toMatch(/Diffs left out for: .*`worker-\d+`/);
    expect(markdown).toMatch(/Left out entirely: .*`worker-120`/);
    expect(markdown).toContain('The whole plan: the plan file `plan.json`.');
    const out = html(markdown);
    expect(out.match(/<details>/g)!.length).toBe(out.match(/<\/details>/g)!.length);
    expect(out).toContain('<table>');
  });

  it('leaves nothing out of a plan that fits', () => {
    const markdown = renderPlanMarkdown(largePlan(3, 5));
    expect(markdown).not.toContain('Shortened');
    expect(markdown.match(/```diff/g)).toHaveLength(15);
  });
});
