import type { Finding } from '../model/finding.js';
import type { Plan } from '../plan/plan.js';
import { escapeName } from './escape-name.js';
import { describeWaiver } from './plan-overview.js';

/**
 * The plan as JUnit XML for CI dashboards: one test suite per node (and one
 * for the cluster), one test case per control. A failing control is a
 * failure; manual, waived, not-applicable and not-evaluated controls are
 * skipped; an error finding is an error.
 */
export function renderPlanJunit(plan: Plan): string {
  const groups = new Map<string, Finding[]>();
  for (const f of plan.findings) {
    const key = f.node ?? 'cluster';
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const suites = [...groups].map(([node, findings]) => {
    const failures = findings.filter((f) => f.status === 'fail').length;
    const errors = findings.filter((f) => f.status === 'error').length;
    const skipped = findings.filter((f) => f.status !== 'pass' && f.status !== 'fail' && f.status !== 'error').length;
    const cases = findings.map((f) => {
      const name = `${f.controlId} ${f.title}`;
      const head = `    <testcase classname="${xml(`${plan.benchmark.id}.${node}`)}" name="${xml(name)}"`;
      const open = `${head}>`;
      switch (f.status) {
        case 'pass':
          return `${head}/>`;
        case 'fail':
          return `${open}\n      <failure message="${xml(f.actual)}">${[`expected: ${xml(f.expected)}`, `observed: ${xml(f.actual)}`, xml(f.fixable ? 'fixed by this plan' : `not fixable: ${f.notFixableReason ?? ''}`), ...(f.waiver ? [xml(describeWaiver(f)!)] : [])].join('\n')}</failure>\n    </testcase>`;
        case 'error':
          return `${open}\n      <error message="${xml(f.actual)}"/>\n    </testcase>`;
        default:
          return `${open}\n      <skipped message="${xml(`${f.status}${f.waiver ? `: ${describeWaiver(f)}` : f.notFixableReason ? `: ${f.notFixableReason}` : ''}`)}"/>\n    </testcase>`;
      }
    });
    return `  <testsuite name="${xml(node)}" tests="${findings.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cis-fix ${xml(plan.benchmark.id)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Control characters made visible first (escapeName: XML 1.0 cannot even carry most of them), then XML's own escaping. */
function xml(text: string): string {
  return escapeName(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
