import { posix } from 'node:path';
import { parse as fromYaml, stringify as toYaml } from 'yaml';
import { pythonList } from './lists.js';
import { pyRe } from './regex.js';

/** Stands for a variable that is not defined; only `default` and `is defined` may touch it. */
export class Undefined {
  constructor(public readonly name: string) {}
}

export class TemplateError extends Error {
  constructor(
    message: string,
    public readonly variable?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function undefinedError(u: Undefined): TemplateError {
  return new TemplateError(`'${u.name}' is undefined`, u.name);
}

/** Throws when an undefined value is about to be used for real. */
export function defined<T>(v: T | Undefined): T {
  if (v instanceof Undefined) throw undefinedError(v);
  return v;
}

/** Python's truthiness, which Ansible conditions inherit. */
export function truthy(v: unknown): boolean {
  v = defined(v);
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

export function toBool(v: unknown): boolean {
  v = defined(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true', 'y', 't'].includes(v.toLowerCase().trim());
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Renders a value as Jinja would print it: Python reprs for lists and dicts matter little, JSON is clearer. */
export function toText(v: unknown): string {
  if (v instanceof Undefined) throw undefinedError(v);
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function asList(v: unknown): unknown[] {
  const list = pythonList(defined(v));
  if (!list) throw new TemplateError(`expected a list, got ${JSON.stringify(v)}`);
  return list;
}

type Filter = (value: unknown, ...args: unknown[]) => unknown;

/**
 * Filters shared by conditions (`x | default(1)`) and Handlebars helpers
 * (`{{default x 1}}`), so both template languages agree on meaning.
 */
export const FILTERS: Record<string, Filter> = {
  default: (v, d = '', onFalse = false) => (v instanceof Undefined || v === undefined || (onFalse && !truthy(v)) ? d : v),
  bool: (v) => toBool(v),
  int: (v, d = 0) => {
    const n = parseInt(toText(v), 10);
    return Number.isNaN(n) ? d : n;
  },
  float: (v, d = 0) => {
    const n = parseFloat(toText(v));
    return Number.isNaN(n) ? d : n;
  },
  string: (v) => toText(v),
  length: (v) => {
    v = defined(v);
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new TemplateError(`length: expected a string, list or mapping, got ${JSON.stringify(v)}`);
  },
  lower: (v) => toText(v).toLowerCase(),
  upper: (v) => toText(v).toUpperCase(),
  capitalize: (v) => {
    const s = toText(v);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  trim: (v) => toText(v).trim(),
  first: (v) => asList(v)[0],
  last: (v) => asList(v).at(-1),
  join: (v, sep = '') => asList(v).map(toText).join(toText(sep)),
  split: (v, sep?: unknown) => (sep === undefined ? toText(v).trim().split(/\s+/) : toText(v).split(toText(sep))),
  replace: (v, a, b) => toText(v).split(toText(a)).join(toText(b)),
  regex_replace: (v, re, rep = '') =>
    toText(v).replace(
      pyRe(toText(re), 'gm'),
      toText(rep)
        .replace(/\\(\d)/g, '$$$1')
        .replace(/\\g<(\w+)>/g, '$$<$1>'),
    ),
  regex_search: (v, re) => {
    const m = pyRe(toText(re), 'm').exec(toText(v));
    return m ? m[0] : null;
  },
  regex_findall: (v, re) => [...toText(v).matchAll(pyRe(toText(re), 'gm'))].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0]))),
  indent: (v, width = 4, first = false) => {
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    return toText(v)
      .split('\n')
      .map((l, i) => ((i > 0 || first) && l ? pad + l : l))
      .join('\n');
  },
  to_json: (v) => JSON.stringify(defined(v)),
  to_nice_json: (v, indent = 4) => JSON.stringify(defined(v), null, Number(indent)),
  to_yaml: (v) => toYaml(defined(v)).trimEnd(),
  to_nice_yaml: (v) => toYaml(defined(v)),
  from_json: (v) => JSON.parse(toText(v)),
  from_yaml: (v) => fromYaml(toText(v)),
  b64encode: (v) => Buffer.from(toText(v), 'utf8').toString('base64'),
  b64decode: (v) => Buffer.from(toText(v), 'base64').toString('utf8'),
  basename: (v) => posix.basename(toText(v)),
  dirname: (v) => posix.dirname(toText(v)),
  quote: (v) => {
    const s = toText(v);
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
  },
  list: (v) => asList(v),
  unique: (v) => asList(v).filter((x, i, a) => a.findIndex((y) => deepEqual(x, y)) === i),
  sort: (v) => [...asList(v)].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...asList(v)].reverse()),
  min: (v) => asList(v).reduce((a, b) => Math.min(a as number, b as number)),
  max: (v) => asList(v).reduce((a, b) => Math.max(a as number, b as number)),
  sum: (v) => asList(v).reduce((a: number, b) => a + Number(b), 0),
  flatten: (v) => asList(v).flat(Infinity),
  union: (v, o) => [...new Set([...asList(v), ...asList(o)])],
  difference: (v, o) => asList(v).filter((x) => !asList(o).some((y) => deepEqual(x, y))),
  intersect: (v, o) => asList(v).filter((x) => asList(o).some((y) => deepEqual(x, y))),
  combine: (v, ...others) => Object.assign({}, defined(v), ...others.map(defined)),
  dict2items: (v) => Object.entries(defined(v) as object).map(([key, value]) => ({ key, value })),
  items2dict: (v) => Object.fromEntries(asList(v).map((i) => [(i as { key: string }).key, (i as { value: unknown }).value])),
  map: (v, what, ...rest) => {
    const items = asList(v);
    if (typeof what === 'string' && what.startsWith('attribute=')) return items.map((i) => (i as Record<string, unknown>)[what.slice(10)]);
    const f = FILTERS[toText(what)];
    if (!f) throw new TemplateError(`map: unknown filter '${toText(what)}'`);
    return items.map((i) => f(i, ...rest));
  },
  selectattr: (v, attr, test = 'truthy', arg?: unknown) =>
    asList(v).filter((i) => runTest(toText(test), (i as Record<string, unknown>)[toText(attr)] ?? new Undefined(toText(attr)), arg === undefined ? [] : [arg])),
  rejectattr: (v, attr, test = 'truthy', arg?: unknown) =>
    asList(v).filter(
      (i) => !runTest(toText(test), (i as Record<string, unknown>)[toText(attr)] ?? new Undefined(toText(attr)), arg === undefined ? [] : [arg]),
    ),
  select: (v, test = 'truthy', arg?: unknown) => asList(v).filter((i) => runTest(toText(test), i, arg === undefined ? [] : [arg])),
  reject: (v, test = 'truthy', arg?: unknown) => asList(v).filter((i) => !runTest(toText(test), i, arg === undefined ? [] : [arg])),
  ternary: (v, a, b) => (truthy(v) ? a : b),
  mandatory: (v) => defined(v),
  hash: (v) => toText(v),
  cidr_overlaps: (a, b) => {
    const [x, y] = [parseCidr(toText(a)), parseCidr(toText(b))];
    const mask = Math.min(x.bits, y.bits);
    const m = mask === 0 ? 0 : (~0 << (32 - mask)) >>> 0;
    return (x.addr & m) >>> 0 === (y.addr & m) >>> 0;
  },
  concat: (...parts) => parts.map(toText).join(''),
};

/** An IPv4 CIDR as a number and a prefix length; throws on anything else. */
function parseCidr(c: string): { addr: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new TemplateError(`'${c}' is not an IPv4 CIDR such as 10.244.0.0/16`);
  return { addr: ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0, bits: Number(m[5]) };
}
FILTERS.d = FILTERS.default!;
FILTERS.count = FILTERS.length!;

function versionCmp(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    return x < y ? -1 : 1;
  }
  return 0;
}

const status = (v: unknown): Record<string, unknown> => {
  v = defined(v);
  if (!v || typeof v !== 'object') throw new TemplateError('expected a registered task result');
  return v as Record<string, unknown>;
};

export const TESTS: Record<string, (v: unknown, ...args: unknown[]) => boolean> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => defined(v) === null,
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
  succeeded: (v) => !status(v).failed,
  failed: (v) => Boolean(status(v).failed),
  changed: (v) => Boolean(status(v).changed),
  skipped: (v) => Boolean(status(v).skipped),
  string: (v) => typeof defined(v) === 'string',
  number: (v) => typeof defined(v) === 'number',
  boolean: (v) => typeof defined(v) === 'boolean',
  mapping: (v) => {
    const x = defined(v);
    return x !== null && typeof x === 'object' && !Array.isArray(x);
  },
  sequence: (v) => Array.isArray(defined(v)) || typeof defined(v) === 'string',
  iterable: (v) => Array.isArray(defined(v)) || typeof defined(v) === 'string',
  match: (v, re) => pyRe(`^(?:${toText(re)})`).test(toText(v)),
  search: (v, re) => pyRe(toText(re)).test(toText(v)),
  regex: (v, re) => pyRe(toText(re)).test(toText(v)),
  in: (v, c) => contains(c, v),
  eq: (v, o) => deepEqual(defined(v), o),
  version: (v, other, op = '==') => {
    const c = versionCmp(toText(v), toText(other));
    const o = toText(op);
    return (
      {
        '==': c === 0,
        eq: c === 0,
        '!=': c !== 0,
        ne: c !== 0,
        '<': c < 0,
        lt: c < 0,
        '<=': c <= 0,
        le: c <= 0,
        '>': c > 0,
        gt: c > 0,
        '>=': c >= 0,
        ge: c >= 0,
      }[o] ?? false
    );
  },
};
TESTS.success = TESTS.succeeded!;
TESTS.failure = TESTS.failed!;
TESTS.change = TESTS.changed!;
TESTS.skip = TESTS.skipped!;
TESTS.version_compare = TESTS.version!;

export function runTest(name: string, v: unknown, args: unknown[]): boolean {
  const t = TESTS[name];
  if (!t) throw new TemplateError(`unknown test '${name}'`);
  return t(v, ...args);
}

export function contains(container: unknown, item: unknown): boolean {
  container = defined(container);
  item = defined(item);
  if (typeof container === 'string') return container.includes(toText(item));
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (container && typeof container === 'object') return Object.hasOwn(container, String(item));
  throw new TemplateError(`'in' needs a string, list or mapping on its right, got ${JSON.stringify(container)}`);
}

/** Sentinel for `omit`: module arguments set to it are dropped. */
export const OMIT = '__omit_place_holder__tsplay__';
