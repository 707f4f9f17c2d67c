// Jinja2's and Ansible's tests: `x is defined`, `v is version('1.28', '>=')`.
import { existsSync, lstatSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { TESTS, type Test } from './expr.js';
import { contains, defined, isMapping, type Kwargs, pyCmp, pyEq, toText, truthy } from './python.js';
import { pyRe } from './regex.js';
import { TemplateError, Undefined } from './undefined.js';

const status = (v: unknown): Record<string, unknown> => {
  v = defined(v);
  if (!isMapping(v)) throw new TemplateError('The task result is not a dict: expected a registered task result');
  return v;
};

/** Ansible's LooseVersion order: numbers compare as numbers, words as text. */
function looseCmp(a: string, b: string): number {
  const parts = (s: string) =>
    s
      .match(/\d+|[a-z]+|\.|-/gi)
      ?.filter((p) => p !== '.' && p !== '-')
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p)) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (typeof x === typeof y) return x < y ? -1 : 1;
    return typeof x === 'number' ? 1 : -1;
  }
  return 0;
}

/** Semantic versions: prerelease sorts before the release, build metadata is ignored. */
function semverCmp(a: string, b: string): number {
  const parse = (s: string) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(s.trim());
    if (!m) throw new TemplateError(`Version comparison failed: invalid semantic version '${s}'`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4]?.split('.') ?? [] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! - y.nums[i]!;
  if (!x.pre.length || !y.pre.length) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const np = /^\d+$/.test(p);
    const nq = /^\d+$/.test(q);
    if (np && nq) return Number(p) - Number(q);
    if (np !== nq) return np ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

const OPS: Record<string, (c: number) => boolean> = {
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
};

function version(v: unknown, a: unknown[], kw: Kwargs): boolean {
  const other = toText(a[0] ?? kw.version);
  const op = toText(a[1] ?? kw.operator ?? 'eq');
  const type = toText(a[3] ?? kw.version_type ?? (truthy(a[2] ?? kw.strict ?? false) ? 'strict' : 'loose'));
  const test = OPS[op];
  if (!test) throw new TemplateError(`Invalid operator type (${op})`);
  const me = toText(v);
  if (!me) throw new TemplateError('Version comparison failed: version value cannot be empty');
  return test(type === 'semver' || type === 'semantic' ? semverCmp(me, other) : looseCmp(me, other));
}

function regexTest(v: unknown, a: unknown[], kw: Kwargs, how: 'match' | 'search'): boolean {
  const flags = (truthy(a[1] ?? kw.ignorecase ?? false) ? 'i' : '') + (truthy(a[2] ?? kw.multiline ?? false) ? 'm' : '');
  const src = toText(a[0] ?? kw.pattern);
  return pyRe(how === 'match' ? `^(?:${src})` : src, flags).test(toText(v));
}

const pathTest = (check: (p: string) => boolean) => (v: unknown) => {
  const p = toText(v);
  try {
    return check(p);
  } catch {
    return false;
  }
};

const defs: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => defined(v) === null,
  truthy: (v, _a, kw) => (truthy(kw.convert_bool ?? false) && typeof v === 'string' ? ['yes', 'on', '1', 'true'].includes(v.toLowerCase()) : truthy(v)),
  falsy: (v, a, kw) => !defs.truthy!(v, a, kw),
  true: (v) => defined(v) === true,
  false: (v) => defined(v) === false,
  succeeded: (v) => !status(v).failed,
  failed: (v) => Boolean(status(v).failed),
  changed: (v) => Boolean(status(v).changed),
  skipped: (v) => Boolean(status(v).skipped),
  finished: (v) => !status(v).ansible_job_id || Boolean(status(v).finished),
  started: (v) => Boolean(status(v).started ?? true),
  unreachable: (v) => Boolean(status(v).unreachable),
  reachable: (v) => !status(v).unreachable,
  string: (v) => typeof defined(v) === 'string',
  number: (v) => typeof defined(v) === 'number',
  integer: (v) => Number.isInteger(defined(v)),
  float: (v) => typeof defined(v) === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof defined(v) === 'boolean',
  mapping: (v) => isMapping(defined(v)),
  sequence: (v) => Array.isArray(defined(v)) || typeof v === 'string' || isMapping(v),
  iterable: (v) => Array.isArray(defined(v)) || typeof v === 'string' || isMapping(v),
  callable: (v) => typeof defined(v) === 'function',
  sameas: (v, a) => defined(v) === a[0],
  eq: (v, a) => pyEq(defined(v), a[0]),
  ne: (v, a) => !pyEq(defined(v), a[0]),
  lt: (v, a) => pyCmp(v, a[0], '<') < 0,
  le: (v, a) => pyCmp(v, a[0], '<=') <= 0,
  gt: (v, a) => pyCmp(v, a[0], '>') > 0,
  ge: (v, a) => pyCmp(v, a[0], '>=') >= 0,
  in: (v, a) => contains(a[0], v),
  contains: (v, a) => contains(v, a[0]),
  match: (v, a, kw) => regexTest(v, a, kw, 'match'),
  search: (v, a, kw) => regexTest(v, a, kw, 'search'),
  regex: (v, a, kw) => regexTest(v, a, kw, toText(a[3] ?? kw.match_type ?? 'search') === 'match' ? 'match' : 'search'),
  version,
  subset: (v, a) => (defined(v) as unknown[]).every((x) => contains(a[0], x)),
  superset: (v, a) => (defined(a[0]) as unknown[]).every((x) => contains(v, x)),
  divisibleby: (v, a) => Number(defined(v)) % Number(a[0]) === 0,
  even: (v) => Number(defined(v)) % 2 === 0,
  odd: (v) => Math.abs(Number(defined(v)) % 2) === 1,
  lower: (v) => toText(v) === toText(v).toLowerCase(),
  upper: (v) => toText(v) === toText(v).toUpperCase(),
  any: (v) => (defined(v) as unknown[]).some(truthy),
  all: (v) => (defined(v) as unknown[]).every(truthy),
  nan: (v) => Number.isNaN(defined(v)),
  abs: (v) => isAbsolute(toText(v)),
  exists: pathTest((p) => existsSync(p)),
  file: pathTest((p) => statSync(p).isFile()),
  directory: pathTest((p) => statSync(p).isDirectory()),
  link: pathTest((p) => lstatSync(p).isSymbolicLink()),
  vault_encrypted: (v) => toText(v).startsWith('$ANSIBLE_VAULT;'),
};
Object.assign(defs, {
  success: defs.succeeded,
  failure: defs.failed,
  change: defs.changed,
  skip: defs.skipped,
  version_compare: defs.version,
  equalto: defs.eq,
  '==': defs.eq,
  '!=': defs.ne,
  '<': defs.lt,
  '<=': defs.le,
  '>': defs.gt,
  '>=': defs.ge,
  lessthan: defs.lt,
  greaterthan: defs.gt,
  is_abs: defs.abs,
  is_file: defs.file,
  is_dir: defs.directory,
  is_link: defs.link,
  issubset: defs.subset,
  issuperset: defs.superset,
});
Object.assign(TESTS, defs);
