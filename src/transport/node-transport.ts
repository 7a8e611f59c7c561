/** What one remote command returned. `stdout` is raw bytes: facts may carry binary-safe content. */
export interface ExecResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Exit status; a command killed by a signal reports 128 + signal number. */
  readonly code: number;
}

export interface ExecOptions {
  /** Bytes fed to the command's standard input, then EOF. */
  readonly stdin?: string | Buffer;
  /** Run through `sudo -n` when the node's `become` is `sudo`. Default true. */
  readonly privileged?: boolean;
  /** Abort the command after this long (the channel is closed). */
  readonly timeoutMs?: number;
}

/**
 * A connection to one node. Implementations (ssh, local) are the only code
 * that starts remote processes. Invariant: `command` was built from constants
 * and `quoteShellArg` (src/transport/shell-quote.ts), never from raw input.
 */
export interface NodeTransport {
  readonly node: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}
