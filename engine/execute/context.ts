import type { ConnectionVars } from '../connection/pool.js';
import type { Connection } from '../connection/types.js';
import type { Inventory } from '../load/inventory.js';
import { type Block, type Include, type Item, type Keywords, keywordsOf, type Play, type Playbook, type Role, type Task } from '../load/model.js';
import type { Module, ModuleSet } from '../modules/types.js';
import type { HostStats, Reporter, TaskInfo, TaskResult } from '../report/types.js';
import type { Scope, Vars } from '../template/scope.js';
import type { HostState } from './state.js';

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
  modules: ModuleSet;
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

/** One serial batch of one play, as every task of it sees it. */
export interface PlayRun {
  play: Play;
  varsFiles: Vars;
  /** Every host of the play (ansible_play_hosts_all). */
  hosts: string[];
  batch: string[];
  halted: boolean;
  /** Halted by any_errors_fatal or max_fail_percentage, which end the playbook too. */
  fatal: boolean;
}

/** What a play, role, block or include hands down to the items inside it. */
export interface Ctx {
  play: PlayRun;
  role?: Role;
  params: Vars;
  blockVars: Vars[];
  when: unknown[];
  tags: string[];
  kw: Keywords;
  handler: boolean;
}

export function playCtx(play: PlayRun, handler = false): Ctx {
  const inh = play.play.inherited;
  return { play, params: {}, blockVars: [], when: [...inh.when], tags: [...inh.tags], kw: keywordsOf(inh), handler };
}

export function childCtx(ctx: Ctx, b: Block | Include): Ctx {
  return {
    play: ctx.play,
    role: b.role ?? ctx.role,
    params: b.params ? { ...ctx.params, ...b.params } : ctx.params,
    blockVars: Object.keys(b.vars).length ? [...ctx.blockVars, b.vars] : ctx.blockVars,
    when: [...ctx.when, ...b.when],
    tags: [...new Set([...ctx.tags, ...b.tags])],
    kw: { ...ctx.kw, ...keywordsOf(b) },
    handler: ctx.handler,
  };
}

/** The keywords in force for one task: its own over everything it inherited. */
export function taskKeywords(ctx: Ctx, task: Task): Keywords {
  return { ...ctx.kw, ...keywordsOf(task) };
}

/** How strategies, handlers and includes ask for items to be run, without knowing the walker. */
export interface Walker {
  items(items: Item[], hosts: string[], ctx: Ctx): Promise<void>;
  task(task: Task, hosts: string[], ctx: Ctx): Promise<void>;
}

/** Everything the task runner may use: handed down, so it never sees the executor. */
export interface TaskEnv {
  ctx: Ctx;
  info: TaskInfo;
  reporter: Reporter;
  check: boolean;
  diff: boolean;
  verbosity: number;
  /** -c, when given. */
  connection?: 'local' | 'ssh';
  signal?: AbortSignal;
  playbookDir: string;
  /** The task's module, which the loader already checked exists. */
  module(name: string): Module;
  inInventory(host: string): boolean;
  state(host: string): HostState;
  scope(host: string, ctx: Ctx, item?: Item): Scope;
  connect(cv: ConnectionVars): Promise<Connection>;
  notify(host: string, names: string[]): void;
  record(host: string, result: TaskResult): void;
}

/** Runs one section of a play (pre_tasks, roles and tasks, post_tasks) on a batch of hosts. */
export type Strategy = (items: Item[], hosts: string[], ctx: Ctx, walker: Walker) => Promise<void>;
