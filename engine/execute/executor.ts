import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import pLimit from 'p-limit';
import { ConnectionPool } from '../connection/pool.js';
import type { Inventory } from '../load/inventory.js';
import type { Block, Include, Inherited, Item, Play, Playbook, Role, Task } from '../load/model.js';
import { loadRoleAtRuntime, loadTasksAtRuntime, resolveTaskFile } from '../load/playbook.js';
import { isMapping, loadYamlFile } from '../load/yaml.js';
import { matchHosts } from '../plan/patterns.js';
import { shouldRun } from '../plan/tags.js';
import { inventoryLayers, magicVars } from '../plan/vars.js';
import type { HostStats, Reporter, TaskInfo, TaskResult, Timing } from '../report/types.js';
import { TemplateError, toBool, toText } from '../template/filters.js';
import { Scope, type Layer, type Vars } from '../template/scope.js';
import { render, renderString } from '../template/templar.js';
import { HostState } from './state.js';
import { label as labelOf } from '../report/pyjson.js';
import { runTaskOnHost, type TaskEnv } from './task.js';

export interface RunOptions {
  inventory: Inventory;
  playbook: Playbook;
  reporter: Reporter;
  check: boolean;
  diff: boolean;
  tags: string[];
  skipTags: string[];
  limit?: string;
  extraVars: Vars;
  forks: number;
  /** -c: overrides ansible_connection for every host. */
  connection?: 'local' | 'ssh';
  verbosity: number;
  startAt?: string;
  forceHandlers: boolean;
  rolesPath: string[];
  signal?: AbortSignal;
  /** Defaults for hosts that do not set their own (command-line --user, --private-key, ...). */
  hostDefaults: Vars;
}

export interface RunOutcome {
  stats: Map<string, HostStats>;
  exitCode: number;
  interrupted: boolean;
  commands: Record<string, number>;
}

/** Keywords passed down from play to block to task; the innermost setting wins. */
export interface Ctx {
  play: PlayRun;
  role?: Role;
  params: Vars;
  blockVars: Vars[];
  when: unknown[];
  tags: string[];
  kw: Partial<Inherited>;
  handler: boolean;
}

interface PlayRun {
  play: Play;
  varsFiles: Vars;
  hosts: string[];
  batch: string[];
  halted: boolean;
  /** Halted by any_errors_fatal or max_fail_percentage, which end the playbook too. */
  fatal: boolean;
}

const KW = ['become', 'become_user', 'environment', 'no_log', 'check_mode', 'ignore_errors', 'ignore_unreachable', 'delegate_to', 'run_once', 'any_errors_fatal', 'timeout'] as const;

export class Executor {
  readonly states = new Map<string, HostState>();
  readonly pool = new ConnectionPool();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly invLayers = new Map<string, Layer[]>();
  private readonly shownTasks = new Set<Item>();
  private startAtFound: boolean;
  private readonly taskTimes = new Map<string, number>();
  private readonly roleTimes = new Map<string, number>();
  private readonly started = Date.now();
  private interrupted = false;
  /** Remote commands per host, counted by its connection. */
  private commands: Record<string, number> = {};
  /** Hosts that took part in a play; delegation targets alone do not appear in the recap. */
  private readonly played = new Set<string>();

  constructor(readonly o: RunOptions) {
    this.limit = pLimit(Math.max(1, o.forks));
    this.startAtFound = !o.startAt;
    o.signal?.addEventListener('abort', () => {
      this.interrupted = true;
    });
  }

  state(host: string): HostState {
    let s = this.states.get(host);
    if (!s) {
      s = new HostState();
      this.states.set(host, s);
    }
    return s;
  }

  private inventoryLayers(host: string): Layer[] {
    let l = this.invLayers.get(host);
    if (!l) {
      l = inventoryLayers(this.o.inventory, host);
      if (Object.keys(this.o.hostDefaults).length) l.unshift({ vars: this.o.hostDefaults });
      this.invLayers.set(host, l);
    }
    return l;
  }

  /** The variables one task sees on one host, in the precedence order of plan/vars.ts. */
  scope(host: string, ctx: Ctx, item?: { vars: Vars; params?: Vars; role?: Role }): Scope {
    const st = this.state(host);
    const role = item?.role ?? ctx.role;
    const play = ctx.play;
    const layers: Layer[] = [
      // Play-level tasks see the defaults of the play's roles, as Ansible's non-private role vars allow.
      ...(role ? roleChainDefaults(role) : playRoleDefaults(play.play)),
      ...this.inventoryLayers(host),
      { vars: st.facts, raw: true },
      { vars: play.play.vars },
      { vars: play.varsFiles },
      ...(role ? [{ vars: role.vars }] : []),
      ...ctx.blockVars.map((vars) => ({ vars })),
      { vars: item?.vars ?? {} },
      { vars: st.includeVars },
      { vars: st.setFacts, raw: true },
      { vars: { ...ctx.params, ...(item?.params ?? {}) } },
      { vars: this.o.extraVars },
      { vars: this.magic(host, play, role), raw: true },
    ];
    return new Scope(layers, render);
  }

  private hostvarsProxy(play: PlayRun): Vars {
    const self = this;
    const scopeOf = (h: string): Vars => self.scope(h, { play, params: {}, blockVars: [], when: [], tags: [], kw: {}, handler: false }).asContext();
    const known = (h: string): boolean => self.o.inventory.get(h) !== undefined;
    return new Proxy({} as Vars, {
      get: (_t, p) => (typeof p === 'string' && known(p) ? scopeOf(p) : undefined),
      has: (_t, p) => typeof p === 'string' && known(p),
      ownKeys: () => [...self.o.inventory.hosts.keys()],
      getOwnPropertyDescriptor: (_t, p) => (typeof p === 'string' && known(p) ? { value: scopeOf(p), enumerable: true, configurable: true } : undefined),
    });
  }

  private magicCache = new WeakMap<PlayRun, { groups: Record<string, string[]>; hostvars: Vars }>();

  private magic(host: string, play: PlayRun, role?: Role): Vars {
    let shared = this.magicCache.get(play);
    if (!shared) {
      shared = { groups: this.o.inventory.groupsMap(), hostvars: this.hostvarsProxy(play) };
      this.magicCache.set(play, shared);
    }
    const st = this.state(host);
    return {
      ...magicVars(this.o.inventory, host, {}),
      groups: shared.groups,
      hostvars: shared.hostvars,
      play_hosts: play.batch.filter((h) => this.state(h).active),
      ansible_play_hosts: play.batch.filter((h) => this.state(h).active),
      ansible_play_batch: play.batch.filter((h) => this.state(h).active),
      ansible_play_hosts_all: play.hosts,
      ansible_check_mode: this.o.check,
      ansible_diff_mode: this.o.diff,
      ansible_verbosity: this.o.verbosity,
      ansible_play_name: play.play.name,
      playbook_dir: this.o.playbook.dir,
      ansible_facts: st.facts.ansible_facts ?? {},
      omit: OMIT,
      ...(role ? { role_path: role.path, role_name: role.name, ansible_role_name: role.name } : {}),
      ...(st.lastFailure ? { ansible_failed_task: st.lastFailure.task, ansible_failed_result: st.lastFailure.result } : {}),
    };
  }

  taskInfo(task: Item & { module?: string }, ctx: Ctx): TaskInfo {
    const role = task.role ?? ctx.role;
    let name = task.name;
    if (name && name.includes('{{')) {
      try {
        name = toText(renderString(name, this.scope(ctx.play.batch[0] ?? 'localhost', ctx, task)));
      } catch {
        /* Ansible also prints the raw name when it cannot be templated yet */
      }
    }
    const base = name ?? (task.kind === 'include' ? task.action : (task as Task).module);
    const noLog = toBool(task.no_log ?? ctx.kw.no_log ?? false);
    return {
      title: role && !ctx.handler ? `${role.name} : ${base}` : role && ctx.handler ? `${role.name} : ${base}` : base,
      module: (task as Task).module ?? (task as Include).action,
      file: task.loc.file,
      line: task.loc.line,
      handler: ctx.handler,
      noLog,
      verboseAlways: (task as Task).module === 'debug' || (task as Task).module === 'assert',
    };
  }

  count(host: string, r: TaskResult): void {
    const s = this.state(host).stats;
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

  timeTask(title: string, role: Role | undefined, ms: number): void {
    this.taskTimes.set(title, (this.taskTimes.get(title) ?? 0) + ms);
    if (role) this.roleTimes.set(role.name, (this.roleTimes.get(role.name) ?? 0) + ms);
  }

  private ctxFor(play: PlayRun, handler = false): Ctx {
    return { play, params: {}, blockVars: [], when: [...play.play.inherited.when], tags: [...play.play.inherited.tags], kw: pickKw(play.play.inherited), handler };
  }

  private childCtx(ctx: Ctx, b: Block | Include): Ctx {
    const kw: Partial<Inherited> = { ...ctx.kw, ...pickKw(b) };
    return {
      play: ctx.play,
      role: b.role ?? ctx.role,
      params: b.params ? { ...ctx.params, ...b.params } : ctx.params,
      blockVars: Object.keys(b.vars).length ? [...ctx.blockVars, b.vars] : ctx.blockVars,
      when: [...ctx.when, ...b.when],
      tags: [...new Set([...ctx.tags, ...b.tags])],
      kw,
      handler: ctx.handler,
    };
  }

  private active(hosts: string[]): string[] {
    return hosts.filter((h) => this.state(h).active);
  }

  async run(): Promise<RunOutcome> {
    const r = this.o.reporter;
    try {
      for (const play of this.o.playbook.plays) {
        if (this.interrupted) break;
        const stop = await this.runPlay(play);
        if (stop) break;
      }
    } catch (e) {
      if (e instanceof TemplateError) r.error(`ERROR! ${e.message}`);
      else throw e;
    } finally {
      this.commands = await this.pool.counts();
      await this.pool.closeAll();
    }
    const stats = new Map<string, HostStats>();
    for (const [h, s] of this.states) if (this.played.has(h)) stats.set(h, s.stats);
    const timing: Timing = {
      totalMs: Date.now() - this.started,
      tasks: [...this.taskTimes].map(([title, ms]) => ({ title, ms })),
      roles: [...this.roleTimes].map(([role, ms]) => ({ role, ms })),
    };
    r.recap(stats, timing, this.commands);
    const all = [...stats.values()];
    const exitCode = this.interrupted ? 99 : all.some((s) => s.unreachable) ? 4 : all.some((s) => s.failed) ? 2 : 0;
    return { stats, exitCode, interrupted: this.interrupted, commands: this.commands };
  }

  /** Returns true when the whole playbook must stop (every host of a batch failed). */
  private async runPlay(play: Play): Promise<boolean> {
    const r = this.o.reporter;
    const inv = this.o.inventory;
    const pre: PlayRun = { play, varsFiles: {}, hosts: [], batch: [], halted: false, fatal: false };
    const playScope = new Scope([{ vars: play.vars }, { vars: this.o.extraVars }], render);
    const pattern = render(play.hosts, playScope);
    let hosts = matchHosts(Array.isArray(pattern) ? pattern.map(String) : String(pattern ?? ''), inv);
    if (this.o.limit) {
      const allowed = new Set(matchHosts(this.o.limit, inv));
      hosts = hosts.filter((h) => allowed.has(h));
    }
    hosts = orderHosts(hosts, play.order);
    for (const h of hosts) this.state(h).ended = false;
    const remaining = hosts.filter((h) => this.state(h).active);
    if (!hosts.length) {
      r.playStart(play.name);
      r.noHostsMatched();
      return false;
    }
    pre.hosts = remaining;
    for (const h of remaining) this.played.add(h);
    pre.varsFiles = this.loadVarsFiles(play, playScope);
    for (const batch of serialBatches(remaining, play.serial, playScope)) {
      if (this.interrupted) return true;
      // Ansible prints the PLAY banner again for every serial batch.
      r.playStart(play.name);
      const run: PlayRun = { ...pre, batch, halted: false, fatal: false };
      const before = batch.filter((h) => !this.state(h).active).length;
      await this.runBatch(run);
      const failedNow = batch.filter((h) => this.state(h).failed || this.state(h).unreachable).length;
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

  private loadVarsFiles(play: Play, scope: Scope): Vars {
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

  private async runBatch(run: PlayRun): Promise<void> {
    const play = run.play;
    const ctx = this.ctxFor(run);
    if (play.gather_facts && (shouldRun(['always'], this.o.tags, this.o.skipTags) || true)) {
      const gather: Task = {
        kind: 'task', loc: play.loc, name: 'Gathering Facts', module: 'setup', args: {}, notify: [], listen: [], when: [], tags: ['always'], vars: {}, dir: play.dir,
      };
      await this.runTask(gather, run.batch, ctx);
    }
    const sections: Item[][] = [play.pre_tasks, [...play.roles, ...play.tasks], play.post_tasks];
    for (const items of sections) {
      if (run.halted || this.interrupted) break;
      if (play.strategy === 'free') {
        await Promise.all(run.batch.map((h) => this.runItems(items, [h], ctx)));
      } else await this.runItems(items, run.batch, ctx);
      await this.flushHandlers(run);
    }
  }

  /** Runs notified handlers in the order they are defined, each on the hosts that notified it. */
  async flushHandlers(run: PlayRun, only?: string[]): Promise<void> {
    const ctx = this.ctxFor(run, true);
    const hostsAll = only ?? run.batch;
    for (const h of run.play.handlers) {
      if (this.interrupted) return;
      const hosts = hostsAll.filter((host) => {
        const st = this.state(host);
        return st.notified.has(h) && (st.active || (this.o.forceHandlers || run.play.force_handlers) && !st.unreachable);
      });
      for (const host of hostsAll) this.state(host).notified.delete(h);
      if (!hosts.length) continue;
      // A role's handler sees the parameters the play gave that role.
      const params = h.role ? (run.play.roles.find((b) => b.role === h.role)?.params ?? {}) : {};
      const hctx = { ...ctx, role: h.role, params };
      if (h.kind === 'task') await this.runTask(h, hosts, hctx);
      else await this.runItems([h], hosts, hctx);
    }
  }

  /** Marks handlers notified by a changed task on a host, by name, `role : name` or listen topic. */
  notify(host: string, names: string[], play: Play): void {
    const st = this.state(host);
    for (const n of names) {
      let found = false;
      for (const h of play.handlers) {
        const hn = h.name;
        if (hn === n || (h.role && `${h.role.name} : ${hn}` === n) || (h.kind === 'task' && h.listen.includes(n))) {
          st.notified.add(h);
          found = true;
        }
      }
      if (!found) this.o.reporter.warn(`The handler '${n}' notified on ${host} was not found`);
    }
  }

  async runItems(items: Item[], hosts: string[], ctx: Ctx): Promise<void> {
    for (const item of items) {
      if (this.interrupted || ctx.play.halted) return;
      const active = this.active(hosts);
      if (!active.length) return;
      if (item.kind === 'task') await this.runTask(item, active, ctx);
      else if (item.kind === 'block') await this.runBlock(item, active, ctx);
      else await this.runInclude(item, active, ctx);
    }
  }

  private async runBlock(b: Block, hosts: string[], parent: Ctx): Promise<void> {
    const ctx = this.childCtx(parent, b);
    await this.runItems(b.block, hosts, ctx);
    const failed = hosts.filter((h) => this.state(h).failed && !this.state(h).unreachable);
    if (b.rescue.length && failed.length) {
      for (const h of failed) {
        const st = this.state(h);
        st.failed = false;
        st.stats.failed--;
        st.stats.rescued++;
      }
      await this.runItems(b.rescue, failed, ctx);
    }
    if (b.always.length) {
      const wasFailed = hosts.filter((h) => this.state(h).failed && !this.state(h).unreachable);
      for (const h of wasFailed) this.state(h).failed = false;
      await this.runItems(b.always, hosts.filter((h) => !this.state(h).unreachable && !this.state(h).ended), ctx);
      for (const h of wasFailed) this.state(h).failed = true;
    }
  }

  private tagsAllow(item: Item, ctx: Ctx): boolean {
    return shouldRun([...new Set([...ctx.tags, ...item.tags])], this.o.tags, this.o.skipTags);
  }

  private async runInclude(inc: Include, hosts: string[], parent: Ctx): Promise<void> {
    if (!this.tagsAllow(inc, parent) || !this.startAtFound) return;
    const ctx = this.childCtx(parent, inc);
    this.o.reporter.taskStart(this.taskInfo(inc, parent));
    // Hosts that resolve to the same file run it together, as Ansible groups them.
    const groups = new Map<string, { hosts: string[]; items: Item[]; role?: Role; params: Vars; file?: string; label?: string }>();
    for (const h of hosts) {
      const scope = this.scope(h, ctx, inc);
      const { evalCondition } = await import('../template/expr.js');
      if (!evalCondition(ctx.when, scope)) continue;
      const loopList = inc.loop !== undefined ? (await import('./loops.js')).loopItems(inc.loopKind ?? 'loop', inc.loop, scope) : [undefined];
      for (const item of loopList) {
        const s = inc.loop !== undefined ? scope.with({ [inc.loop_control?.loop_var ?? 'item']: item }, true) : scope;
        const target = toText(render(inc.target, s));
        const params = render(inc.args, s) as Vars;
        if (inc.loop !== undefined) params[inc.loop_control?.loop_var ?? 'item'] = item;
        const key = `${target}\0${JSON.stringify(params)}\0${inc.loop !== undefined ? labelOf(item) : ''}`;
        let g = groups.get(key);
        if (!g) {
          if (inc.action === 'include_role') {
            const tasksFrom = inc.tasksFrom !== undefined ? toText(render(inc.tasksFrom, s)) : 'main';
            const loaded = inc.preloaded && inc.preloadedRole && target === inc.target && tasksFrom === (inc.tasksFrom ?? 'main')
              ? { role: inc.preloadedRole, items: inc.preloaded }
              : loadRoleAtRuntime(target, tasksFrom, inc.loc, this.o.playbook.dir, this.o.rolesPath);
            g = { hosts: [], items: loaded.items, role: loaded.role, params };
            for (const hh of loaded.role.handlers) if (!ctx.play.play.handlers.includes(hh)) ctx.play.play.handlers.push(hh);
          } else {
            let items = target === inc.target ? inc.preloaded : undefined;
            if (!items) {
              const file = isAbsolute(target) ? target : resolveTaskFile(target, inc.dir, inc.role ?? ctx.role, this.o.playbook.dir);
              if (!file) throw new TemplateError(`include_tasks: could not find '${target}' (${inc.loc.file}:${inc.loc.line})`);
              items = loadTasksAtRuntime(file, inc.role ?? ctx.role, this.o.playbook.dir);
            }
            g = { hosts: [], items, params, file: isAbsolute(target) ? target : (resolveTaskFile(target, inc.dir, inc.role ?? ctx.role, this.o.playbook.dir) ?? target) };
          }
          groups.set(key, g);
        }
        if (inc.loop !== undefined) g.label = labelOf(item);
        if (!g.hosts.includes(h)) g.hosts.push(h);
      }
    }
    // Ansible reports every include_tasks as `included:` (counted ok) before running any; include_role shows nothing.
    for (const g of groups.values()) {
      if (!g.file) continue;
      this.o.reporter.included(g.hosts, g.file, g.label);
      for (const h of g.hosts) this.state(h).stats.ok++;
    }
    for (const g of groups.values()) {
      const child: Ctx = { ...ctx, role: g.role ?? ctx.role, params: { ...ctx.params, ...g.params }, when: [], tags: ctx.tags.filter(() => false) };
      // Included tasks keep only their own tags (Ansible's include_tasks semantics).
      await this.runItems(g.items, g.hosts, g.role ? { ...child, kw: ctx.kw } : child);
    }
  }

  private async runTask(task: Task, hosts: string[], ctx: Ctx): Promise<void> {
    if (!this.startAtFound) {
      const info = this.taskInfo(task, ctx);
      if (info.title !== this.o.startAt && task.name !== this.o.startAt) return;
      this.startAtFound = true;
    }
    // Notified handlers run whatever --tags says; facts are gathered for any tag.
    if (!ctx.handler && (task.module !== 'setup' || task.name !== 'Gathering Facts')) {
      if (!this.tagsAllow(task, ctx)) return;
    }
    const info = this.taskInfo(task, ctx);
    if (task.module === 'meta') {
      // Ansible prints the banner of a meta task, but no host lines.
      this.o.reporter.taskStart(info);
      return this.runMeta(task, hosts, ctx);
    }
    if (!this.shownTasks.has(task) || ctx.play.play.strategy !== 'free') {
      this.shownTasks.add(task);
      this.o.reporter.taskStart(info);
    }
    const t0 = Date.now();
    const env: TaskEnv = { exec: this, ctx, info };
    const runOnce = toBool(task.run_once ?? ctx.kw.run_once ?? false);
    const targets = runOnce ? hosts.slice(0, 1) : hosts;
    const results = await Promise.all(targets.map((h) => this.limit(() => (this.interrupted ? Promise.resolve(undefined) : runTaskOnHost(task, h, env)))));
    if (runOnce && results[0] && task.register) {
      for (const h of hosts.slice(1)) this.state(h).setFacts[task.register] = this.state(hosts[0]!).setFacts[task.register];
    }
    this.timeTask(info.title, task.role ?? ctx.role, Date.now() - t0);
    const fatal = toBool(task.any_errors_fatal ?? ctx.kw.any_errors_fatal ?? ctx.play.play.any_errors_fatal);
    const failedHere = targets.filter((h, i) => results[i]?.outcome === 'failed' && !results[i]?.ignored);
    if (fatal && failedHere.length) {
      for (const h of ctx.play.batch) this.state(h).ended = true;
      ctx.play.halted = ctx.play.fatal = true;
    }
    const mfp = ctx.play.play.max_fail_percentage;
    if (mfp !== undefined) {
      const failed = ctx.play.batch.filter((h) => this.state(h).failed || this.state(h).unreachable).length;
      if ((failed / ctx.play.batch.length) * 100 > mfp) {
        for (const h of ctx.play.batch) this.state(h).ended = true;
        ctx.play.halted = ctx.play.fatal = true;
      }
    }
  }

  private async runMeta(task: Task, hosts: string[], ctx: Ctx): Promise<void> {
    const action = String(task.args._raw_params ?? '').trim();
    switch (action) {
      case 'flush_handlers':
        await this.flushHandlers(ctx.play, hosts);
        return;
      case 'end_play':
        for (const h of ctx.play.batch) this.state(h).ended = true;
        ctx.play.halted = true;
        return;
      case 'end_host': {
        const { evalCondition } = await import('../template/expr.js');
        for (const h of hosts) if (evalCondition([...ctx.when, ...task.when], this.scope(h, ctx, task))) this.state(h).ended = true;
        return;
      }
      case 'clear_facts':
        for (const h of hosts) this.state(h).facts = {};
        return;
      case 'clear_host_errors':
        for (const h of ctx.play.batch) this.state(h).failed = false;
        return;
      default:
        return;
    }
  }
}

/** Sentinel for `omit`: module arguments set to it are dropped. */
export const OMIT = '__omit_place_holder__tsplay__';

function pickKw(src: Partial<Inherited>): Partial<Inherited> {
  const out: Partial<Inherited> = {};
  for (const k of KW) if (src[k] !== undefined) (out as Record<string, unknown>)[k] = src[k];
  return out;
}

const playDefaults = new WeakMap<Play, Layer[]>();
function playRoleDefaults(play: Play): Layer[] {
  let l = playDefaults.get(play);
  if (!l) {
    const seen = new Set<Role>();
    l = play.roles.flatMap((b) => (b.role ? roleChainDefaults(b.role, seen) : []));
    playDefaults.set(play, l);
  }
  return l;
}

/** A role sees its dependencies' defaults below its own, as in Ansible. */
function roleChainDefaults(role: Role, seen = new Set<Role>()): Layer[] {
  if (seen.has(role)) return [];
  seen.add(role);
  return [...role.deps.flatMap((d) => roleChainDefaults(d.role, seen)), { vars: role.defaults }];
}

function orderHosts(hosts: string[], order: string): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle':
      return [...hosts].sort(() => Math.random() - 0.5);
    default:
      return hosts;
  }
}

/** serial: a number, a percentage, or a list of those whose last entry repeats. */
export function serialBatches(hosts: string[], serial: unknown, scope: Scope): string[][] {
  if (serial === undefined || serial === null) return [hosts];
  const spec = render(serial, scope);
  const sizes = (Array.isArray(spec) ? spec : [spec]).map((s) => {
    const t = String(s).trim();
    const n = t.endsWith('%') ? Math.floor((hosts.length * Number(t.slice(0, -1))) / 100) : Number(t);
    if (Number.isNaN(n)) throw new TemplateError(`serial: expected a number or a percentage, got '${t}'`);
    return Math.max(1, n === 0 ? hosts.length : n);
  });
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)]!;
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out.length ? out : [[]];
}
