import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LoadError, Problems, type Loc } from './errors.js';
import { isMapping, loadYamlFile, locOf, parseYaml, type Yaml, type YamlMap } from './yaml.js';

export type Vars = Record<string, unknown>;

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

  addChild(parent: string, child: string): void {
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

/** Expands `node[01:10]` and `web[a:c]` the way Ansible's inventory does. */
export function expandHostRange(pattern: string): string[] {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, head, beg, end, stepText, tail] = m;
  const step = stepText ? Number(stepText) : 1;
  const out: string[] = [];
  if (/^\d+$/.test(beg!) && /^\d+$/.test(end!)) {
    const width = beg!.startsWith('0') ? beg!.length : 0;
    for (let i = Number(beg); i <= Number(end); i += step) {
      out.push(...expandHostRange(`${head}${String(i).padStart(width, '0')}${tail}`));
    }
  } else if (/^[a-zA-Z]$/.test(beg!) && /^[a-zA-Z]$/.test(end!)) {
    for (let c = beg!.charCodeAt(0); c <= end!.charCodeAt(0); c += step) {
      out.push(...expandHostRange(`${head}${String.fromCharCode(c)}${tail}`));
    }
  } else {
    throw new Error(`invalid host range '${pattern}': expected [start:end] of numbers or single letters`);
  }
  return out;
}

/** Values on an INI host line are Python literals in Ansible; [group:vars] values are strings. */
function iniLiteral(raw: string, literal: boolean): unknown {
  const s = raw.trim();
  if ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"'))) return s.slice(1, -1);
  if (!literal) return s;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^-?\d+\.\d+$/.test(s)) return Number(s);
  if (s === 'True' || s === 'true') return true;
  if (s === 'False' || s === 'false') return false;
  if (s === 'None') return null;
  if (/^[[{]/.test(s)) {
    try {
      return JSON.parse(s.replace(/'/g, '"'));
    } catch {
      return s;
    }
  }
  return s;
}

/** Splits `a=1 b='x y'` respecting quotes, as shlex does for Ansible's k=v text. */
export function splitKv(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (const ch of text) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (any || cur) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (any || cur) out.push(cur);
  return out;
}

function parseIni(text: string, file: string, inv: Inventory, problems: Problems): void {
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  const source = dirname(file);
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const loc: Loc = { file, line: i + 1, col: 1 };
    const line = rawLine.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line.trim());
    if (header) {
      const [name, suffix] = header[1]!.split(':');
      if (suffix && suffix !== 'vars' && suffix !== 'children') {
        problems.add(loc, header[1], `unknown section suffix ':${suffix}', expected ':vars' or ':children'`);
        return;
      }
      section = name!;
      kind = suffix === 'vars' ? 'vars' : suffix === 'children' ? 'children' : 'hosts';
      inv.group(section);
      return;
    }
    const parts = splitKv(line.replace(/\s+[#;].*$/, ''));
    if (kind === 'children') {
      inv.addChild(section, parts[0]!);
      return;
    }
    if (kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        problems.add(loc, line.trim(), `expected 'key=value' in [${section}:vars]`);
        return;
      }
      inv.group(section).fileVars[line.slice(0, eq).trim()] = iniLiteral(line.slice(eq + 1), false);
      return;
    }
    let names: string[];
    let hostPart = parts[0]!;
    let port: number | undefined;
    const pm = /^([^:\[\]]+|\[[^\]]+\]):(\d+)$/.exec(hostPart);
    if (pm && !hostPart.includes('[')) {
      hostPart = pm[1]!;
      port = Number(pm[2]);
    }
    try {
      names = expandHostRange(hostPart);
    } catch (e) {
      problems.add(loc, hostPart, (e as Error).message);
      return;
    }
    for (const name of names) {
      const h = inv.addHostToGroup(name, section, source);
      if (port !== undefined) h.fileVars.ansible_port = port;
      for (const kv of parts.slice(1)) {
        const eq = kv.indexOf('=');
        if (eq < 0) {
          problems.add(loc, kv, `expected 'key=value' after host '${name}'`);
          continue;
        }
        h.fileVars[kv.slice(0, eq)] = iniLiteral(kv.slice(eq + 1), true);
      }
    }
  });
}

const GROUP_KEYS = new Set(['hosts', 'children', 'vars']);

function parseYamlInventory(data: Yaml, file: string, inv: Inventory, problems: Problems): void {
  if (!isMapping(data)) {
    problems.add(locOf(data), undefined, 'expected a mapping of groups at the top of the inventory');
    return;
  }
  const source = dirname(file);
  const walkGroup = (name: string, body: Yaml, parent: string | null, holder: YamlMap): void => {
    inv.group(name);
    if (parent) inv.addChild(parent, name);
    if (body === null) return;
    if (!isMapping(body)) {
      problems.add(locOf(holder, name), name, 'expected a group mapping with hosts, children or vars');
      return;
    }
    for (const key of Object.keys(body)) {
      if (!GROUP_KEYS.has(key)) problems.add(locOf(body, key), key, `unknown group key in group '${name}', expected one of hosts, children, vars`);
    }
    if (body.vars != null) {
      if (!isMapping(body.vars)) problems.add(locOf(body, 'vars'), 'vars', 'expected a mapping');
      else Object.assign(inv.group(name).fileVars, body.vars);
    }
    if (body.hosts != null) {
      if (!isMapping(body.hosts)) problems.add(locOf(body, 'hosts'), 'hosts', 'expected a mapping of host names');
      else
        for (const [hp, hv] of Object.entries(body.hosts)) {
          let names: string[] = [];
          try {
            names = expandHostRange(hp);
          } catch (e) {
            problems.add(locOf(body.hosts, hp), hp, (e as Error).message);
          }
          for (const hn of names) {
            const h = inv.addHostToGroup(hn, name, source);
            if (hv != null) {
              if (!isMapping(hv)) problems.add(locOf(body.hosts, hp), hp, 'expected host variables as a mapping');
              else Object.assign(h.fileVars, hv);
            }
          }
        }
    }
    if (body.children != null) {
      if (!isMapping(body.children)) problems.add(locOf(body, 'children'), 'children', 'expected a mapping of child groups');
      else for (const [cn, cb] of Object.entries(body.children)) walkGroup(cn, cb, name, body.children);
    }
  };
  for (const [name, body] of Object.entries(data)) walkGroup(name, body, name === 'all' ? null : 'all', data);
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
export function loadInventory(sources: string[], inv = new Inventory()): Inventory {
  const problems = new Problems();
  for (const src of sources) {
    if (src.includes(',') && !existsSync(src)) {
      for (const h of src.split(',').map((s) => s.trim()).filter(Boolean)) inv.addHostToGroup(h, 'ungrouped', process.cwd());
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
  problems.throwIfAny();
  for (const [name, h] of inv.hosts) {
    if (![...h.groups].some((g) => g !== 'ungrouped')) inv.group('ungrouped').hosts.add(name);
    else inv.group('ungrouped').hosts.delete(name);
  }
  return inv;
}
