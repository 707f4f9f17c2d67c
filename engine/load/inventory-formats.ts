import { dirname } from 'node:path';
import type { Loc, Problems } from './errors.js';
import type { Inventory } from './inventory.js';
import { splitKv } from './kv.js';
import { isMapping, locOf, type Yaml, type YamlMap } from './yaml.js';

/** The two inventory formats Ansible reads by default: INI and YAML. */

/** Expands `node[01:10]` and `web[a:c]` the way Ansible's inventory does. */
export function expandHostRange(pattern: string): string[] {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\](.*)$/.exec(pattern);
  if (!m) {
    // A bracket that is not a whole range is a typo, not a host named `node[1-3]`.
    if (/[[\]]/.test(pattern)) throw new Error(`invalid host range '${pattern}': expected [start:end] or [start:end:step], e.g. node[01:10]`);
    return [pattern];
  }
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
  if (!out.length) throw new Error(`host range '${pattern}' is empty: its start comes after its end`);
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

export function parseIni(text: string, file: string, inv: Inventory, problems: Problems): void {
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  const source = dirname(file);
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const loc: Loc = { file, line: i + 1, col: 1 };
    const line = rawLine.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line.trim());
    if (!header && line.startsWith('[') && !/^\[[^\]]*\]/.test(line)) {
      problems.add(loc, line.trim(), "a section header must be '[group]', '[group:vars]' or '[group:children]': the closing ']' is missing");
      return;
    }
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
      inv.addChild(section, parts[0]!, loc);
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
    const pm = /^([^:[\]]+|\[[^\]]+\]):(\d+)$/.exec(hostPart);
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

export function parseYamlInventory(data: Yaml, file: string, inv: Inventory, problems: Problems): void {
  if (!isMapping(data)) {
    problems.add(locOf(data), undefined, 'expected a mapping of groups at the top of the inventory');
    return;
  }
  const source = dirname(file);
  const walkGroup = (name: string, body: Yaml, parent: string | null, holder: YamlMap): void => {
    inv.group(name);
    if (parent) inv.addChild(parent, name, locOf(holder, name));
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
