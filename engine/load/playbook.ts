import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { checkArgs } from '../modules/args.js';
import type { ModuleSet } from '../modules/types.js';
import { hasTemplate } from '../template/templar.js';
import type { Vars } from '../template/scope.js';
import { LoadError, Problems, type Loc } from './errors.js';
import { parseKvText } from './kv.js';
import { INHERITABLE, sourceDirs, type Block, type Include, type Inherited, type Item, type Play, type Playbook, type Role, type RoleUse, type Task } from './model.js';
import { isMapping, loadYamlFile, locOf, type Yaml, type YamlMap } from './yaml.js';


const COMMON_KEYS = new Set<string>(['name', 'when', 'tags', 'vars', 'become_method', 'diff', 'connection', 'collections', 'debugger', 'throttle', 'remote_user', 'module_defaults', ...INHERITABLE]);
const LOOP_KEYS = ['loop', 'with_items', 'with_list', 'with_dict', 'with_indexed_items', 'with_sequence', 'with_together', 'with_nested', 'with_fileglob'] as const;
const TASK_KEYS = new Set<string>([...COMMON_KEYS, ...LOOP_KEYS, 'loop_control', 'register', 'notify', 'listen', 'changed_when', 'failed_when', 'until', 'retries', 'delay', 'args', 'action', 'local_action', 'delegate_facts']);
const BLOCK_KEYS = new Set<string>([...COMMON_KEYS, 'block', 'rescue', 'always', 'notify']);
const PLAY_KEYS = new Set<string>([
  'name', 'hosts', 'vars', 'vars_files', 'roles', 'pre_tasks', 'tasks', 'post_tasks', 'handlers', 'become', 'become_user', 'become_method',
  'gather_facts', 'serial', 'any_errors_fatal', 'max_fail_percentage', 'strategy', 'order', 'tags', 'environment', 'ignore_unreachable',
  'ignore_errors', 'check_mode', 'no_log', 'force_handlers', 'connection', 'remote_user', 'collections', 'vars_prompt', 'module_defaults',
  'timeout', 'diff', 'run_once', 'throttle', 'fact_path', 'gather_subset', 'gather_timeout',
]);
const INCLUDE_ACTIONS = new Set(['include_tasks', 'import_tasks', 'include_role', 'import_role', 'ansible.builtin.include_tasks', 'ansible.builtin.import_tasks', 'ansible.builtin.include_role', 'ansible.builtin.import_role']);

export interface LoadOptions {
  rolesPath?: string[];
  /** The modules tasks may name; loadModules() gives them. */
  modules: ModuleSet;
}

function toList(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function tagList(v: unknown): string[] {
  return toList(v).flatMap((t) => String(t).split(',')).map((t) => t.trim()).filter(Boolean);
}

class Loader {
  readonly problems = new Problems();
  private readonly roleCache = new Map<string, Role>();
  private readonly loading = new Set<string>();

  constructor(
    private readonly playbookDir: string,
    private readonly opts: LoadOptions,
  ) {}

  private checkKeys(data: YamlMap, allowed: Set<string>, what: string, extra: string[] = []): void {
    for (const k of Object.keys(data)) {
      if (!allowed.has(k) && !extra.includes(k)) this.problems.add(locOf(data, k), k, `unknown keyword for a ${what}; expected one of: ${[...allowed].sort().join(', ')}`);
    }
  }

  private inherited(data: YamlMap, base?: Partial<Inherited>): Inherited {
    const out: Inherited = { when: [...(base?.when ?? []), ...toList(data.when)], tags: [...new Set([...(base?.tags ?? []), ...tagList(data.tags)])], vars: {} };
    if (data.vars !== undefined && data.vars !== null) {
      if (!isMapping(data.vars)) this.problems.add(locOf(data, 'vars'), 'vars', 'expected a mapping of variables');
      else out.vars = data.vars;
    }
    for (const k of INHERITABLE) if (data[k] !== undefined) out[k] = data[k];
    return out;
  }

  loadTaskFile(file: string, role: Role | undefined, params?: Vars): Item[] {
    if (!existsSync(file)) {
      this.problems.add(undefined, file, 'task file not found');
      return [];
    }
    let data: Yaml;
    try {
      data = loadYamlFile(file);
    } catch (e) {
      if (e instanceof LoadError) this.problems.list.push(...e.problems);
      else throw e;
      return [];
    }
    if (data === null) return [];
    if (!Array.isArray(data)) {
      this.problems.add(locOf(data), undefined, 'expected a list of tasks');
      return [];
    }
    return this.items(data, dirname(file), role, params);
  }

  items(list: Yaml, dir: string, role: Role | undefined, params?: Vars, handler = false): Item[] {
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) {
      this.problems.add(locOf(list), undefined, 'expected a list of tasks');
      return [];
    }
    const out: Item[] = [];
    for (const entry of list) {
      if (!isMapping(entry)) {
        this.problems.add(locOf(list), undefined, `expected a task as a mapping, got ${JSON.stringify(entry)}`);
        continue;
      }
      const item = this.item(entry, dir, role, params, handler);
      if (item) out.push(item);
    }
    return out;
  }

  private item(data: YamlMap, dir: string, role: Role | undefined, params: Vars | undefined, handler: boolean): Item | undefined {
    const loc = locOf(data)!;
    if ('block' in data) {
      this.checkKeys(data, BLOCK_KEYS, 'block');
      const b: Block = {
        kind: 'block', loc, name: data.name as string | undefined, role, params, ...this.inherited(data),
        block: this.items(data.block ?? [], dir, role, params, handler),
        rescue: this.items(data.rescue ?? [], dir, role, params, handler),
        always: this.items(data.always ?? [], dir, role, params, handler),
      };
      return b;
    }
    // Find the action: the one key that is not a task keyword.
    let action: string | undefined;
    let rawArgs: Yaml = null;
    let delegateLocal = false;
    const candidates = Object.keys(data).filter((k) => !TASK_KEYS.has(k));
    if (data.action !== undefined || data.local_action !== undefined) {
      const a = (data.action ?? data.local_action) as Yaml;
      delegateLocal = data.local_action !== undefined;
      if (typeof a === 'string') {
        const [mod, ...rest] = a.trim().split(/\s+/);
        action = mod;
        rawArgs = rest.join(' ');
      } else if (isMapping(a)) {
        action = String(a.module);
        rawArgs = { ...a };
        delete (rawArgs as YamlMap).module;
      }
      for (const c of candidates) this.problems.add(locOf(data, c), c, 'unknown task keyword (the action is already given by action/local_action)');
    } else if (candidates.length === 1) {
      action = candidates[0]!;
      rawArgs = data[action] ?? null;
    } else if (candidates.length === 0) {
      this.problems.add(loc, data.name as string | undefined, 'no module/action detected in task; expected one module name such as command, shell or debug');
      return undefined;
    } else {
      const known = candidates.filter((c) => this.opts.modules.get(c) || INCLUDE_ACTIONS.has(c));
      const unknown = candidates.filter((c) => !known.includes(c));
      if (known.length === 1) for (const c of unknown) this.problems.add(locOf(data, c), c, `unknown task keyword; expected one of: ${[...TASK_KEYS].sort().join(', ')}`);
      else this.problems.add(loc, candidates.join(', '), 'conflicting action statements: a task takes exactly one module');
      return undefined;
    }
    const inh = this.inherited(data);
    if (delegateLocal) inh.delegate_to = 'localhost';
    const loopKey = LOOP_KEYS.find((k) => data[k] !== undefined);
    const loop = loopKey ? data[loopKey] : undefined;
    const loop_control = data.loop_control as Task['loop_control'];
    const shortAction = action!.replace(/^ansible\.builtin\./, '');
    if (INCLUDE_ACTIONS.has(action!)) return this.include(shortAction, data, rawArgs, loc, dir, role, params, inh, loop, loopKey, loop_control);
    const mod = this.opts.modules.get(action!);
    if (!mod) {
      this.problems.add(locOf(data, action!), action, `couldn't resolve module/action '${action}'; expected a known module (see 'tsplay modules')`);
      return undefined;
    }
    let args: Record<string, unknown>;
    if (typeof rawArgs === 'string') args = parseKvText(rawArgs, mod.freeForm ? new Set(Object.keys(mod.args)) : undefined);
    else if (rawArgs === null) args = {};
    else if (isMapping(rawArgs)) args = { ...rawArgs };
    else if (typeof rawArgs === 'number' || typeof rawArgs === 'boolean') args = mod.freeForm ? { _raw_params: String(rawArgs) } : {};
    else {
      this.problems.add(locOf(data, action!), action, 'expected module arguments as a mapping or as key=value text');
      return undefined;
    }
    if (data.args !== undefined) {
      if (!isMapping(data.args)) this.problems.add(locOf(data, 'args'), 'args', 'expected a mapping');
      else args = { ...data.args, ...args };
    }
    const checked = checkArgs(mod, args, true);
    for (const e of checked.errors) this.problems.add(locOf(isMapping(rawArgs) ? rawArgs : data, e.key) ?? locOf(data, action!), e.key, `${mod.name}: ${e.message}`);
    if (data.register !== undefined && (typeof data.register !== 'string' || !/^[A-Za-z_]\w*$/.test(data.register))) {
      this.problems.add(locOf(data, 'register'), 'register', 'expected a variable name');
    }
    this.checkSource(mod.name, args, role, dir, locOf(data, action!)!);
    const task: Task = {
      kind: 'task', loc, name: data.name as string | undefined, role, params, ...inh,
      module: mod.name, args, loop, loopKind: loopKey, loop_control,
      register: data.register as string | undefined,
      notify: toList(data.notify).map(String),
      listen: handler ? toList(data.listen).map(String) : [],
      changed_when: data.changed_when, failed_when: data.failed_when,
      until: data.until, retries: data.retries, delay: data.delay, dir,
    };
    if (!handler && data.listen !== undefined) this.problems.add(locOf(data, 'listen'), 'listen', "'listen' is only valid on handlers");
    return task;
  }

  /** `template: src=` and `copy: src=` must exist before the run starts, when they are literal. */
  private checkSource(module: string, args: Record<string, unknown>, role: Role | undefined, dir: string, loc: Loc): void {
    const src = args.src;
    if (typeof src !== 'string' || hasTemplate(src) || args.remote_src === true || args.remote_src === 'yes') return;
    const sub: 'files' | 'templates' | undefined = module === 'template' ? 'templates' : module === 'copy' || module === 'unarchive' ? 'files' : undefined;
    if (!sub) return;
    if (findSource(src, sub, role, dir, this.playbookDir) === undefined) {
      this.problems.add(loc, 'src', `${module}: source '${src}' not found; looked in ${sourceDirs(sub, role, dir, this.playbookDir).join(', ')}`);
    }
  }

  private include(
    action: string, data: YamlMap, rawArgs: Yaml, loc: Loc, dir: string, role: Role | undefined, params: Vars | undefined,
    inh: Inherited, loop: unknown, loopKey: Task['loopKind'], loop_control: Task['loop_control'],
  ): Item | undefined {
    this.checkKeys(data, TASK_KEYS, 'task', [action, `ansible.builtin.${action}`]);
    let args: Vars = {};
    if (typeof rawArgs === 'string') args = parseKvText(rawArgs);
    else if (isMapping(rawArgs)) args = { ...rawArgs };
    const isRole = action.endsWith('_role');
    const target = isRole ? args.name : (args.file ?? args._raw_params);
    if (target === undefined) {
      this.problems.add(loc, action, isRole ? "expected 'name' of the role" : 'expected the task file to include');
      return undefined;
    }
    const staticImport = action.startsWith('import_');
    const literal = typeof target === 'string' && !hasTemplate(target);
    if (staticImport && !literal) {
      this.problems.add(loc, action, `${action} needs a literal name; use include_${isRole ? 'role' : 'tasks'} for names from variables`);
      return undefined;
    }
    if (staticImport && loop !== undefined) this.problems.add(loc, action, `${action} cannot be used with a loop; use include_${isRole ? 'role' : 'tasks'}`);
    const incParams: Vars = {};
    for (const [k, v] of Object.entries(args)) if (!['file', '_raw_params', 'name', 'tasks_from', 'apply', 'public', 'allow_duplicates', 'handlers_from', 'defaults_from', 'vars_from'].includes(k)) incParams[k] = v;
    let preloaded: Item[] | undefined;
    let preloadedRole: Role | undefined;
    if (literal) {
      if (isRole) {
        preloadedRole = this.role(target, loc);
        if (preloadedRole) {
          const tasksFrom = typeof args.tasks_from === 'string' ? args.tasks_from : 'main';
          preloaded = this.roleTasks(preloadedRole, tasksFrom, loc);
        }
      } else {
        const file = isAbsolute(target) ? target : resolveTaskFile(target, dir, role, this.playbookDir);
        if (!file) this.problems.add(loc, action, `task file '${target}' not found; looked in ${dir}`);
        else if (this.loading.has(file)) this.problems.add(loc, action, `'${target}' includes itself`);
        else {
          this.loading.add(file);
          preloaded = this.loadTaskFile(file, role, params);
          this.loading.delete(file);
        }
      }
    }
    if (staticImport) {
      // A static import is a block: its keywords apply to every imported task.
      const b: Block = {
        kind: 'block', loc, name: data.name as string | undefined, role: preloadedRole ?? role, params: { ...params, ...incParams }, ...inh,
        block: preloaded ?? [], rescue: [], always: [],
      };
      return b;
    }
    const inc: Include = {
      kind: 'include', loc, name: data.name as string | undefined, role, params, ...inh, action: isRole ? 'include_role' : 'include_tasks',
      target, tasksFrom: args.tasks_from, args: incParams, loop, loopKind: loopKey, loop_control, dir, preloaded, preloadedRole,
    };
    return inc;
  }

  roleTasks(role: Role, from: string, loc: Loc): Item[] {
    const file = ['.yml', '.yaml', ''].map((e) => join(role.path, 'tasks', `${from}${e}`)).find((f) => existsSync(f));
    if (!file) {
      if (from !== 'main') this.problems.add(loc, from, `tasks file '${from}' not found in role '${role.name}'`);
      return [];
    }
    return this.loadTaskFile(file, role);
  }

  role(name: string, loc: Loc): Role | undefined {
    const dirs = [join(this.playbookDir, 'roles'), this.playbookDir, join(dirname(this.playbookDir), 'roles'), resolve('roles'), ...(this.opts.rolesPath ?? [])];
    const path = isAbsolute(name) ? name : dirs.map((d) => join(d, name)).find((d) => ['tasks', 'meta', 'handlers', 'defaults', 'vars'].some((sub) => existsSync(join(d, sub))));
    if (!path) {
      this.problems.add(loc, name, `the role '${name}' was not found in ${dirs.join(', ')}`);
      return undefined;
    }
    const cached = this.roleCache.get(path);
    if (cached) return cached;
    if (this.loading.has(path)) {
      this.problems.add(loc, name, `role '${name}' depends on itself`);
      return undefined;
    }
    this.loading.add(path);
    const vars = (sub: string): Vars => {
      const f = ['main.yml', 'main.yaml', 'main'].map((m) => join(path, sub, m)).find((x) => existsSync(x));
      if (!f) return {};
      try {
        const d = loadYamlFile(f);
        if (d === null) return {};
        if (!isMapping(d)) {
          this.problems.add(locOf(d), undefined, `${sub}/main.yml of role '${name}': expected a mapping of variables`);
          return {};
        }
        return d;
      } catch (e) {
        if (e instanceof LoadError) this.problems.list.push(...e.problems);
        else throw e;
        return {};
      }
    };
    const role: Role = { name: name.split('/').pop()!, path, defaults: vars('defaults'), vars: vars('vars'), handlers: [], deps: [] };
    const meta = vars('meta');
    for (const dep of toList(meta.dependencies)) {
      const use = this.roleUse(dep as Yaml, locOf(meta, 'dependencies') ?? loc);
      if (use) role.deps.push(use);
    }
    const hf = ['main.yml', 'main.yaml'].map((m) => join(path, 'handlers', m)).find((x) => existsSync(x));
    if (hf) {
      try {
        role.handlers = this.items(loadYamlFile(hf), dirname(hf), role, undefined, true);
      } catch (e) {
        if (e instanceof LoadError) this.problems.list.push(...e.problems);
        else throw e;
      }
    }
    this.roleCache.set(path, role);
    this.loading.delete(path);
    return role;
  }

  roleUse(entry: Yaml, loc: Loc): RoleUse | undefined {
    let name: string;
    let body: YamlMap = {};
    if (typeof entry === 'string') name = entry;
    else if (isMapping(entry) && (typeof entry.role === 'string' || typeof entry.name === 'string')) {
      name = String(entry.role ?? entry.name);
      body = entry;
      loc = locOf(entry) ?? loc;
    } else {
      this.problems.add(locOf(entry) ?? loc, 'roles', "expected a role name or a mapping with 'role'");
      return undefined;
    }
    const role = this.role(name, loc);
    if (!role) return undefined;
    const params: Vars = {};
    for (const [k, v] of Object.entries(body)) if (!['role', 'name', 'tags', 'when', 'vars', 'become', 'become_user'].includes(k)) params[k] = v;
    if (isMapping(body.vars)) Object.assign(params, body.vars);
    return { role, params, tags: tagList(body.tags), when: toList(body.when), loc };
  }

  /** A role in a play becomes its dependencies' blocks, then a block of its own tasks. */
  roleBlocks(use: RoleUse, seen: Set<string>, inheritedTags: string[] = [], inheritedWhen: unknown[] = []): Block[] {
    const tags = [...new Set([...inheritedTags, ...use.tags])];
    const when = [...inheritedWhen, ...use.when];
    const out: Block[] = [];
    for (const dep of use.role.deps) out.push(...this.roleBlocks(dep, seen, tags, when));
    const key = `${use.role.path}:${JSON.stringify(use.params)}`;
    if (seen.has(key)) return out;
    seen.add(key);
    out.push({
      kind: 'block', loc: use.loc, role: use.role, params: use.params, when, tags, vars: {},
      block: this.roleTasks(use.role, 'main', use.loc), rescue: [], always: [],
    });
    return out;
  }

  play(data: Yaml, file: string): Play | undefined {
    if (!isMapping(data)) {
      this.problems.add(locOf(data), undefined, 'expected a play as a mapping');
      return undefined;
    }
    const loc = locOf(data)!;
    this.checkKeys(data, PLAY_KEYS, 'play');
    if (data.hosts === undefined) this.problems.add(loc, 'hosts', "the field 'hosts' is required but was not set");
    const inherited = this.inherited(data);
    const seen = new Set<string>();
    const roles: Block[] = [];
    if (data.roles !== undefined && !Array.isArray(data.roles)) this.problems.add(locOf(data, 'roles'), 'roles', 'expected a list of roles');
    for (const [i, r] of (Array.isArray(data.roles) ? data.roles : []).entries()) {
      const use = this.roleUse(r, locOf(data.roles, String(i)) ?? locOf(data, 'roles')!);
      if (use) roles.push(...this.roleBlocks(use, seen));
    }
    const handlers = this.items(data.handlers ?? [], dirname(file), undefined, undefined, true);
    for (const b of roles) if (b.role) for (const h of b.role.handlers) if (!handlers.includes(h)) handlers.push(h);
    const strategy = String(data.strategy ?? 'linear');
    if (strategy !== 'linear' && strategy !== 'free') this.problems.add(locOf(data, 'strategy'), 'strategy', `expected linear or free, got '${strategy}'`);
    const order = String(data.order ?? 'inventory');
    if (!['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'].includes(order)) this.problems.add(locOf(data, 'order'), 'order', 'expected one of inventory, reverse_inventory, sorted, reverse_sorted, shuffle');
    const mfp = data.max_fail_percentage;
    if (mfp !== undefined && typeof mfp !== 'number') this.problems.add(locOf(data, 'max_fail_percentage'), 'max_fail_percentage', 'expected a number');
    const varsFiles = toList(data.vars_files).map((p) => ({ path: p, loc: locOf(data, 'vars_files')! }));
    for (const vf of varsFiles) {
      if (typeof vf.path === 'string' && !hasTemplate(vf.path) && !existsSync(resolve(dirname(file), vf.path))) {
        this.problems.add(vf.loc, 'vars_files', `vars file '${vf.path}' not found relative to ${dirname(file)}`);
      }
    }
    const gather = data.gather_facts;
    return {
      name: data.name === undefined ? String(data.hosts ?? '') : String(data.name),
      loc, hosts: data.hosts, vars: inherited.vars, varsFiles,
      pre_tasks: this.items(data.pre_tasks ?? [], dirname(file), undefined),
      roles,
      tasks: this.items(data.tasks ?? [], dirname(file), undefined),
      post_tasks: this.items(data.post_tasks ?? [], dirname(file), undefined),
      handlers,
      gather_facts: gather === undefined ? true : gather === true || gather === 'yes' || gather === 'true',
      serial: data.serial ?? undefined,
      strategy: strategy as Play['strategy'],
      order,
      any_errors_fatal: data.any_errors_fatal === true,
      max_fail_percentage: typeof mfp === 'number' ? mfp : undefined,
      force_handlers: data.force_handlers === true,
      inherited: { ...inherited, vars: {} },
      dir: dirname(file),
    };
  }

  playbook(file: string, stack: string[] = []): Play[] {
    let data: Yaml;
    try {
      data = loadYamlFile(file);
    } catch (e) {
      if (e instanceof LoadError) this.problems.list.push(...e.problems);
      else throw e;
      return [];
    }
    if (!Array.isArray(data)) {
      this.problems.add(locOf(data) ?? { file, line: 1, col: 1 }, undefined, 'a playbook must be a list of plays');
      return [];
    }
    const plays: Play[] = [];
    for (const entry of data) {
      if (isMapping(entry) && (entry.import_playbook !== undefined || entry['ansible.builtin.import_playbook'] !== undefined)) {
        const target = String(entry.import_playbook ?? entry['ansible.builtin.import_playbook']);
        const path = resolve(dirname(file), target);
        if (!existsSync(path)) this.problems.add(locOf(entry, 'import_playbook'), 'import_playbook', `playbook '${target}' not found relative to ${dirname(file)}`);
        else if (stack.includes(path)) this.problems.add(locOf(entry), 'import_playbook', `'${target}' imports itself`);
        else plays.push(...this.playbook(path, [...stack, file]));
        continue;
      }
      const p = this.play(entry, file);
      if (p) plays.push(p);
    }
    return plays;
  }
}

/** Ansible's search order for `src:`: the role's files/ or templates/, then beside the task, then the playbook. */
export function findSource(src: string, sub: 'files' | 'templates', role: Role | undefined, dir: string, playbookDir: string): string | undefined {
  if (isAbsolute(src)) return existsSync(src) ? src : undefined;
  return sourceDirs(sub, role, dir, playbookDir).map((d) => join(d, src)).find((p) => existsSync(p));
}

function resolveTaskFile(target: string, dir: string, role: Role | undefined, playbookDir: string): string | undefined {
  const cands = [join(dir, target)];
  if (role) cands.push(join(role.path, 'tasks', target));
  cands.push(join(playbookDir, target));
  return cands.find((c) => existsSync(c));
}

export { resolveTaskFile };

/** Loads and validates a playbook with everything it references; throws LoadError listing every problem. */
export function loadPlaybook(file: string, opts: LoadOptions): Playbook {
  const path = resolve(file);
  if (!existsSync(path)) throw new LoadError([{ message: `the playbook: ${file} could not be found` }]);
  const loader = new Loader(dirname(path), opts);
  const plays = loader.playbook(path);
  loader.problems.throwIfAny();
  return { file: path, dir: dirname(path), plays };
}

/** Loads a task file at run time for a dynamic include whose name came from variables. */
export function loadTasksAtRuntime(file: string, role: Role | undefined, playbookDir: string, opts: LoadOptions): Item[] {
  const loader = new Loader(playbookDir, opts);
  const items = loader.loadTaskFile(file, role);
  loader.problems.throwIfAny();
  return items;
}

export function loadRoleAtRuntime(name: string, tasksFrom: string, loc: Loc, playbookDir: string, opts: LoadOptions): { role: Role; items: Item[] } {
  const loader = new Loader(playbookDir, opts);
  const role = loader.role(name, loc);
  const items = role ? loader.roleTasks(role, tasksFrom, loc) : [];
  loader.problems.throwIfAny();
  return { role: role!, items };
}
