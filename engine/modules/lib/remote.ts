import { envPrefix } from '../../connection/commands.js';
import type { ModuleContext, ModuleResult } from '../types.js';
import { lines } from './text.js';

export async function run(ctx: ModuleContext, command: string, stdin?: string | Buffer) {
  return ctx.conn.exec(`${envPrefix(ctx.env)}${command}`, { stdin, become: ctx.become, timeoutMs: ctx.timeoutMs });
}

export function commandResult(cmd: string | string[], rc: number, stdout: string, stderr: string, start: Date, changed: boolean): ModuleResult {
  const end = new Date();
  const out = stdout.replace(/\n$/, '');
  const err = stderr.replace(/\n$/, '');
  const fmt = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
  const delta = end.getTime() - start.getTime();
  return {
    changed,
    cmd,
    rc,
    stdout: out,
    stderr: err,
    stdout_lines: lines(out),
    stderr_lines: lines(err),
    start: fmt(start),
    end: fmt(end),
    delta: `0:00:${(delta / 1000).toFixed(6).padStart(9, '0')}`,
    ...(rc !== 0 ? { failed: true, msg: 'non-zero return code' } : {}),
  };
}
