import { readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import type { Inventory } from '../load/inventory.js';

/**
 * Splits a host pattern on ',' and ':' the way Ansible does, keeping ':' that
 * belongs to a range (web[1:3]) or a regex (~a:b is not supported by Ansible either).
 */
export function splitPattern(pattern: string): string[] {
  if (pattern.includes(','))
    return pattern
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap(splitPattern);
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of pattern) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ':' && depth === 0 && !cur.startsWith('~')) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function sliceOf(hosts: string[], spec: string): string[] {
  const m = /^(-?\d*)(?::(-?\d*))?$/.exec(spec);
  if (!m) throw new Error(`invalid host subscript [${spec}]: expected [N] or [start:end]`);
  const norm = (n: number): number => (n < 0 ? hosts.length + n : n);
  if (m[2] === undefined) {
    const h = hosts[norm(Number(m[1]))];
    return h ? [h] : [];
  }
  const start = m[1] ? norm(Number(m[1])) : 0;
  const end = m[2] ? norm(Number(m[2])) : hosts.length - 1;
  return hosts.slice(start, end + 1);
}

/** Resolves one term (no & or ! prefix) to hosts in inventory order. */
function resolveTerm(term: string, inv: Inventory): string[] {
  if (term.startsWith('@')) {
    const names = readFileSync(term.slice(1), 'utf8')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    return names.flatMap((n) => resolveTerm(n, inv));
  }
  const sub = /^(.+?)\[([-\d:]+)\]$/.exec(term);
  if (sub && !term.startsWith('~')) return sliceOf(resolveTerm(sub[1]!, inv), sub[2]!);
  if (term === 'all' || term === '*') return [...inv.hosts.keys()];
  if (term.startsWith('~')) {
    const re = new RegExp(term.slice(1));
    const out = new Set<string>();
    for (const g of inv.groups.keys()) if (re.test(g)) for (const h of inv.hostsOf(g)) out.add(h);
    for (const h of inv.hosts.keys()) if (re.test(h)) out.add(h);
    return [...out];
  }
  if (/[*?[]/.test(term)) {
    const isMatch = picomatch(term, { dot: true });
    const out = new Set<string>();
    for (const g of inv.groups.keys()) if (isMatch(g)) for (const h of inv.hostsOf(g)) out.add(h);
    for (const h of inv.hosts.keys()) if (isMatch(h)) out.add(h);
    return [...out];
  }
  if (inv.groups.has(term)) return inv.hostsOf(term);
  if (inv.hosts.has(term)) return [term];
  // Ansible's implicit localhost: usable by name without being in the inventory.
  if (term === 'localhost' || term === '127.0.0.1') return [term];
  return [];
}

/**
 * Ansible's order: plain terms are unioned first, then '&' terms intersect,
 * then '!' terms subtract, whatever order they were written in.
 */
export function matchHosts(pattern: string | string[], inv: Inventory): string[] {
  const terms = (Array.isArray(pattern) ? pattern : [pattern]).flatMap((p) => splitPattern(String(p)));
  const plain = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const and = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const not = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  let set = new Set<string>();
  for (const t of plain) for (const h of resolveTerm(t, inv)) set.add(h);
  for (const t of and) {
    const other = new Set(resolveTerm(t, inv));
    set = new Set([...set].filter((h) => other.has(h)));
  }
  for (const t of not) for (const h of resolveTerm(t, inv)) set.delete(h);
  const order = [...inv.hosts.keys(), 'localhost', '127.0.0.1'];
  const inOrder = [...set].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  // Plain terms keep the order they were written in (web,db lists web hosts first), as Ansible does.
  if (plain.length > 1) {
    const firstSeen: string[] = [];
    for (const t of plain) for (const h of resolveTerm(t, inv)) if (set.has(h) && !firstSeen.includes(h)) firstSeen.push(h);
    return firstSeen;
  }
  return inOrder;
}
