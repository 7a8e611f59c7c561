import { Document, Scalar, stringify, YAMLSeq } from 'yaml';

/**
 * YAML source text for one new or replaced value, as the yaml package writes
 * it (so quoting is always correct), on one line. A replaced scalar keeps
 * its quoting style (a double-quoted `"--flag=x"` stays double-quoted);
 * plain scalars stay plain unless the new value needs quotes.
 */

export type ScalarStyle = Scalar.Type | undefined;

/** Never fold long lines: a flag such as --tls-cipher-suites is one long word. */
const OPTIONS = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

/**
 * A string as a scalar in block context (a `- item` or `key: value`).
 * Block-scalar styles (`|`, `>`) are not kept: a one-line value is written
 * plain or quoted instead.
 */
export function blockScalarText(value: string, style: ScalarStyle = undefined): string {
  const scalar = new Scalar(value);
  if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') scalar.type = style;
  const text = stringify(scalar, OPTIONS).replace(/\n$/, '');
  if (!text.includes('\n')) return text;
  // A value with a line break would become a block scalar; force an escaped one-liner.
  scalar.type = 'QUOTE_DOUBLE';
  return stringify(scalar, OPTIONS).replace(/\n$/, '');
}

/** A string as an element of a flow sequence (`[a, "b,c"]`): commas and brackets force quotes. */
export function flowScalarText(value: string, style: ScalarStyle = undefined): string {
  const scalar = new Scalar(value);
  if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') scalar.type = style;
  return stripBrackets(stringify(flowSeqOf(scalar), OPTIONS));
}

/** A plain object (a volume, a volumeMount) as a flow mapping element of a flow sequence. */
export function flowMapText(value: Readonly<Record<string, unknown>>): string {
  return stripBrackets(stringify(flowSeqOf(new Document().createNode(value, { flow: true })), OPTIONS));
}

function flowSeqOf(node: unknown): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = true;
  seq.items.push(node);
  return seq;
}

function stripBrackets(text: string): string {
  return text.trim().replace(/^\[/, '').replace(/\]$/, '');
}

/** A value as one-line JSON with a space after ":" and ",", as people write JSON manifests by hand. */
export function jsonText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, child]) => `${JSON.stringify(key)}: ${jsonText(child)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}
