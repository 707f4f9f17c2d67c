import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { checkArgs } from '../modules/args.js';
import type { ModuleSet } from '../modules/types.js';
import { oneOrMany } from '../template/lists.js';
import type { Vars } from '../template/scope.js';
import { hasTemplate } from '../template/templar.js';
import { LoadError, type Loc, Problems } from './errors.js';
import { BLOCK_KEYS, INCLUDE_ACTIONS, LOOP_KEYS, TASK_KEYS, tagList } from './keywords.js';
import { parseKvText } from './kv.js';
import { type Block, INHERITABLE, type Include, type Inherited, type Item, type Role, sourceDirs, type Task } from './model.js';
import { isMapping, loadYamlFile, locOf, type Yaml, type YamlMap } from './yaml.js';

export interface LoadOptions {
  rolesPath?: string[];
  /** The modules tasks may name; loadModules() gives them. */
  modules: ModuleSet;
}

/**
 * Task files: tasks, blocks, includes and imports, each checked against its
 * keywords and its module's arguments. Roles and plays build on it (playbook.ts),
 * and give it the roles that import_role and include_role name.
 */
export abstract class TaskLoader {
  readonly problems = new Problems();
  protected readonly roleCache = new Map<string, Role>();
  protected readonly loading = new Set<string>();
  /** Inside how many dynamic includes the task file being read is. */
  dynamic = 0;
  readonly warnings: string[] = [];

  constructor(
    protected readonly playbookDir: string,
    protected readonly opts: LoadOptions,
  ) {}

  protected checkKeys(data: YamlMap, allowed: Set<string>, what: string, extra: string[] = []): void {
    for (const k of Object.keys(data)) {
      if (!allowed.has(k) && !extra.includes(k))
        this.problems.add(locOf(data, k), k, `unknown keyword for a ${what}; expected one of: ${[...allowed].sort().join(', ')}`);
    }
  }

  protected inherited(data: YamlMap, base?: Partial<Inherited>): Inherited {
    const out: Inherited = {
      when: [...(base?.when ?? []), ...oneOrMany(data.when)],
      tags: [...new Set([...(base?.tags ?? []), ...tagList(data.tags)])],
      vars: {},
    };
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
    const data = this.readYaml(file);
    if (data === undefined || data === null) return [];
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
        kind: 'block',
        loc,
        name: data.name as string | undefined,
        role,
        params,
        ...this.inherited(data),
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
      if (known.length === 1)
        for (const c of unknown) this.problems.add(locOf(data, c), c, `unknown task keyword; expected one of: ${[...TASK_KEYS].sort().join(', ')}`);
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
      const at = locOf(data, action!);
      const msg = `couldn't resolve module/action '${action}'; expected a known module (see 'tsplay modules')`;
      if (!this.dynamic) {
        this.problems.add(at, action, msg);
        return undefined;
      }
      this.warnings.push(`${at ? `${at.file}:${at.line}: ` : ''}${msg}; it is in a dynamic include, so it fails only if it runs`);
      const unresolved: Task = {
        kind: 'task',
        loc,
        module: action!,
        args: {},
        notify: [],
        listen: [],
        ...inh,
        name: data.name as string | undefined,
        role,
        dir,
        unresolved: msg,
      };
      return unresolved;
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
    for (const e of checked.errors)
      this.problems.add(locOf(isMapping(rawArgs) ? rawArgs : data, e.key) ?? locOf(data, action!), e.key, `${mod.name}: ${e.message}`);
    if (data.register !== undefined && (typeof data.register !== 'string' || !/^[A-Za-z_]\w*$/.test(data.register))) {
      this.problems.add(locOf(data, 'register'), 'register', 'expected a variable name');
    }
    this.checkSource(mod.name, args, role, dir, locOf(data, action!)!);
    const task: Task = {
      kind: 'task',
      loc,
      name: data.name as string | undefined,
      role,
      params,
      ...inh,
      module: mod.name,
      ...(action !== mod.name ? { action: action! } : {}),
      args,
      loop,
      loopKind: loopKey,
      loop_control,
      register: data.register as string | undefined,
      notify: oneOrMany(data.notify).map(String),
      listen: handler ? oneOrMany(data.listen).map(String) : [],
      changed_when: data.changed_when,
      failed_when: data.failed_when,
      until: data.until,
      retries: data.retries,
      delay: data.delay,
      dir,
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
    action: string,
    data: YamlMap,
    rawArgs: Yaml,
    loc: Loc,
    dir: string,
    role: Role | undefined,
    params: Vars | undefined,
    inh: Inherited,
    loop: unknown,
    loopKey: Task['loopKind'],
    loop_control: Task['loop_control'],
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
    for (const [k, v] of Object.entries(args))
      if (!['file', '_raw_params', 'name', 'tasks_from', 'apply', 'public', 'allow_duplicates', 'handlers_from', 'defaults_from', 'vars_from'].includes(k))
        incParams[k] = v;
    let preloaded: Item[] | undefined;
    let preloadedRole: Role | undefined;
    if (literal) {
      if (isRole) {
        preloadedRole = this.role(target, loc);
        if (preloadedRole) {
          const tasksFrom = typeof args.tasks_from === 'string' ? args.tasks_from : 'main';
          if (!staticImport) this.dynamic++;
          preloaded = this.roleTasks(preloadedRole, tasksFrom, loc);
          if (!staticImport) this.dynamic--;
        }
      } else {
        const file = isAbsolute(target) ? target : resolveTaskFile(target, dir, role, this.playbookDir);
        if (!file) this.problems.add(loc, action, `task file '${target}' not found; looked in ${dir}`);
        else if (this.loading.has(file)) this.problems.add(loc, action, `'${target}' includes itself`);
        else {
          this.loading.add(file);
          if (!staticImport) this.dynamic++;
          preloaded = this.loadTaskFile(file, role, params);
          if (!staticImport) this.dynamic--;
          this.loading.delete(file);
        }
      }
    }
    if (staticImport) {
      // A static import is a block: its keywords apply to every imported task.
      const b: Block = {
        kind: 'block',
        loc,
        name: data.name as string | undefined,
        role: preloadedRole ?? role,
        params: { ...params, ...incParams },
        ...inh,
        block: preloaded ?? [],
        rescue: [],
        always: [],
      };
      return b;
    }
    const inc: Include = {
      kind: 'include',
      loc,
      name: data.name as string | undefined,
      role,
      params,
      ...inh,
      action: isRole ? 'include_role' : 'include_tasks',
      target,
      tasksFrom: args.tasks_from,
      args: incParams,
      loop,
      loopKind: loopKey,
      loop_control,
      dir,
      preloaded,
      preloadedRole,
    };
    return inc;
  }

  /** A YAML file, or undefined when it does not parse (its problems are recorded). */
  protected readYaml(file: string): Yaml | undefined {
    try {
      return loadYamlFile(file);
    } catch (e) {
      if (e instanceof LoadError) this.problems.list.push(...e.problems);
      else throw e;
      return undefined;
    }
  }

  abstract role(name: string, loc: Loc): Role | undefined;
  abstract roleTasks(role: Role, from: string, loc: Loc): Item[];
}

/** Ansible's search order for `src:`: the role's files/ or templates/, then beside the task, then the playbook. */
export function findSource(src: string, sub: 'files' | 'templates', role: Role | undefined, dir: string, playbookDir: string): string | undefined {
  if (isAbsolute(src)) return existsSync(src) ? src : undefined;
  return sourceDirs(sub, role, dir, playbookDir)
    .map((d) => join(d, src))
    .find((p) => existsSync(p));
}

export function resolveTaskFile(target: string, dir: string, role: Role | undefined, playbookDir: string): string | undefined {
  const cands = [join(dir, target)];
  if (role) cands.push(join(role.path, 'tasks', target));
  cands.push(join(playbookDir, target));
  return cands.find((c) => existsSync(c));
}
