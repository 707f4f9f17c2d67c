import type { Play } from '../load/model.js';
import type { Reporter } from '../report/types.js';
import { type PlayRun, playCtx, type Walker } from './context.js';
import type { HostStates } from './state.js';

/** Marks handlers notified by a changed task on a host, by name, `role : name` or listen topic. */
export function notify(states: HostStates, reporter: Reporter, host: string, names: string[], play: Play): void {
  const st = states.get(host);
  for (const n of names) {
    let found = false;
    for (const h of play.handlers) {
      const hn = h.name;
      if (hn === n || (h.role && `${h.role.name} : ${hn}` === n) || (h.kind === 'task' && h.listen.includes(n))) {
        st.notified.add(h);
        found = true;
      }
    }
    if (!found) reporter.warn(`The handler '${n}' notified on ${host} was not found`);
  }
}

export interface FlushOptions {
  states: HostStates;
  walker: Walker;
  forceHandlers: boolean;
  interrupted: () => boolean;
}

/** Runs notified handlers in the order they are defined, each on the hosts that notified it. */
export async function flushHandlers(run: PlayRun, o: FlushOptions, only?: string[]): Promise<void> {
  const ctx = playCtx(run, true);
  const hostsAll = only ?? run.batch;
  const force = o.forceHandlers || run.play.force_handlers;
  for (const h of run.play.handlers) {
    if (o.interrupted()) return;
    const hosts = hostsAll.filter((host) => {
      const st = o.states.get(host);
      return st.notified.has(h) && (st.active || (force && !st.unreachable));
    });
    for (const host of hostsAll) o.states.get(host).notified.delete(h);
    if (!hosts.length) continue;
    // A role's handler sees the parameters the play gave that role.
    const params = h.role ? (run.play.roles.find((b) => b.role === h.role)?.params ?? {}) : {};
    const hctx = { ...ctx, role: h.role, params };
    if (h.kind === 'task') await o.walker.task(h, hosts, hctx);
    else await o.walker.items([h], hosts, hctx);
  }
}
