import { userInfo } from 'node:os';
import { execa } from 'execa';
import { atomicWriteScript, becomeWrap } from './commands.js';
import type { Connection, ExecOptions, ExecResult, PutOptions } from './types.js';

/** Runs on the controller itself, through execa; the reference for the connection interface. */
export class LocalConnection implements Connection {
  commands = 0;
  private readonly user = userInfo().username;
  constructor(readonly host: string) {}

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.commands++;
    const { command: cmd, prefix } = becomeWrap(command, opts.become, this.user);
    const input = prefix || opts.stdin !== undefined ? Buffer.concat([Buffer.from(prefix), Buffer.from(opts.stdin ?? '')]) : undefined;
    const r = await execa('/bin/sh', ['-c', cmd], {
      input,
      stdin: input === undefined ? 'ignore' : undefined,
      env: opts.env,
      cwd: opts.cwd,
      timeout: opts.timeoutMs,
      cancelSignal: opts.signal,
      reject: false,
      stripFinalNewline: false,
      encoding: 'utf8',
    });
    if (r.timedOut) return { rc: 124, stdout: r.stdout, stderr: `${r.stderr}command timed out after ${opts.timeoutMs} ms\n` };
    if (r.isCanceled) return { rc: 130, stdout: r.stdout, stderr: `${r.stderr}interrupted\n` };
    return { rc: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /** One round trip: stream into a 0600 temporary file beside dest, verify its checksum, set mode and owner, rename. */
  async put(dest: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const script = atomicWriteScript({ dest, content: buf, mode: opts.mode, owner: opts.owner, group: opts.group, exists: true });
    const r = await this.exec(script, { stdin: buf, become: opts.become });
    if (r.rc !== 0) throw new Error(`cannot write ${dest}: ${r.stderr.trim()}`);
  }

  async close(): Promise<void> {}
}
