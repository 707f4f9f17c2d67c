import type pLimit from 'p-limit';
import type { ConnectionPool } from '../connection/pool.js';
import { type Block, type Include, type Item, type Task, taskTitle } from '../load/model.js';
import { shouldRun } from '../plan/tags.js';
import type { TaskInfo, TaskResult } from '../report/types.js';
import { evalCondition } from '../template/expr.js';
import { toBool, toText } from '../template/filters.js';
import type { Vars } from '../template/scope.js';
import { renderString } from '../template/templar.js';
import { type Ctx, childCtx, type RunOptions, type TaskEnv, taskKeywords, type Walker } from './context.js';
import { flushHandlers, notify } from './handlers.js';
import { expandInclude } from './includes.js';
import type { Scopes } from './scope.js';
import type { HostStates } from './state.js';
import { count, type Timings } from './stats.js';
import { runTaskOnHost } from './task.js';

/** What the walker shares with the rest of the run. */
export interface WalkDeps {
  o: RunOptions;
  states: HostStates;
  scopes: Scopes;
  pool: ConnectionPool;
  forks: ReturnType<typeof pLimit>;
  timings: Timings;
  interrupted: () => boolean;
}

/**
 * The play iterator: walks blocks, includes and tasks in order, deciding what
 * runs next on which hosts (tags, --start-at-task, failed and ended hosts,
 * rescue and always), and hands each task to the task runner.
 */
export class PlayWalker implements Walker {
  private startAtFound: boolean;
  /** Under the free strategy a task's banner prints once, for the first host that reaches it. */
  private readonly shown = new Set<Item>();

  constructor(private readonly d: WalkDeps) {
    this.startAtFound = !d.o.startAt;
  }

  async items(items: Item[], hosts: string[], ctx: Ctx): Promise<void> {
    for (const item of items) {
      if (this.d.interrupted() || ctx.play.halted) return;
      const active = this.d.states.active(hosts);
      if (!active.length) return;
      if (item.kind === 'task') await this.task(item, active, ctx);
      else if (item.kind === 'block') await this.block(item, active, ctx);
      else await this.include(item, active, ctx);
    }
  }

  private async block(b: Block, hosts: string[], parent: Ctx): Promise<void> {
    const states = this.d.states;
    const ctx = childCtx(parent, b);
    await this.items(b.block, hosts, ctx);
    const failed = hosts.filter((h) => states.get(h).failed && !states.get(h).unreachable);
    if (b.rescue.length && failed.length) {
      for (const h of failed) {
        const st = states.get(h);
        st.failed = false;
        st.stats.failed--;
        st.stats.rescued++;
      }
      await this.items(b.rescue, failed, ctx);
    }
    if (b.always.length) {
      const wasFailed = hosts.filter((h) => states.get(h).failed && !states.get(h).unreachable);
      for (const h of wasFailed) states.get(h).failed = false;
      await this.items(
        b.always,
        hosts.filter((h) => !states.get(h).unreachable && !states.get(h).ended),
        ctx,
      );
      for (const h of wasFailed) states.get(h).failed = true;
    }
  }

  private tagsAllow(item: Item, ctx: Ctx): boolean {
    return shouldRun([...new Set([...ctx.tags, ...item.tags])], this.d.o.tags, this.d.o.skipTags);
  }

  private async include(inc: Include, hosts: string[], parent: Ctx): Promise<void> {
    if (!this.tagsAllow(inc, parent) || !this.startAtFound) return;
    const { o, scopes, states } = this.d;
    const ctx = childCtx(parent, inc);
    const info = this.info(inc, parent);
    o.reporter.taskStart(info);
    const { groups, skipped } = expandInclude(inc, hosts, ctx, {
      scope: (h, c, i) => scopes.scope(h, c, i),
      playbookDir: o.playbook.dir,
      load: { rolesPath: o.rolesPath, modules: o.modules },
    });
    // A host whose condition is false skips the include, reported and counted as any skipped task.
    for (const h of skipped) {
      const r: TaskResult = { outcome: 'skipped', changed: false, skipped: true, skip_reason: 'Conditional result was False' };
      count(states.get(h).stats, r);
      o.reporter.hostResult(h, info, r);
    }
    // Ansible reports every include_tasks as `included:` (counted ok) before running any; include_role shows nothing.
    for (const g of groups) {
      if (!g.file) continue;
      o.reporter.included(g.hosts, g.file, g.label);
      for (const h of g.hosts) states.get(h).stats.ok++;
    }
    for (const g of groups) {
      // Included tasks keep only their own tags and conditions (Ansible's include_tasks semantics).
      const child: Ctx = { ...ctx, role: g.role ?? ctx.role, params: { ...ctx.params, ...g.params }, when: [], tags: [] };
      await this.items(g.items, g.hosts, g.role ? { ...child, kw: ctx.kw } : child);
    }
  }

  /** The banner of a task: its templated name (with the first host's variables) or its module. */
  private info(task: Item, ctx: Ctx): TaskInfo {
    const role = task.role ?? ctx.role;
    let title = taskTitle({ ...task, role });
    if (task.name?.includes('{{')) {
      try {
        const name = toText(renderString(task.name, this.d.scopes.scope(ctx.play.batch[0] ?? 'localhost', ctx, task)));
        title = taskTitle({ ...task, role, name });
      } catch {
        /* Ansible also prints the raw name when it cannot be templated yet */
      }
    }
    const module = task.kind === 'task' ? task.module : task.kind === 'include' ? task.action : 'block';
    return {
      title,
      module,
      file: task.loc.file,
      line: task.loc.line,
      handler: ctx.handler,
      noLog: toBool(task.no_log ?? ctx.kw.no_log ?? false),
      verboseAlways: module === 'debug' || module === 'assert',
    };
  }

  async task(task: Task, hosts: string[], ctx: Ctx): Promise<void> {
    const { o, states } = this.d;
    if (!this.startAtFound) {
      if (this.info(task, ctx).title !== o.startAt && task.name !== o.startAt) return;
      this.startAtFound = true;
    }
    // Notified handlers run whatever --tags says; facts are gathered for any tag.
    if (!ctx.handler && (task.module !== 'setup' || task.name !== 'Gathering Facts') && !this.tagsAllow(task, ctx)) return;
    const info = this.info(task, ctx);
    if (task.module === 'meta') {
      // Ansible prints the banner of a meta task, but no host lines.
      o.reporter.taskStart(info);
      return this.meta(task, hosts, ctx);
    }
    if (!this.shown.has(task) || ctx.play.play.strategy !== 'free') {
      this.shown.add(task);
      o.reporter.taskStart(info);
    }
    const t0 = Date.now();
    const env = this.env(ctx, info);
    const kw = taskKeywords(ctx, task);
    // pause and its like run once for the whole batch, as Ansible's BYPASS_HOST_LOOP.
    const mod = o.modules.get(task.module);
    const runOnce = toBool(kw.run_once ?? false) || (mod?.kind === 'action' && mod.runOnce === true);
    const targets = runOnce ? hosts.slice(0, 1) : hosts;
    const results = await Promise.all(
      targets.map((h) => this.d.forks(() => (this.d.interrupted() ? Promise.resolve(undefined) : runTaskOnHost(task, h, env)))),
    );
    if (runOnce && results[0]) {
      const first = states.get(hosts[0]!).setFacts;
      // A run_once result, and a run_once set_fact's facts, belong to every host of the batch, as in ansible-core 2.14.
      const facts = mod?.name === 'set_fact' && results[0].outcome !== 'failed' ? Object.keys((results[0].ansible_facts as Vars | undefined) ?? {}) : [];
      for (const h of hosts.slice(1)) {
        const st = states.get(h).setFacts;
        if (task.register) st[task.register] = first[task.register];
        for (const k of facts) st[k] = first[k];
      }
    }
    this.d.timings.add(info.title, task.role ?? ctx.role, Date.now() - t0);
    const play = ctx.play;
    const fatal = toBool(kw.any_errors_fatal ?? play.play.any_errors_fatal);
    const failedHere = targets.filter((_h, i) => results[i]?.outcome === 'failed' && !results[i]?.ignored);
    const mfp = play.play.max_fail_percentage;
    const failedShare = mfp === undefined ? 0 : (play.batch.filter((h) => states.get(h).failed || states.get(h).unreachable).length / play.batch.length) * 100;
    if ((fatal && failedHere.length) || (mfp !== undefined && failedShare > mfp)) {
      for (const h of play.batch) states.get(h).ended = true;
      play.halted = play.fatal = true;
    }
  }

  private env(ctx: Ctx, info: TaskInfo): TaskEnv {
    const { o, states, scopes, pool } = this.d;
    return {
      ctx,
      info,
      reporter: o.reporter,
      check: o.check,
      diff: o.diff,
      verbosity: o.verbosity,
      connection: o.connection,
      signal: o.signal,
      playbookDir: o.playbook.dir,
      module: (name) => o.modules.get(name)!,
      inInventory: (h) => o.inventory.hosts.has(h),
      state: (h) => states.get(h),
      scope: (h, c, item) => scopes.scope(h, c, item),
      connect: (cv) => pool.get(cv),
      notify: (h, names) => notify(states, o.reporter, h, names, ctx.play.play),
      record: (h, r) => count(states.get(h).stats, r),
    };
  }

  flush(run: Ctx['play'], only?: string[]): Promise<void> {
    return flushHandlers(run, { states: this.d.states, walker: this, forceHandlers: this.d.o.forceHandlers, interrupted: this.d.interrupted }, only);
  }

  private async meta(task: Task, hosts: string[], ctx: Ctx): Promise<void> {
    const { states, scopes } = this.d;
    const play = ctx.play;
    switch (String(task.args._raw_params ?? '').trim()) {
      case 'flush_handlers':
        return this.flush(play, hosts);
      case 'end_play':
        for (const h of play.batch) states.get(h).ended = true;
        play.halted = true;
        return;
      case 'end_host':
        for (const h of hosts) if (evalCondition([...ctx.when, ...task.when], scopes.scope(h, ctx, task))) states.get(h).ended = true;
        return;
      case 'clear_facts':
        for (const h of hosts) states.get(h).facts = {};
        return;
      case 'clear_host_errors':
        for (const h of play.batch) states.get(h).failed = false;
        return;
      default:
        return;
    }
  }
}
