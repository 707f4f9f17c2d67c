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

export interface Module<A = Record<string, unknown>> {
  name: string;
  aliases?: readonly string[];
  description: string;
  args: ArgSpec;
  /** Accepts free-form text (`command: ls -l`) as `_raw_params`. */
  freeForm?: boolean;
  /** Accepts any other key as a raw value (set_fact: each key is a variable). */
  extraArgs?: boolean;
  /**
   * 'predict': the module reports what it would do in check mode itself.
   * 'skip': the executor skips it in check mode (command, shell) unless the module decides.
   * 'controller': runs on the controller and changes nothing on hosts (debug, set_fact).
   */
  checkMode: 'predict' | 'skip' | 'controller';
  /** Runs once for the whole batch, like Ansible's BYPASS_HOST_LOOP (pause). */
  runOnce?: boolean;
  /** Cross-argument checks that need literal values; returns messages for the loader. */
  preflight?(args: Record<string, unknown>): string[];
  run(args: A, ctx: ModuleContext): Promise<ModuleResult>;
}

/** Identity function that keeps the module's argument type next to its schema. */
export function defineModule<A>(m: Module<A>): Module<A> {
  return m;
}
