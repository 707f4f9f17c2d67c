// Jinja2's and Ansible's filters, with Python's argument names so keyword
// arguments work (regex_replace(ignorecase=true), dict2items(key_name='k')).
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parse as fromYaml, parseAllDocuments } from 'yaml';
import { pyJson, pyYaml } from './dump.js';
import { FILTERS, type Filter } from './expr.js';
import { pythonList } from './lists.js';
import { defined, isMapping, type Kwargs, methodOf, percentFormat, pyRepr, pySplit, pyStr, toText, truthy, typeName } from './python.js';
import { pyRe } from './regex.js';
import { TemplateError, Undefined } from './undefined.js';

export { contains, defined, toText, truthy } from './python.js';
export { TemplateError, Undefined, undefinedError } from './undefined.js';

/** Module-argument booleans: Ansible's boolean() (yes/on/1/true/y/t). */
export function toBool(v: unknown): boolean {
  v = defined(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true', 'y', 't'].includes(v.toLowerCase().trim());
  return false;
}

/** Sentinel for `omit`: module arguments set to it are dropped. */
export const OMIT = '__omit_place_holder__tsplay__';

export function asList(v: unknown): unknown[] {
  const list = pythonList(defined(v));
  if (!list) throw new TemplateError(`expected a list, got ${typeName(v)} ${pyRepr(v)}`);
  return list;
}

/** Positional argument i, or keyword `name`, or the default: Python's call binding. */
export function arg<T>(args: unknown[], kw: Kwargs, i: number, name: string, def: T): T {
  if (i < args.length) return args[i] as T;
  if (Object.hasOwn(kw, name)) return kw[name] as T;
  return def;
}

/** Reads `a.b.0` from an item, as Jinja's attribute= arguments do. */
export function attrOf(item: unknown, path: unknown): unknown {
  let v = item;
  for (const part of String(path).split('.')) {
    if (Array.isArray(v) && /^\d+$/.test(part)) v = v[Number(part)];
    else if (v !== null && typeof v === 'object' && part in (v as object)) v = (v as Record<string, unknown>)[part];
    else return new Undefined(String(path), `'${typeName(v)} object' has no attribute '${part}'`);
  }
  return v;
}

function reFlags(kw: Kwargs, base = ''): string {
  return base + (truthy(kw.ignorecase ?? false) ? 'i' : '') + (truthy(kw.multiline ?? false) ? 'm' : '');
}

/** Python's re.sub replacement: \1, \g<1>, \g<name>. */
function pyReplacement(rep: string): string {
  return rep
    .replace(/\$/g, '$$$$')
    .replace(/\\(?:(\d+)|g<(\w+)>|(\\))/g, (_m, n: string, g: string, bs: string) => (bs ? '\\' : /^\d+$/.test(n ?? g) ? `$${n ?? g}` : `$<${g}>`));
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

function humanReadable(v: unknown, isbits: boolean, unit: unknown): string {
  const n = Number(defined(v));
  const suffix = isbits ? 'b' : 'B';
  const limit = unit ? UNITS.findIndex((u) => u[0] === String(unit)[0]) : -1;
  let i = 0;
  if (limit >= 0) i = limit;
  else while (i < UNITS.length - 1 && Math.abs(n) >= 1024 ** (i + 1)) i++;
  const value = n / 1024 ** i;
  const name = i === 0 ? (isbits ? 'bits' : 'Bytes') : UNITS[i]!.replace('B', suffix);
  return `${value.toFixed(2)} ${name}`;
}

function humanToBytes(v: unknown, def: unknown, isbits: boolean): number {
  const m = /^\s*(\d*\.?\d+)\s*([KMGTPEZY]?)(i?)([Bb]?)\w*\s*$/.exec(toText(v));
  if (!m) throw new TemplateError(`human_to_bytes() can't interpret ${pyRepr(v)}`);
  const unit = m[2] || (def ? String(def)[0] : '');
  const pow = unit ? 'KMGTPEZY'.indexOf(unit.toUpperCase()) + 1 : 0;
  void isbits;
  return Math.round(Number(m[1]) * 1024 ** pow);
}

const hashOf = (algo: string) => (v: unknown) => createHash(algo).update(toText(v)).digest('hex');

const defs: Record<string, Filter> = {
  default: (v, a, kw) => {
    const d = arg(a, kw, 0, 'default_value', '');
    return v instanceof Undefined || v === undefined || (truthy(arg(a, kw, 1, 'boolean', false)) && !truthy(v)) ? d : v;
  },
  mandatory: (v, a, kw) => {
    if (v instanceof Undefined) throw new TemplateError(arg(a, kw, 0, 'msg', null) ?? `Mandatory variable '${v.name}' not defined.`, v.name);
    return v;
  },
  // Ansible's bool filter, stricter than module booleans: only yes/on/1/true.
  bool: (v) => {
    v = defined(v);
    if (typeof v === 'boolean') return v;
    if (v === null) return false;
    const s = typeof v === 'string' ? v.toLowerCase() : v;
    return s === 'yes' || s === 'on' || s === '1' || s === 'true' || s === 1;
  },
  int: (v, a, kw) => {
    v = defined(v);
    const def = arg(a, kw, 0, 'default', 0);
    const base = Number(arg(a, kw, 1, 'base', 10));
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return Math.trunc(v);
    const s = toText(v).trim();
    if (base !== 10) {
      const n = parseInt(s.replace(/^0[xob]/i, ''), base);
      return Number.isNaN(n) ? def : n;
    }
    if (/^[-+]?\d+$/.test(s)) return Number(s);
    const f = Number(s);
    return s !== '' && Number.isFinite(f) ? Math.trunc(f) : def;
  },
  float: (v, a, kw) => {
    v = defined(v);
    if (typeof v === 'number') return v;
    const s = toText(v).trim();
    const n = Number(s);
    return s !== '' && !Number.isNaN(n) ? n : arg(a, kw, 0, 'default', 0);
  },
  string: (v) => pyStr(defined(v)),
  length: (v) => {
    v = defined(v);
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isMapping(v)) return Object.keys(v).length;
    throw new TemplateError(`object of type '${typeName(v)}' has no len()`);
  },
  lower: (v) => toText(v).toLowerCase(),
  upper: (v) => toText(v).toUpperCase(),
  capitalize: (v) => methodOf(toText(v), 'capitalize')!([], {}),
  title: (v) => toText(v).replace(/[A-Za-z0-9]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, a, kw) => methodOf(toText(v), 'strip')!([arg<unknown>(a, kw, 0, 'chars', null)], {}),
  center: (v, a, kw) => methodOf(toText(v), 'center')!([arg(a, kw, 0, 'width', 80)], {}),
  wordcount: (v) => (toText(v).match(/\w+/g) ?? []).length,
  truncate: (v, a, kw) => {
    const s = toText(v);
    const len = Number(arg(a, kw, 0, 'length', 255));
    const killwords = truthy(arg(a, kw, 1, 'killwords', false));
    const end = String(arg(a, kw, 2, 'end', '...'));
    const leeway = Number(arg(a, kw, 3, 'leeway', 5));
    if (s.length <= len + leeway) return s;
    if (killwords) return s.slice(0, len - end.length) + end;
    const cut = s
      .slice(0, len - end.length)
      .split(' ')
      .slice(0, -1)
      .join(' ');
    return cut + end;
  },
  first: (v) => {
    const l = asList(v);
    return l.length ? l[0] : new Undefined('first', 'No first item, sequence was empty.');
  },
  last: (v) => {
    const l = asList(v);
    return l.length ? l.at(-1) : new Undefined('last', 'No last item, sequence was empty.');
  },
  join: (v, a, kw) => {
    const attr = arg<unknown>(a, kw, 1, 'attribute', null);
    return asList(v)
      .map((x) => toText(attr === null ? x : attrOf(x, attr)))
      .join(toText(arg(a, kw, 0, 'd', '')));
  },
  split: (v, a, kw) => pySplit(toText(v), arg(a, kw, 0, 'sep', undefined), arg(a, kw, 1, 'maxsplit', undefined)),
  replace: (v, a, kw) => {
    const s = toText(v);
    const old = toText(arg(a, kw, 0, 'old', ''));
    const rep = toText(arg(a, kw, 1, 'new', ''));
    const count = arg<unknown>(a, kw, 2, 'count', null);
    const parts = s.split(old);
    if (count === null || parts.length <= Number(count) + 1) return parts.join(rep);
    return parts.slice(0, Number(count) + 1).join(rep) + old + parts.slice(Number(count) + 1).join(old);
  },
  regex_replace: (v, a, kw) => {
    const count = Number(arg(a, kw, 4, 'count', 0));
    let re = pyRe(
      toText(arg(a, kw, 0, 'regex', '')),
      reFlags({ ignorecase: arg(a, kw, 2, 'ignorecase', false), multiline: arg(a, kw, 3, 'multiline', false) }, 'g'),
    );
    const rep = pyReplacement(toText(arg(a, kw, 1, 'replace', '')));
    if (!count) return toText(v).replace(re, rep);
    let n = 0;
    re = new RegExp(re.source, re.flags);
    return toText(v).replace(re, (...m) => (n++ < count ? m[0].replace(new RegExp(re.source, re.flags.replace('g', '')), rep) : m[0]));
  },
  regex_search: (v, a, kw) => {
    const [pattern, ...groups] = a;
    const m = pyRe(toText(pattern ?? kw.regex), reFlags(kw)).exec(toText(v));
    if (!m) return null;
    if (!groups.length) return m[0];
    return groups.map((g) => {
      const s = toText(g);
      const num = /^\\(\d+)$/.exec(s) ?? /^\\g<(\d+)>$/.exec(s);
      if (num) return m[Number(num[1])] ?? null;
      const name = /^\\g<(\w+)>$/.exec(s);
      if (name) return m.groups?.[name[1]!] ?? null;
      throw new TemplateError(`regex_search: unknown group argument '${s}'`);
    });
  },
  regex_findall: (v, a, kw) =>
    [
      ...toText(v).matchAll(
        pyRe(
          toText(arg(a, kw, 0, 'regex', '')),
          reFlags({ multiline: arg(a, kw, 1, 'multiline', false), ignorecase: arg(a, kw, 2, 'ignorecase', false) }, 'g'),
        ),
      ),
    ].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0]))),
  regex_escape: (v) => toText(v).replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`),
  indent: (v, a, kw) => {
    const width = arg<unknown>(a, kw, 0, 'width', 4);
    const first = truthy(arg(a, kw, 1, 'first', false));
    const blank = truthy(arg(a, kw, 2, 'blank', false));
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    return toText(v)
      .split('\n')
      .map((l, i) => ((i > 0 || first) && (l || blank) ? pad + l : l))
      .join('\n');
  },
  to_json: (v, _a, kw) =>
    pyJson(defined(v), {
      indent: kw.indent === undefined ? undefined : Number(kw.indent),
      sortKeys: truthy(kw.sort_keys ?? false),
      ensureAscii: truthy(kw.ensure_ascii ?? true),
    }),
  to_nice_json: (v, a, kw) =>
    pyJson(defined(v), {
      indent: Number(arg(a, kw, 0, 'indent', 4)),
      sortKeys: truthy(arg(a, kw, 1, 'sort_keys', true)),
      itemSep: ',',
      ensureAscii: truthy(kw.ensure_ascii ?? true),
    }),
  to_yaml: (v, _a, kw) => pyYaml(defined(v), Number(kw.indent ?? 2), kw.default_flow_style === undefined ? null : (kw.default_flow_style as boolean)),
  to_nice_yaml: (v, a, kw) => pyYaml(defined(v), Number(arg(a, kw, 0, 'indent', 4)), false),
  from_json: (v) => JSON.parse(toText(v)),
  from_yaml: (v) => (typeof v === 'string' ? (fromYaml(v) ?? null) : defined(v)),
  from_yaml_all: (v) => parseAllDocuments(toText(v)).map((d) => d.toJS()),
  b64encode: (v) => Buffer.from(toText(v), 'utf8').toString('base64'),
  b64decode: (v) => Buffer.from(toText(v), 'base64').toString('utf8'),
  basename: (v) => posix.basename(toText(v)),
  dirname: (v) => {
    const s = toText(v);
    const i = s.lastIndexOf('/');
    if (i < 0) return '';
    const head = s.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  expanduser: (v) => toText(v).replace(/^~(?=\/|$)/, process.env.HOME ?? '~'),
  realpath: (v) => posix.resolve(toText(v)),
  splitext: (v) => {
    const s = toText(v);
    const ext = posix.extname(s);
    return [s.slice(0, s.length - ext.length), ext];
  },
  path_join: (v) => posix.join(...(Array.isArray(v) ? v.map(toText) : [toText(v)])),
  quote: (v) => {
    const s = toText(v);
    if (s === '') return "''";
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
  },
  ternary: (v, a, kw) => {
    const none = arg<unknown>(a, kw, 2, 'none_val', undefined);
    if (v === null && none !== undefined) return none;
    return truthy(v) ? arg(a, kw, 0, 'true_val', undefined) : arg(a, kw, 1, 'false_val', undefined);
  },
  type_debug: (v) => (v instanceof Undefined ? 'AnsibleUndefined' : typeName(v)),
  hash: (v, a) => hashOf(toText(a[0] ?? 'sha1'))(v),
  checksum: hashOf('sha1'),
  sha1: hashOf('sha1'),
  md5: hashOf('md5'),
  to_uuid: (v, a) => {
    // uuid5 in Ansible's namespace, as its to_uuid filter computes.
    const ns = Buffer.from(toText(a[0] ?? '361E6D51-FAEC-444A-9079-341386DA8E2E').replace(/-/g, ''), 'hex');
    const h = createHash('sha1').update(ns).update(toText(v)).digest();
    h[6] = (h[6]! & 0x0f) | 0x50;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  },
  random: (v, a, kw) => {
    v = defined(v);
    const seed = kw.seed;
    const rnd = seed === undefined ? Math.random() : parseInt(createHash('sha1').update(pyStr(seed)).digest('hex').slice(0, 8), 16) / 2 ** 32;
    if (typeof v === 'number') {
      const start = Number(arg(a, kw, 0, 'start', 0));
      const step = Number(arg(a, kw, 1, 'step', 1));
      return start + Math.floor((rnd * (v - start)) / step) * step;
    }
    const l = asList(v);
    return l[Math.floor(rnd * l.length)];
  },
  shuffle: (v) => {
    const l = [...asList(v)];
    for (let i = l.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [l[i], l[j]] = [l[j], l[i]];
    }
    return l;
  },
  human_readable: (v, a, kw) => humanReadable(v, truthy(arg(a, kw, 0, 'isbits', false)), arg(a, kw, 1, 'unit', null)),
  human_to_bytes: (v, a, kw) => humanToBytes(v, arg(a, kw, 0, 'default_unit', null), truthy(arg(a, kw, 1, 'isbits', false))),
  format: (v, a) => {
    return percentFormat(toText(v), a.length === 1 && isMapping(a[0]) ? a[0] : a);
  },
  comment: (v, a, kw) => {
    const style = String(arg(a, kw, 0, 'style', 'plain'));
    const prefix = String(kw.prefix ?? (style === 'c' ? '// ' : style === 'erlang' ? '% ' : '# '));
    const decoration = String(kw.decoration ?? prefix);
    const body = toText(v)
      .split('\n')
      .map((l) => `${decoration}${l}`.trimEnd());
    const edge = decoration.trimEnd();
    return `${edge}\n${body.join('\n')}\n${edge}`;
  },
  urlencode: (v) =>
    isMapping(v)
      ? Object.entries(v)
          .map(([k, x]) => `${encodeURIComponent(k)}=${encodeURIComponent(pyStr(x))}`)
          .join('&')
      : encodeURIComponent(toText(v)).replace(/%2F/g, '/'),
  urlsplit: (v, a) => {
    const u = new URL(toText(v));
    const parts: Record<string, unknown> = {
      scheme: u.protocol.replace(/:$/, ''),
      netloc: u.host,
      path: u.pathname,
      query: u.search.replace(/^\?/, ''),
      fragment: u.hash.replace(/^#/, ''),
      hostname: u.hostname,
      port: u.port ? Number(u.port) : null,
      username: u.username || null,
      password: u.password || null,
    };
    return a[0] === undefined ? parts : parts[toText(a[0])];
  },
  e: (v) => toText(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  safe: (v) => v,
  cidr_overlaps: (v, a) => {
    const [x, y] = [parseCidr(toText(v)), parseCidr(toText(a[0]))];
    const mask = Math.min(x.bits, y.bits);
    const m = mask === 0 ? 0 : (~0 << (32 - mask)) >>> 0;
    return (x.addr & m) >>> 0 === (y.addr & m) >>> 0;
  },
};
defs.d = defs.default!;
defs.count = defs.length!;
defs.escape = defs.e!;
Object.assign(FILTERS, defs);

/** An IPv4 CIDR as a number and a prefix length; throws on anything else. */
function parseCidr(c: string): { addr: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new TemplateError(`'${c}' is not an IPv4 CIDR such as 10.244.0.0/16`);
  return { addr: ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0, bits: Number(m[5]) };
}
