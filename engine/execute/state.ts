import type { Item } from '../load/model.js';
import { emptyStats, type HostStats } from '../report/types.js';
import type { Vars } from '../template/scope.js';

/** What the run knows about one host; it outlives plays, as Ansible's facts and set_facts do. */
export class HostState {
  facts: Vars = {};
  setFacts: Vars = {};
  includeVars: Vars = {};
  notified = new Set<Item>();
  /** Failed for the rest of the run (not rescued, not ignored). */
  failed = false;
  unreachable = false;
  /** meta: end_host, or end_play for the current play only. */
  ended = false;
  stats: HostStats = emptyStats();
  /** The last failure, for ansible_failed_task / ansible_failed_result in rescue. */
  lastFailure?: { task: Vars; result: Vars };

  get active(): boolean {
    return !this.failed && !this.unreachable && !this.ended;
  }
}

/** Every host's state for the run, created on first use. */
export class HostStates {
  private readonly map = new Map<string, HostState>();

  get(host: string): HostState {
    let s = this.map.get(host);
    if (!s) {
      s = new HostState();
      this.map.set(host, s);
    }
    return s;
  }

  active(hosts: readonly string[]): string[] {
    return hosts.filter((h) => this.get(h).active);
  }

  entries(): IterableIterator<[string, HostState]> {
    return this.map.entries();
  }
}
