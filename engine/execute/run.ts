import pLimit from 'p-limit';
import { ConnectionPool } from '../connection/pool.js';
import type { HostStats } from '../report/types.js';
import { TemplateError } from '../template/filters.js';
import type { RunOptions, RunOutcome } from './context.js';
import { runPlay } from './play.js';
import { Scopes } from './scope.js';
import { HostStates } from './state.js';
import { exitCode, Timings } from './stats.js';
import { PlayWalker } from './walk.js';

export type { RunOptions, RunOutcome } from './context.js';

/** Runs a loaded, validated playbook: plays in order, then the recap, whatever happened. */
export async function runPlaybook(o: RunOptions): Promise<RunOutcome> {
  let interrupted = false;
  o.signal?.addEventListener('abort', () => {
    interrupted = true;
  });
  const isInterrupted = (): boolean => interrupted;
  const states = new HostStates();
  const pool = new ConnectionPool();
  const timings = new Timings();
  const played = new Set<string>();
  const walker = new PlayWalker({
    o,
    states,
    scopes: new Scopes(o, states),
    pool,
    forks: pLimit(Math.max(1, o.forks)),
    timings,
    interrupted: isInterrupted,
  });
  let commands: Record<string, number> = {};
  try {
    for (const play of o.playbook.plays) {
      if (interrupted) break;
      if (await runPlay(play, { o, states, walker, interrupted: isInterrupted, played })) break;
    }
  } catch (e) {
    if (e instanceof TemplateError) o.reporter.error(`ERROR! ${e.message}`);
    else throw e;
  } finally {
    commands = await pool.counts();
    await pool.closeAll();
  }
  const stats = new Map<string, HostStats>();
  // As Ansible, the recap lists the hosts that have a result; a host that ran nothing is left out.
  const any = (s: HostStats): boolean => Object.values(s).some((n) => n > 0);
  for (const [h, s] of states.entries()) if (played.has(h) && any(s.stats)) stats.set(h, s.stats);
  o.reporter.recap(stats, timings.timing(), commands);
  return { stats, exitCode: exitCode(stats.values(), interrupted), interrupted, commands };
}
