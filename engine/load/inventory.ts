import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Vars } from '../template/scope.js';
import { LoadError, type Loc, Problems } from './errors.js';
import { parseIni, parseYamlInventory } from './inventory-formats.js';
import { isMapping, loadYamlFile, locOf, parseYaml } from './yaml.js';

export type { Vars } from '../template/scope.js';
export { expandHostRange } from './inventory-formats.js';

export interface Group {
  name: string;
  hosts: Set<string>;
  children: Set<string>;
  parents: Set<string>;
  /** Variables from inventory files (INI/YAML); group_vars/ are kept apart because they rank higher. */
  fileVars: Vars;
  dirVars: Vars;
}

export interface Host {
  name: string;
  fileVars: Vars;
  dirVars: Vars;
  /** Groups the host is directly in, in the order the inventory named them. */
  groups: Set<string>;
  /** Inventory source directory, for inventory_dir / inventory_file. */
  source: string;
}

export class Inventory {
  readonly hosts = new Map<string, Host>();
  readonly groups = new Map<string, Group>();

  constructor() {
    this.group('all');
    this.group('ungrouped');
  }

  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, hosts: new Set(), children: new Set(), parents: new Set(), fileVars: {}, dirVars: {} };
      this.groups.set(name, g);
      if (name !== 'all') {
        g.parents.add('all');
        this.groups.get('all')!.children.add(name);
      }
    }
    return g;
  }

  /** A known host, or Ansible's implicit localhost (kept out of groups, connection local). */
  get(name: string): Host | undefined {
    const h = this.hosts.get(name);
    if (h) return h;
    if (name === 'localhost' || name === '127.0.0.1') {
      return { name, fileVars: { ansible_connection: 'local' }, dirVars: {}, groups: new Set(), source: process.cwd() };
    }
    return undefined;
  }

  host(name: string, source: string): Host {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, fileVars: {}, dirVars: {}, groups: new Set(), source };
      this.hosts.set(name, h);
    }
    return h;
  }

  addHostToGroup(host: string, group: string, source: string): Host {
    const h = this.host(host, source);
    this.group(group).hosts.add(host);
    h.groups.add(group);
    return h;
  }

  /** Where each parent -> child link was written, to point at the one that closes a cycle. */
  readonly childLocs = new Map<string, Loc | undefined>();

  addChild(parent: string, child: string, loc?: Loc): void {
    this.childLocs.set(`${parent}\0${child}`, loc);
    const p = this.group(parent);
    const c = this.group(child);
    p.children.add(child);
    c.parents.add(parent);
    if (parent !== 'all') {
      c.parents.delete('all');
      this.groups.get('all')!.children.delete(child);
    }
  }

  /** Every group a host belongs to, through parents, with its depth below 'all'. */
  groupsOf(host: string): Group[] {
    const h = this.hosts.get(host);
    if (!h) return [];
    const seen = new Set<string>();
    const walk = (g: string): void => {
      if (seen.has(g)) return;
      seen.add(g);
      for (const p of this.groups.get(g)?.parents ?? []) walk(p);
    };
    for (const g of h.groups) walk(g);
    if (!seen.size || (seen.size === 1 && seen.has('all'))) seen.add('ungrouped');
    seen.add('all');
    return [...seen].map((n) => this.groups.get(n)!).filter(Boolean);
  }

  depth(group: string, seen = new Set<string>()): number {
    if (group === 'all' || seen.has(group)) return 0;
    seen.add(group);
    const g = this.groups.get(group);
    let d = 0;
    for (const p of g?.parents ?? []) d = Math.max(d, this.depth(p, seen) + 1);
    return d;
  }

  /** Hosts of a group and its descendants, in inventory order. */
  hostsOf(group: string): string[] {
    if (group === 'all') return [...this.hosts.keys()];
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const g = this.groups.get(name);
      if (!g) return;
      for (const h of g.hosts) out.add(h);
      for (const c of g.children) walk(c);
    };
    walk(group);
    if (group === 'ungrouped') {
      for (const [name, h] of this.hosts) if (![...h.groups].some((g) => g !== 'ungrouped' && g !== 'all')) out.add(name);
    }
    const order = [...this.hosts.keys()];
    return [...out].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }

  /** Group names a host is in, sorted, without 'all' (Ansible's group_names). */
  groupNames(host: string): string[] {
    return this.groupsOf(host)
      .map((g) => g.name)
      .filter((n) => n !== 'all')
      .sort();
  }

  groupsMap(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const name of this.groups.keys()) out[name] = this.hostsOf(name);
    return out;
  }
}

const VAR_EXT = new Set(['', '.yml', '.yaml', '.json']);

/** Reads group_vars/NAME(.yml) or a folder group_vars/NAME/ of files, merged in name order. */
function readVarsEntry(path: string): Vars {
  const st = statSync(path);
  if (st.isDirectory()) {
    const out: Vars = {};
    for (const f of readdirSync(path).sort()) {
      if (!VAR_EXT.has(extname(f)) || f.startsWith('.')) continue;
      Object.assign(out, readVarsEntry(join(path, f)));
    }
    return out;
  }
  const data = loadYamlFile(path);
  if (data === null) return {};
  if (!isMapping(data)) throw new LoadError([{ loc: locOf(data) ?? { file: path, line: 1, col: 1 }, message: 'expected a mapping of variables' }]);
  return data;
}

function readVarsDir(dir: string, kind: 'group_vars' | 'host_vars', inv: Inventory): void {
  const d = join(dir, kind);
  if (!existsSync(d)) return;
  for (const entry of readdirSync(d).sort()) {
    if (entry.startsWith('.')) continue;
    const ext = extname(entry);
    if (!VAR_EXT.has(ext)) continue;
    const name = VAR_EXT.has(ext) && ext ? basename(entry, ext) : entry;
    const vars = readVarsEntry(join(d, entry));
    if (kind === 'group_vars') Object.assign(inv.group(name).dirVars, vars);
    else Object.assign(inv.host(name, dir).dirVars, vars);
  }
}

function looksLikeYaml(text: string, file: string): boolean {
  if (/\.(ya?ml|json)$/.test(file)) return true;
  if (/\.(ini|cfg|hosts)$/.test(file)) return false;
  return !/^\s*\[/m.test(text) && /^[\w.-]+:\s*$/m.test(text);
}

function readInventoryFile(file: string, inv: Inventory, problems: Problems): void {
  const text = readFileSync(file, 'utf8');
  if (looksLikeYaml(text, file)) {
    try {
      parseYamlInventory(parseYaml(text, file), file, inv, problems);
    } catch (e) {
      if (e instanceof LoadError) problems.list.push(...e.problems);
      else throw e;
    }
  } else parseIni(text, file, inv, problems);
}

/**
 * Loads one or more inventory sources (files, directories or `host1,host2,` lists)
 * into a single Inventory, with group_vars/ and host_vars/ beside each source.
 */
/** Every cycle of groups through children (a contains b contains a), each once. */
function childCycles(inv: Inventory): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const visit = (g: string, path: string[]): void => {
    state.set(g, 'open');
    for (const c of inv.groups.get(g)?.children ?? []) {
      const stack = [...path, g];
      if (state.get(c) === 'open') found.push([...stack.slice(stack.indexOf(c)), c]);
      else if (!state.has(c)) visit(c, stack);
    }
    state.set(g, 'done');
  };
  for (const g of inv.groups.keys()) if (!state.has(g)) visit(g, []);
  return found;
}

export function loadInventory(sources: string[], inv = new Inventory()): Inventory {
  const problems = new Problems();
  for (const src of sources) {
    if (src.includes(',') && !existsSync(src)) {
      for (const h of src
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean))
        inv.addHostToGroup(h, 'ungrouped', process.cwd());
      continue;
    }
    const path = resolve(src);
    if (!existsSync(path)) {
      problems.add(undefined, src, 'inventory source not found: expected a file, a directory or a comma-separated host list');
      continue;
    }
    const st = statSync(path);
    const dir = st.isDirectory() ? path : dirname(path);
    if (st.isDirectory()) {
      for (const f of readdirSync(path).sort()) {
        const full = join(path, f);
        if (f.startsWith('.') || f === 'group_vars' || f === 'host_vars' || /\.(md|retry|orig|bak|txt)$|~$/.test(f)) continue;
        if (statSync(full).isFile()) readInventoryFile(full, inv, problems);
      }
    } else readInventoryFile(path, inv, problems);
    try {
      readVarsDir(dir, 'group_vars', inv);
      readVarsDir(dir, 'host_vars', inv);
    } catch (e) {
      if (e instanceof LoadError) problems.list.push(...e.problems);
      else throw e;
    }
  }
  for (const cycle of childCycles(inv)) {
    const [parent, child] = cycle.slice(-2);
    problems.add(inv.childLocs.get(`${parent}\0${child}`), child, `groups cannot contain each other: ${cycle.join(' -> ')}`);
  }
  problems.throwIfAny();
  for (const [name, h] of inv.hosts) {
    if (![...h.groups].some((g) => g !== 'ungrouped')) inv.group('ungrouped').hosts.add(name);
    else inv.group('ungrouped').hosts.delete(name);
  }
  return inv;
}
