/** How a command is run on a host; the same for local and SSH connections. */
export interface ExecOptions {
  stdin?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  become?: { user: string; password?: string };
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface PutOptions {
  mode?: string;
  owner?: string;
  group?: string;
  become?: { user: string; password?: string };
}

export interface Connection {
  readonly host: string;
  /** Runs `sh -c command` on the host. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Writes a file atomically (temporary file, then rename). */
  put(dest: string, content: string | Buffer, opts?: PutOptions): Promise<void>;
  close(): Promise<void>;
  /** Remote commands run so far, for round-trip budgets in tests and benchmarks. */
  readonly commands: number;
}

/** A host that cannot be reached: the executor marks it UNREACHABLE, not FAILED. */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}
