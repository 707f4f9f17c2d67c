import type { ModuleResult } from '../modules/types.js';

export type Status = 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';

/** A module's result after the executor has applied changed_when, failed_when, ignore_errors and no_log. */
export interface TaskResult extends ModuleResult {
  outcome: Status;
  ignored?: boolean;
  /** Per-item results of a loop, reported as they finish. */
  results?: ItemResult[];
}

export interface ItemResult extends TaskResult {
  item: unknown;
  label: string;
}

export interface TaskInfo {
  /** As Ansible prints it: `role : name`, or the module when unnamed. */
  title: string;
  module: string;
  file: string;
  line: number;
  handler: boolean;
  noLog: boolean;
  verboseAlways: boolean;
}

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface Timing {
  totalMs: number;
  tasks: { title: string; ms: number }[];
  roles: { role: string; ms: number }[];
}

/** The executor's only way to say anything; stream and JSON output both implement it. */
export interface Reporter {
  playStart(name: string): void;
  noHostsMatched(): void;
  noMoreHosts(): void;
  taskStart(task: TaskInfo): void;
  itemResult(host: string, task: TaskInfo, item: ItemResult, delegatedTo?: string): void;
  hostResult(host: string, task: TaskInfo, result: TaskResult, delegatedTo?: string): void;
  retry(host: string, task: TaskInfo, left: number, result: TaskResult): void;
  included(hosts: string[], file: string, label?: string): void;
  warn(message: string): void;
  verbose(level: number, message: string): void;
  /** commands: remote commands per host, for round-trip budgets. */
  recap(stats: Map<string, HostStats>, timing: Timing, commands: Record<string, number>): void;
  error(message: string): void;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}
