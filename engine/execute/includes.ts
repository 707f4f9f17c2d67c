import { isAbsolute } from 'node:path';
import type { Include, Item, Role } from '../load/model.js';
import { type LoadOptions, loadRoleAtRuntime, loadTasksAtRuntime, resolveTaskFile } from '../load/playbook.js';
import { label as labelOf } from '../report/pyjson.js';
import { evalCondition } from '../template/expr.js';
import { TemplateError, toText } from '../template/filters.js';
import type { Scope, Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import type { Ctx } from './context.js';
import { loopItems } from './loops.js';

/** Hosts that resolved an include to the same file (and parameters) run it together. */
export interface IncludeGroup {
  hosts: string[];
  items: Item[];
  role?: Role;
  params: Vars;
  /** include_tasks: the file, for Ansible's `included:` line. */
  file?: string;
  label?: string;
}

export interface IncludeSources {
  scope(host: string, ctx: Ctx, item: Item): Scope;
  playbookDir: string;
  load: LoadOptions;
}

/**
 * Resolves an include_tasks or include_role on each host (its `when`, loop and
 * templated target), loading what was not preloaded, grouped as Ansible groups them.
 */
export function expandInclude(inc: Include, hosts: string[], ctx: Ctx, src: IncludeSources): { groups: IncludeGroup[]; skipped: string[] } {
  const groups = new Map<string, IncludeGroup>();
  const skipped: string[] = [];
  const loopVar = inc.loop_control?.loop_var ?? 'item';
  for (const h of hosts) {
    const scope = src.scope(h, ctx, inc);
    if (!evalCondition(ctx.when, scope)) {
      skipped.push(h);
      continue;
    }
    const loopList = inc.loop !== undefined ? loopItems(inc.loopKind ?? 'loop', inc.loop, scope) : [undefined];
    for (const item of loopList) {
      const s = inc.loop !== undefined ? scope.with({ [loopVar]: item }, true) : scope;
      const target = toText(render(inc.target, s));
      const params = render(inc.args, s) as Vars;
      if (inc.loop !== undefined) params[loopVar] = item;
      const key = `${target}\0${JSON.stringify(params)}\0${inc.loop !== undefined ? labelOf(item) : ''}`;
      let g = groups.get(key);
      if (!g) {
        g = inc.action === 'include_role' ? includeRole(inc, target, s, params, ctx, src) : includeTasks(inc, target, params, ctx, src);
        groups.set(key, g);
      }
      if (inc.loop !== undefined) g.label = labelOf(item);
      if (!g.hosts.includes(h)) g.hosts.push(h);
    }
  }
  return { groups: [...groups.values()], skipped };
}

function includeRole(inc: Include, target: string, s: Scope, params: Vars, ctx: Ctx, src: IncludeSources): IncludeGroup {
  const tasksFrom = inc.tasksFrom !== undefined ? toText(render(inc.tasksFrom, s)) : 'main';
  const loaded =
    inc.preloaded && inc.preloadedRole && target === inc.target && tasksFrom === (inc.tasksFrom ?? 'main')
      ? { role: inc.preloadedRole, items: inc.preloaded }
      : loadRoleAtRuntime(target, tasksFrom, inc.loc, src.playbookDir, src.load);
  // The role's handlers join the play's, so its tasks can notify them.
  for (const hh of loaded.role.handlers) if (!ctx.play.play.handlers.includes(hh)) ctx.play.play.handlers.push(hh);
  return { hosts: [], items: loaded.items, role: loaded.role, params };
}

function includeTasks(inc: Include, target: string, params: Vars, ctx: Ctx, src: IncludeSources): IncludeGroup {
  const file = isAbsolute(target) ? target : resolveTaskFile(target, inc.dir, inc.role ?? ctx.role, src.playbookDir);
  let items = target === inc.target ? inc.preloaded : undefined;
  if (!items) {
    if (!file) throw new TemplateError(`include_tasks: could not find '${target}' (${inc.loc.file}:${inc.loc.line})`);
    items = loadTasksAtRuntime(file, inc.role ?? ctx.role, src.playbookDir, src.load);
  }
  return { hosts: [], items, params, file: file ?? target };
}
