/**
 * Progress for long work (gathering facts on 100 nodes). On a TTY one line is
 * rewritten in place; otherwise nothing is drawn (no spinners in logs, and
 * stdout stays clean for --json in every case: progress goes to stderr).
 */
export interface Progress {
  tick(detail?: string): void;
  done(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean }): Progress {
  if (!stream.isTTY || total <= 1) return { tick: () => undefined, done: () => undefined };
  let count = 0;
  const draw = (detail = '') => stream.write(`\r\u001b[2K${label}: ${count}/${total}${detail ? ` ${detail}` : ''}`);
  draw();
  return {
    tick(detail) {
      count += 1;
      draw(detail);
    },
    done() {
      stream.write('\r\u001b[2K');
    },
  };
}
