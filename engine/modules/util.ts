import { shq } from '../connection/types.js';
import type { ModuleContext, ModuleResult } from './types.js';

export { shq };

/** Runs one remote command with the task's become, environment and timeout. */
export async function run(ctx: ModuleContext, command: string, stdin?: string | Buffer) {
  const env = Object.keys(ctx.env).length ? ctx.env : undefined;
  const prefix = env ? Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join(' ') : '';
  const cmd = prefix ? `export ${prefix}; ${command}` : command;
  return ctx.conn.exec(cmd, { stdin, become: ctx.become, timeoutMs: ctx.timeoutMs });
}

export function lines(s: string): string[] {
  if (!s) return [];
  return s.replace(/\n$/, '').split('\n');
}

/** The fields Ansible's command module returns. */
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

/** Splits command text into words like Python's shlex (quotes and backslashes), for the command module. */
export function shlexSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === q) q = null;
      else if (ch === '\\' && q === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
