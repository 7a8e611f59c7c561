import type { Finding } from '../../model/finding.js';

/**
 * Warnings about inventory waivers for stderr, under every output format:
 * an expired waiver (its control is a failure again) and one that ends
 * within two weeks, so that whoever owns it renews or fixes it in time.
 * One line per waiver and node; the cluster's controls are `cluster`.
 */
export function waiverNotices(findings: readonly Finding[]): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    const w = f.waiver;
    if (w === undefined) continue;
    const where = `${f.controlId} on ${f.node ?? 'cluster'}`;
    if (w.expired) {
      const days = -w.daysLeft;
      lines.push(
        `the waiver for ${where} (owner ${w.owner}) expired on ${w.expires}, ${days} day${days === 1 ? '' : 's'} ago: the control counts again (${f.status})`,
      );
    } else if (w.expiresSoon) {
      lines.push(
        `the waiver for ${where} (owner ${w.owner}) expires on ${w.expires}, in ${w.daysLeft} day${w.daysLeft === 1 ? '' : 's'}: renew it or fix the control`,
      );
    }
  }
  return lines;
}
