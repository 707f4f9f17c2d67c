import { join } from 'node:path';
import type { Vars } from '../template/scope.js';
import type { Loc } from './errors.js';

/**
 * Keywords that a play, role, block or include hands down to what it contains;
 * the innermost setting wins. The loader, the play walker and the task runner all
 * read this one list.
 */
export const INHERITABLE = [
  'become',
  'become_user',
  'environment',
  'no_log',
  'check_mode',
  'ignore_errors',
  'ignore_unreachable',
  'delegate_to',
  'run_once',
  'any_errors_fatal',
  'timeout',
] as const;
export type InheritableKeyword = (typeof INHERITABLE)[number];

/** The inheritable keywords an item sets, as written (templates are rendered per host). */
export type Keywords = Partial<Record<InheritableKeyword, unknown>>;

export interface Inherited extends Keywords {
  when: unknown[];
  tags: string[];
  vars: Vars;
}

/** Only the inheritable keywords an item sets itself. */
export function keywordsOf(src: Keywords): Keywords {
  const out: Keywords = {};
  for (const k of INHERITABLE) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

/** The title Ansible prints for a task before its name is templated: `role : name`, or the module. */
export function taskTitle(item: Item): string {
  const base = item.name ?? (item.kind === 'task' ? (item.action ?? item.module) : item.kind === 'include' ? item.action : 'block');
  return item.role ? `${item.role.name} : ${base}` : base;
}

export interface Role {
  name: string;
  path: string;
  defaults: Vars;
  vars: Vars;
  handlers: Item[];
  /** Roles this one depends on (meta/main.yml), already loaded. */
  deps: RoleUse[];
}

export interface RoleUse {
  role: Role;
  params: Vars;
  tags: string[];
  when: unknown[];
  loc: Loc;
}

interface ItemBase extends Inherited {
  loc: Loc;
  name?: string;
  role?: Role;
  /** Parameters of the role use or include that brought this item in. */
  params?: Vars;
}

/** `loop`, or `with_<lookup>`: the lookup's name follows the prefix. */
export type LoopKind = 'loop' | `with_${string}`;

export interface Task extends ItemBase {
  kind: 'task';
  module: string;
  /** The module's name as the task wrote it (community.general.ini_file), which an unnamed task's title shows. */
  action?: string;
  args: Record<string, unknown>;
  loop?: unknown;
  loopKind?: LoopKind;
  loop_control?: { loop_var?: string; label?: unknown; index_var?: string; pause?: number };
  register?: string;
  notify: string[];
  listen: string[];
  changed_when?: unknown;
  failed_when?: unknown;
  until?: unknown;
  retries?: unknown;
  delay?: unknown;
  /** Base directory for relative paths used by this task (its file's directory). */
  dir: string;
  /**
   * A module tsplay does not know, in a file an include_tasks or include_role loads:
   * as in Ansible, that is an error only if the task runs (a RedHat-only file on Debian).
   */
  unresolved?: string;
}

export interface Block extends ItemBase {
  kind: 'block';
  block: Item[];
  rescue: Item[];
  always: Item[];
}

/** A dynamic include; the file or role may depend on variables, so it is expanded per host at run time. */
export interface Include extends ItemBase {
  kind: 'include';
  action: 'include_tasks' | 'include_role';
  target: unknown;
  tasksFrom?: unknown;
  args: Vars;
  loop?: unknown;
  loopKind?: Task['loopKind'];
  loop_control?: Task['loop_control'];
  dir: string;
  /** Items loaded ahead when the target was literal, so they are validated before any host is touched. */
  preloaded?: Item[];
  preloadedRole?: Role;
}

export type Item = Task | Block | Include;

export interface Play {
  name: string;
  loc: Loc;
  hosts: unknown;
  vars: Vars;
  varsFiles: { path: unknown; loc: Loc }[];
  pre_tasks: Item[];
  roles: Block[];
  tasks: Item[];
  post_tasks: Item[];
  handlers: Item[];
  gather_facts: boolean;
  serial?: unknown;
  strategy: 'linear' | 'free';
  order: string;
  any_errors_fatal: boolean;
  max_fail_percentage?: number;
  force_handlers: boolean;
  inherited: Inherited;
  dir: string;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
  /** What the loader let through but thinks worth saying (unknown modules in dynamic includes). */
  warnings: string[];
}

/** Ansible's search order for `src:`: the role's files/ or templates/, then beside the task, then the playbook. */
export function sourceDirs(sub: 'files' | 'templates', role: Role | undefined, taskDir: string, playbookDir: string): string[] {
  const dirs: string[] = [];
  if (role) dirs.push(join(role.path, sub), role.path);
  dirs.push(join(taskDir, sub), taskDir, join(playbookDir, sub), playbookDir);
  return [...new Set(dirs)];
}
