import type { Connection } from '../connection/types.js';
import type { Scope, Vars } from '../template/scope.js';

export type ArgType = 'str' | 'bool' | 'int' | 'float' | 'list' | 'dict' | 'raw' | 'path' | 'mode';

export interface ArgDef {
  type: ArgType;
  required?: boolean;
  default?: unknown;
  choices?: readonly (string | number | boolean)[];
  aliases?: readonly string[];
  /** For lists: the type of each element. */
  elements?: ArgType;
  description?: string;
}

/** A module's argument schema, in the shape of Ansible's argument_spec. */
export type ArgSpec = Record<string, ArgDef>;

export interface FileDiff {
  path?: string;
  before: string;
  after: string;
}

/** What a module reports; field names follow Ansible's so `register` works the same. */
export interface ModuleResult {
  changed?: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: unknown;
  rc?: number;
  stdout?: string;
  stderr?: string;
  stdout_lines?: string[];
  stderr_lines?: string[];
  diff?: FileDiff[];
  ansible_facts?: Vars;
  [key: string]: unknown;
}

/** Everything a module may use; it never reaches into the executor beyond this. */
export interface ModuleContext {
  host: string;
  conn: Connection;
  check: boolean;
  diff: boolean;
  vars: Scope;
  /** Directories searched for `src:` files: the role's files/ or templates/, then the playbook's. */
  searchPaths: { files: string[]; templates: string[] };
  become?: { user: string; password?: string };
  env: Record<string, string>;
  timeoutMs?: number;
  verbosity: number;
  warn(message: string): void;
}

interface ModuleBase {
  name: string;
  aliases?: readonly string[];
  description: string;
  args: ArgSpec;
  /** The names other collections give the same module (ansible.posix.sysctl), so roles written for them load. */
  fqcn?: readonly string[];
  /** Accepts free-form text (`command: ls -l`) as `_raw_params`. */
  freeForm?: boolean;
  /** Accepts any other key as a raw value (set_fact: each key is a variable). */
  extraArgs?: boolean;
  /** Cross-argument checks that need literal values; returns messages for the loader. */
  preflight?(args: Record<string, unknown>): string[];
}

/**
 * A module that converges a host to a desired state, in pyinfra's shape: one
 * remote command reads the state (probe), a pure function decides on the
 * controller (plan), and only what must change is sent (apply). The framework
 * runs them: in check mode it reports the plan and applies nothing, with --diff
 * it shows the plan's diff, so no module handles either itself.
 */
export interface Operation<A = Record<string, unknown>, F = unknown, D = unknown, P = undefined> extends ModuleBase {
  kind: 'operation';
  /** Controller-side work before the probe (read a src file, render a template). */
  prepare?(args: A, ctx: ModuleContext): Promise<P>;
  /** The one remote command that reads what the plan needs, and its parser. */
  probe(args: A, prep: P, mode: ProbeMode): Probe<F>;
  /** Pure: what would change, from the probed facts alone. */
  plan(facts: F, args: A, prep: P, mode: ProbeMode): Plan<D>;
  /** Makes the planned change; returns fields to add to the result. */
  apply(plan: Change<D>, args: A, ctx: ModuleContext, prep: P): Promise<ModuleResult | void>;
}

/** What a probe or plan may know of the run besides the facts. */
export interface ProbeMode {
  check: boolean;
  /** --diff: probes may then fetch content they would not need otherwise. */
  diff: boolean;
  host: string;
}

export interface Probe<F> {
  command: string;
  parse(r: { rc: number; stdout: string; stderr: string }): F;
}

/** A change the plan found: what kind, the human list of changes, the data apply needs. */
export interface Change<D = unknown> {
  action: 'create' | 'modify' | 'remove';
  changes: string[];
  data: D;
  diff?: FileDiff[];
  /** Fields of the result whether or not the change is applied (Ansible's return values). */
  result?: ModuleResult;
  warnings?: string[];
  /** The task fails after this change all the same (modprobe: persisted for the next boot, but cannot load now). */
  failure?: string;
}

export type Plan<D = unknown> =
  | { action: 'none'; result?: ModuleResult; warnings?: string[] }
  | { action: 'fail'; msg: string; result?: ModuleResult }
  | Change<D>;

/**
 * A module with nothing to converge: it runs a command (command, shell), reads
 * (stat, slurp), or works on the controller (debug, set_fact). `check` says what
 * check mode does with it: 'run' runs it as usual, because it changes nothing;
 * 'skip' reports it skipped without running it (command, raw), 'ok' reports ok
 * (wait_for, uri with a method that changes things). `checkRun` lets a module
 * still decide some cases in check mode (command's creates and removes).
 */
export interface Action<A = Record<string, unknown>> extends ModuleBase {
  kind: 'action';
  check: 'run' | 'skip' | 'ok';
  /** What check mode says for 'skip' and 'ok', as Ansible says it. */
  checkMsg?: string;
  checkRun?(args: A, ctx: ModuleContext): Promise<ModuleResult | undefined>;
  /** Runs once for the whole batch, like Ansible's BYPASS_HOST_LOOP (pause). */
  runOnce?: boolean;
  run(args: A, ctx: ModuleContext): Promise<ModuleResult>;
}

/** Any module, as the registry holds them (methods are bivariant, so every argument type fits `object`). */
export type Module = Operation<object, unknown, unknown, unknown> | Action<object>;

/** The modules of a run, by every name a task may use (name, ansible.builtin.name, aliases). */
export type ModuleSet = ReadonlyMap<string, Module>;

/** Identity functions that keep the module's argument type next to its schema. */
export function defineOperation<A, F, D = undefined, P = undefined>(m: Operation<A, F, D, P>): Operation<A, F, D, P> {
  return m;
}

export function defineAction<A>(m: Action<A>): Action<A> {
  return m;
}
