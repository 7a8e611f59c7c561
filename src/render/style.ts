/**
 * Terminal styling that honours NO_COLOR and non-TTY output (DESIGN.md §1):
 * when disabled every function returns its input unchanged.
 */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const SGR = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

export function createStyle(enabled: boolean): Style {
  const wrap = (codes: readonly [number, number]) => (text: string) => (enabled ? `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m` : text);
  return {
    enabled,
    bold: wrap(SGR.bold),
    dim: wrap(SGR.dim),
    red: wrap(SGR.red),
    green: wrap(SGR.green),
    yellow: wrap(SGR.yellow),
    cyan: wrap(SGR.cyan),
  };
}

/** Colour only for a TTY, and never when NO_COLOR is set (https://no-color.org). */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

/** Visible width of a string, ignoring SGR escape sequences. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
