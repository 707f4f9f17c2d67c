import { parse as parseCondition } from './condition-parser.js';
import { contains, deepEqual, defined, FILTERS, runTest, TemplateError, toText, truthy, Undefined } from './filters.js';

/** What an expression can read: variables by name, undefined ones as Undefined. */
export interface Lookup {
  lookup(name: string): unknown;
}

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'var'; name: string }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'not'; e: Node }
  | { t: 'neg'; e: Node }
  | { t: 'if'; then: Node; cond: Node; else: Node | null }
  | { t: 'test'; neg: boolean; e: Node; test: { name: string; args: Node[] } }
  | { t: 'filter'; name: string; e: Node; args: Node[] }
  | { t: 'attr'; e: Node; key: Node }
  | { t: 'call'; e: Node; args: Node[] }
  | { t: 'list'; items: Node[] }
  | { t: 'dict'; items: [Node, Node][] }
  | { t: 'kwarg'; name: string; v: Node };

const cache = new Map<string, Node>();

export function parseExpr(text: string): Node {
  let ast = cache.get(text);
  if (!ast) {
    try {
      ast = parseCondition(text, {}) as Node;
    } catch (e) {
      const err = e as { message: string; location?: { start: { column: number } } };
      const col = err.location ? ` at column ${err.location.start.column}` : '';
      throw new TemplateError(`cannot parse expression '${text}'${col}: ${err.message}`);
    }
    cache.set(text, ast);
  }
  return ast;
}

function nameOf(n: Node): string {
  if (n.t === 'var') return n.name;
  if (n.t === 'attr') return `${nameOf(n.e)}.${n.key.t === 'lit' ? String(n.key.v) : '[...]'}`;
  return '<expression>';
}

function compare(op: string, a: unknown, b: unknown): boolean {
  a = defined(a);
  b = defined(b);
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
  }
  const x = a as number | string;
  const y = b as number | string;
  if (typeof x !== typeof y) throw new TemplateError(`cannot compare ${JSON.stringify(a)} ${op} ${JSON.stringify(b)}: different types`);
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function evalNode(n: Node, vars: Lookup): unknown {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'var':
      return vars.lookup(n.name);
    case 'not':
      return !truthy(evalNode(n.e, vars));
    case 'neg':
      return -Number(defined(evalNode(n.e, vars)));
    case 'if':
      return truthy(evalNode(n.cond, vars)) ? evalNode(n.then, vars) : n.else ? evalNode(n.else, vars) : '';
    case 'bin': {
      if (n.op === 'and') {
        const l = evalNode(n.l, vars);
        return truthy(l) ? evalNode(n.r, vars) : l;
      }
      if (n.op === 'or') {
        const l = evalNode(n.l, vars);
        return truthy(l) ? l : evalNode(n.r, vars);
      }
      const l = evalNode(n.l, vars);
      const r = evalNode(n.r, vars);
      switch (n.op) {
        case '+':
          if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
          if (typeof defined(l) === 'string' || typeof defined(r) === 'string') return toText(l) + toText(r);
          return Number(l) + Number(r);
        case '-':
          return Number(defined(l)) - Number(defined(r));
        case '*':
          return Number(defined(l)) * Number(defined(r));
        case '/':
          return Number(defined(l)) / Number(defined(r));
        case '//':
          return Math.floor(Number(defined(l)) / Number(defined(r)));
        case '%':
          return Number(defined(l)) % Number(defined(r));
        case '~':
          return toText(l) + toText(r);
        default:
          return compare(n.op, l, r);
      }
    }
    case 'test': {
      const v = evalNode(n.e, vars);
      const ok = runTest(
        n.test.name,
        v,
        n.test.args.map((a) => evalNode(a, vars)),
      );
      return n.neg ? !ok : ok;
    }
    case 'filter': {
      const f = FILTERS[n.name];
      if (!f) throw new TemplateError(`unknown filter '${n.name}'`);
      const positional = n.args.filter((a) => a.t !== 'kwarg').map((a) => evalNode(a, vars));
      return f(evalNode(n.e, vars), ...positional);
    }
    case 'attr': {
      const base = defined(evalNode(n.e, vars));
      const key = evalNode(n.key, vars);
      if (base !== null && typeof base === 'object') {
        const obj = base as Record<string, unknown>;
        const k = Array.isArray(base) && typeof key === 'number' && key < 0 ? base.length + key : (key as string);
        if (k in obj) return obj[k as string];
      } else if (typeof base === 'string' && typeof key === 'number') return base[key];
      return new Undefined(nameOf(n));
    }
    case 'call': {
      // Methods Ansible users reach for on strings and dicts.
      if (n.e.t === 'attr' && n.e.key.t === 'lit') {
        const target = defined(evalNode(n.e.e, vars));
        const args = n.args.map((a) => evalNode(a, vars));
        const m = String(n.e.key.v);
        if (typeof target === 'string') {
          if (m === 'startswith') return target.startsWith(toText(args[0]));
          if (m === 'endswith') return target.endsWith(toText(args[0]));
          if (m === 'split') return FILTERS.split!(target, ...args);
          if (m === 'strip') return target.trim();
          if (m === 'lower' || m === 'upper') return FILTERS[m]!(target);
          if (m === 'replace') return FILTERS.replace!(target, ...args);
        }
        if (target && typeof target === 'object' && !Array.isArray(target)) {
          const obj = target as Record<string, unknown>;
          if (m === 'get') return (args[0] as string) in obj ? obj[args[0] as string] : (args[1] ?? null);
          if (m === 'keys') return Object.keys(obj);
          if (m === 'values') return Object.values(obj);
          if (m === 'items') return Object.entries(obj);
        }
        throw new TemplateError(`unsupported method '${m}'`);
      }
      if (n.e.t === 'var' && FILTERS[n.e.name]) {
        const [first, ...rest] = n.args.map((a) => evalNode(a, vars));
        return FILTERS[n.e.name]!(first, ...rest);
      }
      throw new TemplateError(`cannot call ${nameOf(n.e)}`);
    }
    case 'list':
      return n.items.map((i) => defined(evalNode(i, vars)));
    case 'dict':
      return Object.fromEntries(n.items.map(([k, v]) => [toText(evalNode(k, vars)), defined(evalNode(v, vars))]));
    case 'kwarg':
      return evalNode(n.v, vars);
  }
}

export function evaluate(text: string, vars: Lookup): unknown {
  return evalNode(parseExpr(text), vars);
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
