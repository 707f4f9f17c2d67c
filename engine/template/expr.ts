// Jinja2 expressions as Ansible evaluates them: the inside of {{ }}, and the
// conditions of when/changed_when/failed_when/until/that. The grammar is
// jinja.peggy; filters, tests and global functions fill the registries below.
import { parse } from './jinja-parser.js';
import { contains, defined, isMapping, type Kwargs, methodOf, percentFormat, pyCmp, pyEq, pyStr, truthy, typeName } from './python.js';
import { TemplateError, Undefined, undefinedError } from './undefined.js';

/** What a template can read: variables by name, undefined ones as Undefined. */
export interface Lookup {
  lookup(name: string): unknown;
  /** The inventory's hosts matching a pattern, for query('inventory_hostnames', ...). */
  hosts?(pattern: string): string[];
}

export type Expr =
  | { t: 'lit'; v: unknown }
  | { t: 'var'; name: string }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'not'; e: Expr }
  | { t: 'neg'; e: Expr }
  | { t: 'if'; then: Expr; cond: Expr; else: Expr | null }
  | { t: 'test'; neg: boolean; e: Expr; name: string; args: Expr[] }
  | { t: 'filter'; name: string; e: Expr; args: Expr[] }
  | { t: 'attr'; e: Expr; key: Expr; dot: boolean }
  | { t: 'slice'; e: Expr; start: Expr | null; stop: Expr | null; step: Expr | null }
  | { t: 'call'; e: Expr; args: Expr[] }
  | { t: 'list'; items: Expr[] }
  | { t: 'tuple'; items: Expr[] }
  | { t: 'dict'; items: [Expr, Expr][] }
  | { t: 'kwarg'; name: string; v: Expr };

export type Filter = (value: unknown, args: unknown[], kw: Kwargs) => unknown;
export type Test = (value: unknown, args: unknown[], kw: Kwargs) => boolean;
/** A global function (range, lookup, query, namespace...), given the variables it runs with. */
export type GlobalFn = (args: unknown[], kw: Kwargs, vars: Lookup) => unknown;

/** Filled by filters.ts, tests.ts and lookups.ts; the evaluator only names them. */
export const FILTERS: Record<string, Filter> = Object.create(null);
export const TESTS: Record<string, Test> = Object.create(null);
export const GLOBALS: Record<string, GlobalFn> = Object.create(null);

// ---------------------------------------------------------------- expressions

const exprCache = new Map<string, Expr>();

function syntaxError(what: string, text: string, e: unknown): TemplateError {
  const err = e as { message: string; location?: { start: { column: number } } };
  const col = err.location ? ` at column ${err.location.start.column}` : '';
  return new TemplateError(`template error while templating '${text}': cannot parse ${what}${col}: ${err.message}`);
}

export function parseExpr(text: string): Expr {
  let ast = exprCache.get(text);
  if (!ast) {
    try {
      ast = parse(text, { startRule: 'Start', raw: true }) as Expr;
    } catch (e) {
      throw syntaxError('expression', text, e);
    }
    exprCache.set(text, ast);
  }
  return ast;
}

/** The last name of a filter or test written with its collection (ansible.builtin.to_json). */
function shortName(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

export function nameOf(n: Expr): string {
  if (n.t === 'var') return n.name;
  if (n.t === 'attr') return `${nameOf(n.e)}.${n.key.t === 'lit' ? String(n.key.v) : '[...]'}`;
  return '<expression>';
}

function num(v: unknown, op: string, other: unknown): number {
  v = defined(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TemplateError(`unsupported operand type(s) for ${op}: '${typeName(v)}' and '${typeName(defined(other))}'`);
}

function arith(op: string, l: unknown, r: unknown): unknown {
  l = defined(l);
  r = defined(r);
  switch (op) {
    case '+':
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
      if (typeof l === 'string' || typeof r === 'string')
        throw new TemplateError(`can only concatenate str (not "${typeName(typeof l === 'string' ? r : l)}") to str`);
      return num(l, op, r) + num(r, op, l);
    case '-':
      return num(l, op, r) - num(r, op, l);
    case '*':
      if (typeof l === 'string' && typeof r === 'number') return l.repeat(Math.max(0, r));
      if (Array.isArray(l) && typeof r === 'number') return Array.from({ length: Math.max(0, r) }, () => l).flat();
      return num(l, op, r) * num(r, op, l);
    case '/': {
      const d = num(r, op, l);
      if (d === 0) throw new TemplateError('division by zero');
      return num(l, op, r) / d;
    }
    case '//': {
      const d = num(r, op, l);
      if (d === 0) throw new TemplateError('integer division or modulo by zero');
      return Math.floor(num(l, op, r) / d);
    }
    case '%': {
      if (typeof l === 'string') return percentFormat(l, r);
      const d = num(r, op, l);
      if (d === 0) throw new TemplateError('integer division or modulo by zero');
      const x = num(l, op, r);
      return ((x % d) + d) % d;
    }
    case '**':
      return num(l, op, r) ** num(r, op, l);
  }
  throw new TemplateError(`unknown operator ${op}`);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  a = defined(a);
  b = defined(b);
  switch (op) {
    case '==':
      return pyEq(a, b);
    case '!=':
      return !pyEq(a, b);
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
  }
  const c = pyCmp(a, b, op);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function index(base: unknown, key: unknown, name: () => string): unknown {
  if (base instanceof Undefined) return base;
  if (Array.isArray(base) || typeof base === 'string') {
    if (typeof key === 'number' && Number.isInteger(key)) {
      const i = key < 0 ? base.length + key : key;
      if (i >= 0 && i < base.length) return base[i];
      return new Undefined(name(), `${typeName(base)} index out of range`);
    }
  } else if (base !== null && typeof base === 'object') {
    const k = typeof key === 'boolean' ? (key ? 'True' : 'False') : String(key);
    if (k in base) {
      const v = (base as Record<string, unknown>)[k];
      if (v !== undefined) return v;
    }
  }
  const what = isMapping(base) ? 'dict' : typeName(base);
  return new Undefined(name(), `'${what} object' has no attribute '${String(key)}'`);
}

function slice(base: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const seq = defined(base);
  if (!Array.isArray(seq) && typeof seq !== 'string') throw new TemplateError(`'${typeName(seq)}' object is not subscriptable`);
  const n = seq.length;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new TemplateError('slice step cannot be zero');
  const norm = (v: unknown, def: number, lo: number, hi: number): number => {
    if (v === null || v === undefined) return def;
    let i = Number(v);
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) for (let i = norm(start, 0, 0, n), e = norm(stop, n, 0, n); i < e; i += st) out.push(seq[i]);
  else for (let i = norm(start, n - 1, -1, n - 1), e = norm(stop, -1, -1, n - 1); i > e; i += st) out.push(seq[i]);
  return typeof seq === 'string' ? out.join('') : out;
}

export function evalArgs(args: Expr[], vars: Lookup): [unknown[], Kwargs] {
  const pos: unknown[] = [];
  const kw: Kwargs = {};
  for (const a of args) {
    if (a.t === 'kwarg') kw[a.name] = evalExpr(a.v, vars);
    else pos.push(evalExpr(a, vars));
  }
  return [pos, kw];
}

/** Applies a filter by name; filters see Undefined and decide for themselves. */
export function applyFilter(name: string, value: unknown, args: unknown[], kw: Kwargs): unknown {
  const f = FILTERS[name] ?? FILTERS[shortName(name)];
  if (!f) throw new TemplateError(`template error: no filter named '${name}'`);
  return f(value, args, kw);
}

export function runTest(name: string, value: unknown, args: unknown[], kw: Kwargs = {}): boolean {
  const t = TESTS[name] ?? TESTS[shortName(name)];
  if (!t) throw new TemplateError(`template error: no test named '${name}'`);
  return t(value, args, kw);
}

function call(n: Extract<Expr, { t: 'call' }>, vars: Lookup): unknown {
  const [args, kw] = evalArgs(n.args, vars);
  if (n.e.t === 'attr' && n.e.dot) {
    const target = evalExpr(n.e.e, vars);
    if (target instanceof Undefined) throw undefinedError(target);
    const name = String((n.e.key as { v: unknown }).v);
    if (isMapping(target) && Object.hasOwn(target, name)) {
      const f = target[name];
      if (typeof f === 'function') return (f as (a: unknown[], k: Kwargs) => unknown)(args, kw);
    }
    const m = methodOf(target, name);
    if (m) return m(args, kw);
    throw new TemplateError(`'${typeName(target)} object' has no attribute '${name}'`);
  }
  if (n.e.t === 'var') {
    const v = vars.lookup(n.e.name);
    if (typeof v === 'function') return (v as (a: unknown[], k: Kwargs) => unknown)(args, kw);
    const g = GLOBALS[n.e.name];
    if (g && v instanceof Undefined) return g(args, kw, vars);
    if (v instanceof Undefined) throw new TemplateError(`'${n.e.name}' is undefined`, n.e.name);
    throw new TemplateError(`'${typeName(v)}' object is not callable`);
  }
  const f = evalExpr(n.e, vars);
  if (typeof f === 'function') return (f as (a: unknown[], k: Kwargs) => unknown)(args, kw);
  if (f instanceof Undefined) throw undefinedError(f);
  throw new TemplateError(`'${typeName(f)}' object is not callable`);
}

export function evalExpr(n: Expr, vars: Lookup): unknown {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'var':
      return vars.lookup(n.name);
    case 'not':
      return !truthy(evalExpr(n.e, vars));
    case 'neg':
      return -num(evalExpr(n.e, vars), 'unary -', 0);
    case 'if':
      return truthy(evalExpr(n.cond, vars)) ? evalExpr(n.then, vars) : n.else ? evalExpr(n.else, vars) : '';
    case 'bin': {
      if (n.op === 'and') {
        const l = evalExpr(n.l, vars);
        return truthy(l) ? evalExpr(n.r, vars) : l;
      }
      if (n.op === 'or') {
        const l = evalExpr(n.l, vars);
        return truthy(l) ? l : evalExpr(n.r, vars);
      }
      const l = evalExpr(n.l, vars);
      const r = evalExpr(n.r, vars);
      if (n.op === '~') return pyStr(defined(l)) + pyStr(defined(r));
      if (n.op.length > 2 || n.op === 'in' || n.op === '==' || n.op === '!=' || n.op[0] === '<' || n.op[0] === '>') return compare(n.op, l, r);
      return arith(n.op, l, r);
    }
    case 'test': {
      const [args, kw] = evalArgs(n.args, vars);
      const ok = runTest(n.name, evalExpr(n.e, vars), args, kw);
      return n.neg ? !ok : ok;
    }
    case 'filter': {
      const [args, kw] = evalArgs(n.args, vars);
      return applyFilter(n.name, evalExpr(n.e, vars), args, kw);
    }
    case 'attr': {
      const base = evalExpr(n.e, vars);
      return index(base, evalExpr(n.key, vars), () => nameOf(n));
    }
    case 'slice':
      return slice(evalExpr(n.e, vars), n.start && evalExpr(n.start, vars), n.stop && evalExpr(n.stop, vars), n.step && evalExpr(n.step, vars));
    case 'call':
      return call(n, vars);
    case 'list':
    case 'tuple':
      return n.items.map((i) => defined(evalExpr(i, vars)));
    case 'dict':
      return Object.fromEntries(n.items.map(([k, v]) => [pyStr(defined(evalExpr(k, vars))), defined(evalExpr(v, vars))]));
    case 'kwarg':
      return evalExpr(n.v, vars);
  }
}

export function evaluate(text: string, vars: Lookup): unknown {
  return evalExpr(parseExpr(text), vars);
}

/** `when:` semantics: a list is a conjunction; booleans pass through; text is an expression. */
export function evalCondition(cond: unknown, vars: Lookup): boolean {
  if (cond === null || cond === undefined) return true;
  if (Array.isArray(cond)) return cond.every((c) => evalCondition(c, vars));
  if (typeof cond === 'boolean') return cond;
  if (typeof cond === 'number') return cond !== 0;
  let text = String(cond).trim();
  // Ansible warns about but accepts `when: "{{ x }}"`.
  const m = /^\{\{\s*(.*?)\s*\}\}$/s.exec(text);
  if (m) text = m[1]!;
  return truthy(evaluate(text, vars));
}
