import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { oneOrMany } from '../template/lists.js';
import type { Vars } from '../template/scope.js';
import { hasTemplate } from '../template/templar.js';
import { LoadError, type Loc } from './errors.js';
import { PLAY_KEYS, tagList } from './keywords.js';
import type { Block, Item, Play, Playbook, Role, RoleUse } from './model.js';
import { type LoadOptions, TaskLoader } from './tasks.js';
import { isMapping, loadYamlFile, locOf, type Yaml, type YamlMap } from './yaml.js';

export type { LoadOptions } from './tasks.js';
export { findSource, resolveTaskFile } from './tasks.js';

/** Roles (defaults, vars, handlers, meta dependencies) and plays, on top of the task loader. */
class Loader extends TaskLoader {
  roleTasks(role: Role, from: string, loc: Loc): Item[] {
    const file = ['.yml', '.yaml', ''].map((e) => join(role.path, 'tasks', `${from}${e}`)).find((f) => existsSync(f));
    if (!file) {
      if (from !== 'main') this.problems.add(loc, from, `tasks file '${from}' not found in role '${role.name}'`);
      return [];
    }
    return this.loadTaskFile(file, role);
  }

  role(name: string, loc: Loc): Role | undefined {
    const dirs = [
      join(this.playbookDir, 'roles'),
      this.playbookDir,
      join(dirname(this.playbookDir), 'roles'),
      resolve('roles'),
      ...(this.opts.rolesPath ?? []),
    ];
    const path = isAbsolute(name)
      ? name
      : dirs.map((d) => join(d, name)).find((d) => ['tasks', 'meta', 'handlers', 'defaults', 'vars'].some((sub) => existsSync(join(d, sub))));
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
    const read = (f: string, sub: string): Vars => {
      try {
        const d = loadYamlFile(f);
        if (d === null) return {};
        if (!isMapping(d)) {
          this.problems.add(locOf(d), undefined, `${sub}/${basename(f)} of role '${name}': expected a mapping of variables`);
          return {};
        }
        return d;
      } catch (e) {
        if (e instanceof LoadError) this.problems.list.push(...e.problems);
        else throw e;
        return {};
      }
    };
    // defaults/main.yml, or (as kubespray writes them) a directory defaults/main/ whose files merge in name order.
    const vars = (sub: string): Vars => {
      const dir = join(path, sub, 'main');
      if (existsSync(dir) && statSync(dir).isDirectory()) {
        const files = readdirSync(dir)
          .filter((f) => /\.(ya?ml|json)$/.test(f))
          .sort();
        return Object.assign({}, ...files.map((f) => read(join(dir, f), sub)));
      }
      const f = ['main.yml', 'main.yaml', 'main'].map((m) => join(path, sub, m)).find((x) => existsSync(x));
      return f ? read(f, sub) : {};
    };
    const role: Role = { name: name.split('/').pop()!, path, defaults: vars('defaults'), vars: vars('vars'), handlers: [], deps: [] };
    const meta = vars('meta');
    for (const dep of oneOrMany(meta.dependencies)) {
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
    return { role, params, tags: tagList(body.tags), when: oneOrMany(body.when), loc };
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
      kind: 'block',
      loc: use.loc,
      role: use.role,
      params: use.params,
      when,
      tags,
      vars: {},
      block: this.roleTasks(use.role, 'main', use.loc),
      rescue: [],
      always: [],
    });
    return out;
  }

  play(data: Yaml, file: string, at?: Loc): Play | undefined {
    if (!isMapping(data)) {
      const got = typeof data === 'string' ? `'${data}'` : Array.isArray(data) ? 'a list' : String(data);
      this.problems.add(locOf(data) ?? at, undefined, `expected a play as a mapping (hosts:, tasks:, ...), got ${got}`);
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
    if (!['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'].includes(order))
      this.problems.add(locOf(data, 'order'), 'order', 'expected one of inventory, reverse_inventory, sorted, reverse_sorted, shuffle');
    const mfp = data.max_fail_percentage;
    if (mfp !== undefined && typeof mfp !== 'number') this.problems.add(locOf(data, 'max_fail_percentage'), 'max_fail_percentage', 'expected a number');
    const varsFiles = oneOrMany(data.vars_files).map((p) => ({ path: p, loc: locOf(data, 'vars_files')! }));
    for (const vf of varsFiles) {
      if (typeof vf.path === 'string' && !hasTemplate(vf.path) && !existsSync(resolve(dirname(file), vf.path))) {
        this.problems.add(vf.loc, 'vars_files', `vars file '${vf.path}' not found relative to ${dirname(file)}`);
      }
    }
    const gather = data.gather_facts;
    return {
      name: data.name === undefined ? String(data.hosts ?? '') : String(data.name),
      loc,
      hosts: data.hosts,
      vars: inherited.vars,
      varsFiles,
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
    const data = this.readYaml(file);
    if (data === undefined) return [];
    if (!Array.isArray(data)) {
      this.problems.add(locOf(data) ?? { file, line: 1, col: 1 }, undefined, 'a playbook must be a list of plays');
      return [];
    }
    const plays: Play[] = [];
    for (const [i, entry] of data.entries()) {
      if (isMapping(entry) && (entry.import_playbook !== undefined || entry['ansible.builtin.import_playbook'] !== undefined)) {
        const target = String(entry.import_playbook ?? entry['ansible.builtin.import_playbook']);
        const path = resolve(dirname(file), target);
        if (!existsSync(path))
          this.problems.add(locOf(entry, 'import_playbook'), 'import_playbook', `playbook '${target}' not found relative to ${dirname(file)}`);
        else if (stack.includes(path)) this.problems.add(locOf(entry), 'import_playbook', `'${target}' imports itself`);
        else plays.push(...this.playbook(path, [...stack, file]));
        continue;
      }
      const p = this.play(entry, file, locOf(data, String(i)));
      if (p) plays.push(p);
    }
    return plays;
  }
}

/** Loads and validates a playbook with everything it references; throws LoadError listing every problem. */
export function loadPlaybook(file: string, opts: LoadOptions): Playbook {
  const path = resolve(file);
  if (!existsSync(path)) throw new LoadError([{ message: `the playbook: ${file} could not be found` }]);
  const loader = new Loader(dirname(path), opts);
  const plays = loader.playbook(path);
  loader.problems.throwIfAny();
  return { file: path, dir: dirname(path), plays, warnings: loader.warnings };
}

/** Loads a task file at run time for a dynamic include whose name came from variables. */
export function loadTasksAtRuntime(file: string, role: Role | undefined, playbookDir: string, opts: LoadOptions): Item[] {
  const loader = new Loader(playbookDir, opts);
  loader.dynamic = 1;
  const items = loader.loadTaskFile(file, role);
  loader.problems.throwIfAny();
  return items;
}

export function loadRoleAtRuntime(name: string, tasksFrom: string, loc: Loc, playbookDir: string, opts: LoadOptions): { role: Role; items: Item[] } {
  const loader = new Loader(playbookDir, opts);
  loader.dynamic = 1;
  const role = loader.role(name, loc);
  const items = role ? loader.roleTasks(role, tasksFrom, loc) : [];
  loader.problems.throwIfAny();
  return { role: role!, items };
}
