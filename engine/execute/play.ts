import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Item, Play, Task } from '../load/model.js';
import { isMapping, loadYamlFile } from '../load/yaml.js';
import { orderHosts, playHosts, playKeywordScope, serialBatches } from '../plan/hosts.js';
import { TemplateError, toText } from '../template/filters.js';
import type { Scope, Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import { type PlayRun, playCtx, type RunOptions } from './context.js';
import type { HostStates } from './state.js';
import { strategies } from './strategy/index.js';
import type { PlayWalker } from './walk.js';

export interface PlayDeps {
  o: RunOptions;
  states: HostStates;
  walker: PlayWalker;
  interrupted: () => boolean;
  /** Hosts that took part in a play; delegation targets alone do not appear in the recap. */
  played: Set<string>;
}

/** Runs one play, batch by batch; returns true when the whole playbook must stop. */
export async function runPlay(play: Play, d: PlayDeps): Promise<boolean> {
  const { o, states } = d;
  const r = o.reporter;
  const scope = playKeywordScope(play, o.extraVars);
  const hosts = orderHosts(playHosts(play, o.inventory, scope, o.limit), play.order);
  for (const h of hosts) states.get(h).ended = false;
  if (!hosts.length) {
    r.playStart(play.name);
    r.noHostsMatched();
    return false;
  }
  const remaining = states.active(hosts);
  for (const h of remaining) d.played.add(h);
  const varsFiles = loadVarsFiles(play, scope);
  for (const batch of serialBatches(remaining, play.serial, scope)) {
    if (d.interrupted()) return true;
    // Ansible prints the PLAY banner again for every serial batch.
    r.playStart(play.name);
    const run: PlayRun = { play, varsFiles, hosts: remaining, batch, halted: false, fatal: false };
    const before = batch.filter((h) => !states.get(h).active).length;
    await runBatch(run, d);
    const failedNow = batch.filter((h) => states.get(h).failed || states.get(h).unreachable).length;
    if (run.fatal) {
      // any_errors_fatal and max_fail_percentage end the whole playbook, as in ansible-core.
      r.noMoreHosts();
      return true;
    }
    // Ansible also stops the whole playbook when every host of a batch failed.
    if (failedNow - before === batch.length) return true;
    if (run.halted) return false;
  }
  return false;
}

function loadVarsFiles(play: Play, scope: Scope): Vars {
  const out: Vars = {};
  for (const vf of play.varsFiles) {
    const p = toText(render(vf.path, scope));
    const path = isAbsolute(p) ? p : resolve(play.dir, p);
    if (!existsSync(path)) throw new TemplateError(`vars file '${p}' not found (${vf.loc.file}:${vf.loc.line})`);
    const data = loadYamlFile(path);
    if (data !== null && !isMapping(data)) throw new TemplateError(`vars file '${p}' must hold a mapping of variables`);
    Object.assign(out, data ?? {});
  }
  return out;
}

/** Facts, then pre_tasks, roles and tasks, post_tasks, each section followed by its handlers. */
async function runBatch(run: PlayRun, d: PlayDeps): Promise<void> {
  const play = run.play;
  const ctx = playCtx(run);
  if (play.gather_facts) {
    const gather: Task = {
      kind: 'task',
      loc: play.loc,
      name: 'Gathering Facts',
      module: 'setup',
      args: {},
      notify: [],
      listen: [],
      when: [],
      tags: ['always'],
      vars: {},
      dir: play.dir,
    };
    await d.walker.task(gather, run.batch, ctx);
  }
  const sections: Item[][] = [play.pre_tasks, [...play.roles, ...play.tasks], play.post_tasks];
  const strategy = strategies[play.strategy];
  for (const items of sections) {
    if (run.halted || d.interrupted()) break;
    await strategy(items, run.batch, ctx, d.walker);
    await d.walker.flush(run);
  }
}
