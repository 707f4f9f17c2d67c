// Lookups (lookup('env', 'HOME'), query('inventory_hostnames', 'all'), with_first_found)
// and Jinja's global functions. Lookups run on the controller and search
// Ansible's paths: the role's directory, then the playbook's, each with its
// subdirectory (files/, templates/, vars/) tried first.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { GLOBALS, type Lookup } from './expr.js';
import { renderTemplate } from './jinja.js';
import { commaList } from './lists.js';
import { defined, isMapping, type Kwargs, pyRepr, pyStr, toText, truthy } from './python.js';
import { TemplateError, Undefined } from './undefined.js';

export type LookupPlugin = (terms: unknown[], kw: Kwargs, vars: Lookup) => unknown[];

function str(vars: Lookup, name: string): string | undefined {
  const v = vars.lookup(name);
  return typeof v === 'string' ? v : undefined;
}

/** Ansible's search path for a lookup: role dir, then playbook dir, each with `sub`/ first. */
export function searchDirs(vars: Lookup, sub: string): string[] {
  const bases = [str(vars, 'role_path'), str(vars, 'playbook_dir')].filter((d): d is string => !!d);
  if (!bases.length) bases.push(process.cwd());
  return bases.flatMap((b) => [join(b, sub), b]);
}

export function findFile(vars: Lookup, sub: string, name: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const d of searchDirs(vars, sub)) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function list(v: unknown): unknown[] {
  v = defined(v);
  if (Array.isArray(v)) return v;
  if (v === null) return [];
  return [v];
}

/** with_sequence and lookup('sequence'): start=1 end=5 stride=1 format=%d, or 1-5. */
function sequence(spec: string): string[] {
  const kv: Record<string, string> = {};
  for (const p of spec.split(/\s+/).filter(Boolean)) {
    const [k, ...v] = p.split('=');
    if (v.length) kv[k!] = v.join('=');
    else if (/^\d+-\d+(\/\d+)?$/.test(p)) {
      const [range, stride] = p.split('/');
      const [s, e] = range!.split('-');
      kv.start = s!;
      kv.end = e!;
      if (stride) kv.stride = stride;
    } else kv.end = p;
  }
  const start = Number(kv.start ?? 1);
  const stride = Number(kv.stride ?? 1);
  let end = Number(kv.end ?? Number.NaN);
  if (kv.count !== undefined) end = start + (Number(kv.count) - 1) * stride;
  if (Number.isNaN(end)) throw new TemplateError(`with_sequence needs end= or count=, got '${spec}'`);
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride)
    out.push(
      kv.format
        ? kv.format.replace(/%0?(\d*)[dx]/, (m, w: string) =>
            (m.endsWith('x') ? i.toString(16) : String(i)).padStart(Number(w || 0), m.startsWith('%0') ? '0' : ' '),
          )
        : String(i),
    );
  return out;
}

/** The password lookup: reads the file, or makes a random password and stores it there. */
function password(term: string, vars: Lookup): string {
  const [file, ...opts] = term.split(/\s+/);
  const o = Object.fromEntries(opts.map((p) => p.split('=') as [string, string]));
  const length = Number(o.length ?? 20);
  const charsets: Record<string, string> = {
    ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
    ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
    ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    digits: '0123456789',
    hexdigits: '0123456789abcdefABCDEF',
    punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  };
  const chars = (o.chars ?? 'ascii_letters,digits,.,:-_')
    .split(',')
    .map((c) => charsets[c] ?? c)
    .join('');
  if (file === '/dev/null') return Array.from({ length }, () => chars[randomInt(chars.length)]).join('');
  const path = isAbsolute(file!) ? file! : join(str(vars, 'playbook_dir') ?? process.cwd(), file!);
  if (existsSync(path))
    return readFileSync(path, 'utf8')
      .split('\n')[0]!
      .replace(/ salt=.*$/, '');
  const pw = Array.from({ length }, () => chars[randomInt(chars.length)]).join('');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${pw}\n`, { mode: 0o600 });
  return pw;
}

function firstFound(terms: unknown[], kw: Kwargs, vars: Lookup): unknown[] {
  const files: string[] = [];
  let paths: string[] = [];
  let skip = truthy(kw.skip ?? false);
  const add = (t: unknown) => {
    if (isMapping(t)) {
      for (const f of list(t.files ?? [])) files.push(...commaList(toText(f)));
      for (const p of list(t.paths ?? [])) paths.push(...commaList(toText(p)));
      if (t.skip !== undefined) skip = truthy(t.skip);
    } else if (Array.isArray(t)) t.forEach(add);
    else files.push(...commaList(toText(t)));
  };
  terms.forEach(add);
  for (const f of list(kw.files ?? [])) files.push(...commaList(toText(f)));
  for (const p of list(kw.paths ?? [])) paths.push(...commaList(toText(p)));
  paths = paths.map((p) => (isAbsolute(p) ? p : join(str(vars, 'role_path') ?? str(vars, 'playbook_dir') ?? process.cwd(), p)));
  for (const f of files) {
    if (paths.length) {
      for (const p of paths) {
        const full = isAbsolute(f) ? f : join(p, f);
        if (existsSync(full)) return [full];
      }
    } else {
      const found = findFile(vars, 'files', f) ?? findFile(vars, 'vars', f) ?? findFile(vars, 'tasks', f) ?? findFile(vars, 'templates', f);
      if (found) return [found];
    }
  }
  if (skip) return [];
  throw new TemplateError(`No file was found when using first_found. Looked for: ${files.join(', ')}`);
}

function glob(pattern: string, vars: Lookup): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const dirs = isAbsolute(dir) ? [dir] : searchDirs(vars, 'files').map((d) => join(d, dir));
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    const hits = readdirSync(d)
      .filter((f) => re.test(f) && statSync(join(d, f)).isFile())
      .sort()
      .map((f) => join(d, f));
    if (hits.length) return hits;
  }
  return [];
}

export const LOOKUPS: Record<string, LookupPlugin> = {
  items: (terms) => terms.flatMap((t) => (Array.isArray(t) ? t : [t])),
  list: (terms) => terms,
  flattened: (terms) => {
    const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
    return flat(terms);
  },
  indexed_items: (terms) => terms.map((x, i) => [i, x]),
  dict: (terms) =>
    terms.flatMap((t) => {
      if (!isMapping(t)) throw new TemplateError(`with_dict expects a dict, got ${pyRepr(t)}`);
      return Object.entries(t).map(([key, value]) => ({ key, value }));
    }),
  together: (terms) => {
    const lists = terms.map(list);
    const n = Math.max(0, ...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i] ?? null));
  },
  nested: (terms) => terms.map(list).reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]),
  cartesian: (terms) => LOOKUPS.nested!(terms, {}, { lookup: () => undefined }),
  sequence: (terms) => terms.flatMap((t) => sequence(toText(t))),
  subelements: (terms, kw) => {
    const [items, key, flags] = terms;
    const skip = truthy((isMapping(flags) ? flags.skip_missing : undefined) ?? kw.skip_missing ?? false);
    return list(items).flatMap((item) => {
      let sub: unknown = item;
      for (const k of toText(key).split('.')) sub = isMapping(sub) && k in sub ? sub[k] : new Undefined(k);
      if (sub instanceof Undefined) {
        if (skip) return [];
        throw new TemplateError(`could not find '${toText(key)}' key in iterated item ${pyRepr(item)}`);
      }
      // Ansible's lookup hands out the item without the subelement key ({'name': 'alice'}).
      const keys = toText(key).split('.');
      const rest = isMapping(item) && keys.length === 1 ? Object.fromEntries(Object.entries(item).filter(([k]) => k !== keys[0])) : item;
      return list(sub).map((s) => [rest, s]);
    });
  },
  first_found: firstFound,
  fileglob: (terms, _kw, vars) => terms.flatMap((t) => toText(t).split(/\s+/).filter(Boolean)).flatMap((p) => glob(p, vars)),
  file: (terms, kw, vars) =>
    terms.map((t) => {
      const p = findFile(vars, 'files', toText(t));
      if (!p) throw new TemplateError(`could not locate file in lookup: ${toText(t)}`);
      const text = readFileSync(p, 'utf8');
      return truthy(kw.rstrip ?? true) ? text.replace(/\s+$/, '') : text;
    }),
  lines: (terms) =>
    terms.flatMap((t) =>
      execFileSync('/bin/sh', ['-c', toText(t)], { encoding: 'utf8' })
        .split('\n')
        .filter((l, i, a) => l !== '' || i < a.length - 1),
    ),
  pipe: (terms) => terms.map((t) => execFileSync('/bin/sh', ['-c', toText(t)], { encoding: 'utf8' }).replace(/\s+$/, '')),
  env: (terms, kw) => terms.map((t) => process.env[toText(t)] ?? (kw.default !== undefined ? kw.default : '')),
  vars: (terms, kw, vars) =>
    terms.map((t) => {
      const v = vars.lookup(toText(t));
      if (v instanceof Undefined) {
        if (Object.hasOwn(kw, 'default')) return kw.default;
        throw new TemplateError(`No variable found with this name: ${toText(t)}`, toText(t));
      }
      return v;
    }),
  varnames: (terms, _kw, vars) => {
    const names = (vars as { names?: () => string[] }).names?.() ?? [];
    return terms.flatMap((t) => names.filter((n) => new RegExp(toText(t)).test(n)));
  },
  template: (terms, kw, vars) =>
    terms.map((t) => {
      const p = findFile(vars, 'templates', toText(t));
      if (!p) throw new TemplateError(`the template file ${toText(t)} could not be found for the lookup`);
      return renderTemplate(readFileSync(p, 'utf8'), vars, {
        trimBlocks: truthy(kw.trim_blocks ?? true),
        lstripBlocks: truthy(kw.lstrip_blocks ?? false),
        pyEscapes: true,
      });
    }),
  password: (terms, _kw, vars) => terms.map((t) => password(toText(t), vars)),
  inventory_hostnames: (terms, _kw, vars) => {
    if (!vars.hosts) throw new TemplateError('inventory_hostnames: no inventory here');
    const seen = new Set<string>();
    for (const t of terms) for (const h of vars.hosts(toText(t))) seen.add(h);
    return [...seen];
  },
};

/** lookup()'s return: a string list joins with commas; anything else stays as it is. */
function joinLookup(out: unknown[], wantlist: boolean): unknown {
  if (wantlist) return out;
  if (out.every((x) => typeof x === 'string')) return out.join(',');
  return out.length === 1 ? out[0] : out;
}

/** Runs a lookup by name with its terms, the way loops (with_<name>) and lookup()/query() call it. */
export function runLookup(name: string, terms: unknown[], kw: Kwargs, vars: Lookup): unknown[] {
  const short = name.replace(/^(ansible\.builtin|community\.general)\./, '');
  const plugin = LOOKUPS[short];
  if (!plugin) throw new TemplateError(`lookup plugin (${name}) not found`);
  const { wantlist: _w, errors, ...rest } = kw;
  try {
    return plugin(terms, rest, vars);
  } catch (e) {
    if (errors === 'ignore') return [];
    if (errors === 'warn') {
      process.emitWarning(`lookup ${name}: ${(e as Error).message}`);
      return [];
    }
    throw e;
  }
}

Object.assign(GLOBALS, {
  lookup: (args, kw, vars) => joinLookup(runLookup(toText(args[0]), args.slice(1), kw, vars), truthy(kw.wantlist ?? false)),
  query: (args, kw, vars) => runLookup(toText(args[0]), args.slice(1), kw, vars),
  q: (args, kw, vars) => runLookup(toText(args[0]), args.slice(1), kw, vars),
  range: (args) => {
    const [a, b, c] = args.map(Number);
    const [start, stop, step] = args.length === 1 ? [0, a!, 1] : [a!, b!, c ?? 1];
    if (step === 0) throw new TemplateError('range() arg 3 must not be zero');
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.push(i);
      if (out.length > 100_000) throw new TemplateError('range too big');
    }
    return out;
  },
  dict: (args, kw) => ({
    ...(isMapping(args[0]) ? args[0] : Array.isArray(args[0]) ? Object.fromEntries((args[0] as unknown[][]).map(([k, v]) => [pyStr(k), v])) : {}),
    ...kw,
  }),
  namespace: (args, kw) => ({ ...(isMapping(args[0]) ? args[0] : {}), ...kw }),
  now: (args, kw) => {
    const d = new Date();
    const fmt = kw.fmt ?? args[1];
    if (fmt === undefined) return d.toISOString().replace('T', ' ').replace('Z', '');
    return toText(fmt).replace(/%([YmdHMS])/g, (_m, c: string) =>
      String(
        c === 'Y'
          ? d.getFullYear()
          : c === 'm'
            ? d.getMonth() + 1
            : c === 'd'
              ? d.getDate()
              : c === 'H'
                ? d.getHours()
                : c === 'M'
                  ? d.getMinutes()
                  : d.getSeconds(),
      ).padStart(c === 'Y' ? 4 : 2, '0'),
    );
  },
} satisfies Record<string, (args: unknown[], kw: Kwargs, vars: Lookup) => unknown>);
