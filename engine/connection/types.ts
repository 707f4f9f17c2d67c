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

/** Quotes a string for POSIX sh. */
export function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** Wraps a command for become; the password goes on stdin (`sudo -S`), never on the command line. */
export function becomeWrap(command: string, become: { user: string; password?: string } | undefined, currentUser: string): { command: string; prefix: string } {
  if (!become || become.user === currentUser) return { command, prefix: '' };
  const sudo = become.password !== undefined ? `sudo -S -p '' -H -u ${shq(become.user)}` : `sudo -n -H -u ${shq(become.user)}`;
  return { command: `${sudo} /bin/sh -c ${shq(command)}`, prefix: become.password !== undefined ? `${become.password}\n` : '' };
}
