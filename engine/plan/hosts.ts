import type { Inventory } from '../load/inventory.js';
import type { Play } from '../load/model.js';
import { TemplateError } from '../template/filters.js';
import { Scope, type Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import { matchHosts } from './patterns.js';

/** The scope a play's own keywords (hosts, serial) are rendered in: play vars and extra vars. */
export function playKeywordScope(play: Play, extraVars: Vars): Scope {
  return new Scope([{ vars: play.vars }, { vars: extraVars }], render);
}

/** The play's `hosts:` pattern as written after templating, for banners and --list-hosts. */
export function playPattern(play: Play, scope: Scope): string | string[] {
  const pattern = render(play.hosts, scope);
  return Array.isArray(pattern) ? pattern.map(String) : String(pattern ?? '');
}

/** The hosts a play targets, in inventory order: its pattern, narrowed by --limit (--list-hosts shows these). */
export function playHosts(play: Play, inventory: Inventory, scope: Scope, limit?: string): string[] {
  let hosts = matchHosts(playPattern(play, scope), inventory);
  if (limit) {
    const allowed = new Set(matchHosts(limit, inventory));
    hosts = hosts.filter((h) => allowed.has(h));
  }
  return hosts;
}

/** The play's `order` keyword applied to its hosts. */
export function orderHosts(hosts: string[], order: string): string[] {
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
