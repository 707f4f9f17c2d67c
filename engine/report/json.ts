import type { HostStats, ItemResult, Reporter, TaskInfo, TaskResult, Timing } from './types.js';

interface JsonTask {
  task: { name: string; file: string; line: number; handler: boolean };
  hosts: Record<string, unknown>;
}

interface JsonPlay {
  play: { name: string };
  tasks: JsonTask[];
}

const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** One document for the whole run, in the shape of Ansible's json callback (plays, tasks, hosts, stats). */
export class JsonReporter implements Reporter {
  private readonly plays: JsonPlay[] = [];
  private readonly warnings: string[] = [];
  private readonly errors: string[] = [];
  private current: JsonTask | undefined;
  constructor(private readonly write: (s: string) => void) {}

  private play(): JsonPlay {
    if (!this.plays.length) this.plays.push({ play: { name: '' }, tasks: [] });
    return this.plays.at(-1)!;
  }

  playStart(name: string): void {
    this.plays.push({ play: { name }, tasks: [] });
  }
  noHostsMatched(): void {}
  noMoreHosts(): void {}
  taskStart(task: TaskInfo): void {
    this.current = { task: { name: task.title, file: task.file, line: task.line, handler: task.handler }, hosts: {} };
    this.play().tasks.push(this.current);
  }
  itemResult(_host: string, _task: TaskInfo, _item: ItemResult): void {}
  hostResult(host: string, task: TaskInfo, result: TaskResult): void {
    if (!this.current) return;
    this.current.hosts[host] = task.noLog ? { censored: CENSORED, changed: result.changed ?? false, outcome: result.outcome } : result;
  }
  retry(): void {}
  included(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  verbose(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
  recap(stats: Map<string, HostStats>, timing: Timing, commands: Record<string, number>): void {
    const out = {
      plays: this.plays,
      stats: Object.fromEntries([...stats].sort(([a], [b]) => a.localeCompare(b))),
      commands,
      timing,
      warnings: this.warnings,
      errors: this.errors,
    };
    this.write(`${JSON.stringify(out, null, 2)}\n`);
  }
}
