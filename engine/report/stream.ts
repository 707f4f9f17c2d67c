import { pyJson } from './pyjson.js';
import type { HostStats, ItemResult, Reporter, TaskInfo, TaskResult, Timing } from './types.js';

const COLORS = { green: 32, yellow: 33, red: 31, cyan: 36, magenta: 35, brightRed: 91, purple: 35 } as const;
type Color = keyof typeof COLORS;

/** Fields the default callback never prints (Ansible strips its internal keys the same way). */
const HIDDEN = new Set(['outcome', 'results', 'item', 'label', 'diff', 'ignored']);
const DEBUG_KEYS = new Set(['msg', 'exception', 'warnings', 'deprecations']);

export interface StreamOptions {
  write: (s: string) => void;
  color: boolean;
  verbosity: number;
  diff: boolean;
  /** How many of the slowest tasks the timing summary lists. */
  slowest?: number;
}

/** Ansible's default callback: PLAY/TASK banners, one line per host, then PLAY RECAP. */
export class StreamReporter implements Reporter {
  constructor(private readonly o: StreamOptions) {}

  private c(color: Color, s: string): string {
    return this.o.color ? `\x1b[${COLORS[color]}m${s}\x1b[0m` : s;
  }

  private line(s = ''): void {
    this.o.write(`${s}\n`);
  }

  private banner(msg: string): void {
    this.line();
    this.line(`${msg} ${'*'.repeat(Math.max(3, 79 - msg.length))}`);
  }

  playStart(name: string): void {
    this.banner(`PLAY [${name}]`);
  }

  noHostsMatched(): void {
    this.line(this.c('cyan', 'skipping: no hosts matched'));
  }

  noMoreHosts(): void {
    this.banner('NO MORE HOSTS LEFT');
  }

  taskStart(task: TaskInfo): void {
    this.banner(`${task.handler ? 'RUNNING HANDLER' : 'TASK'} [${task.title}]`);
    if (this.o.verbosity >= 2) this.line(`task path: ${task.file}:${task.line}`);
  }

  private shown(result: TaskResult, task: TaskInfo): Record<string, unknown> {
    if (task.noLog)
      return { censored: "the output has been hidden due to the fact that 'no_log: true' was specified for this result", changed: result.changed ?? false };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(result)) if (!HIDDEN.has(k) && !k.startsWith('_')) out[k] = v;
    if (out.changed === undefined) out.changed = false;
    return out;
  }

  private dump(result: TaskResult, task: TaskInfo, force = false): string {
    const body = this.shown(result, task);
    const indent = task.verboseAlways || this.o.verbosity > 2 ? 4 : undefined;
    if (task.module === 'debug' && !task.noLog) {
      // As Ansible's _clean_results: debug shows only what it was asked to.
      if ('msg' in body) for (const k of Object.keys(body)) !DEBUG_KEYS.has(k) && delete body[k];
      else for (const k of ['changed', 'failed', 'skipped', 'skip_reason', 'ansible_loop_var']) delete body[k];
    }
    return force || task.verboseAlways || this.o.verbosity > 0 ? ` => ${pyJson(body, indent)}` : '';
  }

  private diffs(result: TaskResult, task: TaskInfo): void {
    if (!this.o.diff || task.noLog || !result.diff?.length) return;
    for (const d of result.diff) {
      const text = unifiedDiff(d.path ?? 'content', d.before, d.after);
      if (text) this.o.write(this.colorDiff(text));
    }
  }

  private colorDiff(text: string): string {
    if (!this.o.color) return text;
    return text
      .split('\n')
      .map((l) => (l.startsWith('+') ? this.c('green', l) : l.startsWith('-') ? this.c('red', l) : l.startsWith('@@') ? this.c('cyan', l) : l))
      .join('\n');
  }

  private who(host: string, delegatedTo?: string): string {
    return delegatedTo && delegatedTo !== host ? `[${host} -> ${delegatedTo}]` : `[${host}]`;
  }

  itemResult(host: string, task: TaskInfo, item: ItemResult, delegatedTo?: string): void {
    const who = this.who(host, delegatedTo);
    const lbl = task.noLog ? '(item=None)' : `(item=${item.label})`;
    this.diffs(item, task);
    switch (item.outcome) {
      case 'skipped':
        this.line(this.c('cyan', `skipping: ${who} => ${lbl} ${this.o.verbosity > 0 ? this.dump(item, task) : ''}`));
        break;
      case 'failed':
        this.line(this.c('red', `failed: ${who} ${lbl}${this.dump(item, task, true)}`));
        break;
      case 'unreachable':
        this.line(this.c('brightRed', `fatal: ${who}: UNREACHABLE! ${lbl}${this.dump(item, task, true)}`));
        break;
      default:
        this.line(this.c(item.outcome === 'changed' ? 'yellow' : 'green', `${item.outcome}: ${who} => ${lbl}${this.dump(item, task)}`));
    }
  }

  hostResult(host: string, task: TaskInfo, result: TaskResult, delegatedTo?: string): void {
    const who = this.who(host, delegatedTo);
    if (result.results?.length) {
      // Items were printed one by one; Ansible prints nothing more unless the loop failed.
      if (result.ignored) this.line(this.c('cyan', '...ignoring'));
      return;
    }
    this.diffs(result, task);
    switch (result.outcome) {
      case 'skipped':
        this.line(this.c('cyan', `skipping: ${who}`));
        break;
      case 'failed':
        this.line(this.c('red', `fatal: ${who}: FAILED!${this.dump(result, task, true)}`));
        if (result.ignored) this.line(this.c('cyan', '...ignoring'));
        break;
      case 'unreachable':
        this.line(this.c('brightRed', `fatal: ${who}: UNREACHABLE!${this.dump(result, task, true)}`));
        if (result.ignored) this.line(this.c('cyan', '...ignoring'));
        break;
      default:
        this.line(this.c(result.outcome === 'changed' ? 'yellow' : 'green', `${result.outcome}: ${who}${this.dump(result, task)}`));
    }
  }

  retry(host: string, task: TaskInfo, left: number, result: TaskResult): void {
    this.line(this.c('red', `FAILED - RETRYING: [${host}]: ${task.title} (${left} retries left).${this.o.verbosity > 0 ? this.dump(result, task) : ''}`));
  }

  included(hosts: string[], file: string, label?: string): void {
    this.line(`included: ${file} for ${hosts.join(', ')}${label !== undefined ? ` => (item=${label})` : ''}`);
  }

  warn(message: string): void {
    this.line(this.c('magenta', `[WARNING]: ${message}`));
  }

  verbose(level: number, message: string): void {
    if (this.o.verbosity >= level) this.line(this.c('cyan', message));
  }

  error(message: string): void {
    this.line(this.c('red', message));
  }

  recap(stats: Map<string, HostStats>, timing: Timing, commands: Record<string, number>): void {
    this.banner('PLAY RECAP');
    const col = (name: string, n: number, color: Color): string => {
      const s = `${name}=${String(n).padEnd(4)}`;
      return n ? this.c(color, s) : s;
    };
    for (const host of [...stats.keys()].sort()) {
      const s = stats.get(host)!;
      const hostColor: Color | undefined = s.failed || s.unreachable ? 'red' : s.changed ? 'yellow' : 'green';
      const name = host.padEnd(26);
      this.line(
        `${this.o.color ? this.c(hostColor, name) : name} : ${col('ok', s.ok, 'green')} ${col('changed', s.changed, 'yellow')} ${col('unreachable', s.unreachable, 'red')} ${col('failed', s.failed, 'red')} ${col('skipped', s.skipped, 'cyan')} ${col('rescued', s.rescued, 'magenta')} ${col('ignored', s.ignored, 'magenta')}`,
      );
    }
    this.line();
    this.timing(timing);
    const total = Object.values(commands).reduce((a, b) => a + b, 0);
    if (this.o.verbosity > 0 && total)
      this.line(
        `Remote commands: ${total} (${Object.entries(commands)
          .map(([h, n]) => `${h} ${n}`)
          .join(', ')})`,
      );
  }

  private timing(t: Timing): void {
    const secs = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;
    this.line(`Total time: ${secs(t.totalMs)}`);
    const slow = [...t.tasks].sort((a, b) => b.ms - a.ms).slice(0, this.o.slowest ?? 5);
    if (slow.length) {
      this.line('Slowest tasks:');
      for (const x of slow) this.line(`  ${secs(x.ms).padStart(8)}  ${x.title}`);
    }
    if (t.roles.length) {
      this.line('Time per role:');
      for (const r of [...t.roles].sort((a, b) => b.ms - a.ms)) this.line(`  ${secs(r.ms).padStart(8)}  ${r.role}`);
    }
  }
}

import { createTwoFilesPatch } from 'diff';

export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(`before: ${path}`, `after: ${path}`, before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/m, '');
}
