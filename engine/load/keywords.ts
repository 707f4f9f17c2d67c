import { oneOrMany } from '../template/lists.js';
import { LOOKUPS } from '../template/lookups.js';
import type { LoopKind } from './model.js';
import { INHERITABLE } from './model.js';

/** The keywords each kind of item may carry; anything else is a load error naming the key. */
export const COMMON_KEYS = new Set<string>([
  'name',
  'when',
  'tags',
  'vars',
  'become_method',
  'diff',
  'connection',
  'collections',
  'debugger',
  'throttle',
  'remote_user',
  'module_defaults',
  ...INHERITABLE,
]);
/** loop, and with_<lookup> for every lookup tsplay has (with_items, with_first_found, with_subelements...). */
export const LOOP_KEYS: readonly LoopKind[] = ['loop', ...Object.keys(LOOKUPS).map((n) => `with_${n}` as const)];
export const TASK_KEYS = new Set<string>([
  ...COMMON_KEYS,
  ...LOOP_KEYS,
  'loop_control',
  'register',
  'notify',
  'listen',
  'changed_when',
  'failed_when',
  'until',
  'retries',
  'delay',
  'args',
  'action',
  'local_action',
  'delegate_facts',
]);
export const BLOCK_KEYS = new Set<string>([...COMMON_KEYS, 'block', 'rescue', 'always', 'notify']);
export const PLAY_KEYS = new Set<string>([
  'name',
  'hosts',
  'vars',
  'vars_files',
  'roles',
  'pre_tasks',
  'tasks',
  'post_tasks',
  'handlers',
  'become',
  'become_user',
  'become_method',
  'gather_facts',
  'serial',
  'any_errors_fatal',
  'max_fail_percentage',
  'strategy',
  'order',
  'tags',
  'environment',
  'ignore_unreachable',
  'ignore_errors',
  'check_mode',
  'no_log',
  'force_handlers',
  'connection',
  'remote_user',
  'collections',
  'vars_prompt',
  'module_defaults',
  'timeout',
  'diff',
  'run_once',
  'throttle',
  'fact_path',
  'gather_subset',
  'gather_timeout',
]);
export const INCLUDE_ACTIONS = new Set([
  'include_tasks',
  'import_tasks',
  'include_role',
  'import_role',
  'ansible.builtin.include_tasks',
  'ansible.builtin.import_tasks',
  'ansible.builtin.include_role',
  'ansible.builtin.import_role',
]);

export function tagList(v: unknown): string[] {
  return oneOrMany(v)
    .flatMap((t) => String(t).split(','))
    .map((t) => t.trim())
    .filter(Boolean);
}
