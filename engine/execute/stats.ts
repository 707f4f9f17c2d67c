import type { Role } from '../load/model.js';
import type { HostStats, TaskResult, Timing } from '../report/types.js';

/** The recap's numbers: a result counted as ansible-core 2.14 counts it. */
export function count(s: HostStats, r: TaskResult): void {
  if (r.outcome === 'skipped') s.skipped++;
  else if (r.outcome === 'unreachable') {
    if (r.ignored) s.skipped++;
    else s.unreachable++;
  } else if (r.outcome === 'failed') {
    if (r.ignored) {
      s.ok++;
      s.ignored++;
      if (r.changed) s.changed++;
    } else s.failed++;
  } else {
    s.ok++;
    if (r.outcome === 'changed') s.changed++;
  }
}

/** Wall time per task title and per role, for the recap's slowest tasks. */
export class Timings {
  private readonly started = Date.now();
  private readonly tasks = new Map<string, number>();
  private readonly roles = new Map<string, number>();

  add(title: string, role: Role | undefined, ms: number): void {
    this.tasks.set(title, (this.tasks.get(title) ?? 0) + ms);
    if (role) this.roles.set(role.name, (this.roles.get(role.name) ?? 0) + ms);
  }

  timing(): Timing {
    return {
      totalMs: Date.now() - this.started,
      tasks: [...this.tasks].map(([title, ms]) => ({ title, ms })),
      roles: [...this.roles].map(([role, ms]) => ({ role, ms })),
    };
  }
}

/** ansible-playbook's exit codes: 99 interrupted, 4 unreachable, 2 failed. */
export function exitCode(stats: Iterable<HostStats>, interrupted: boolean): number {
  const all = [...stats];
  return interrupted ? 99 : all.some((s) => s.unreachable) ? 4 : all.some((s) => s.failed) ? 2 : 0;
}
