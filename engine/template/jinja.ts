// Renders Jinja2 templates in-process over lazy variables: a template reads
// only the variables it names, each rendered once. Compiled templates are
// cached by text, so a role's values are parsed once per run.
import { applyFilter, type Expr, evalArgs, evalExpr, type Lookup, nameOf } from './expr.js';
import { defined, isMapping, type Kwargs, pyEq, pyStr, toText, truthy, typeName } from './python.js';
import { build, type FilterCall, lex, type Node, type Param, type Target, type TemplateOptions } from './syntax.js';
import { TemplateError, Undefined, undefinedError } from './undefined.js';

export type { TemplateOptions } from './syntax.js';
/** Reads a template for {% include %}; set by the caller that knows the search path. */
export type Loader = (name: string) => string | undefined;

class Frame implements Lookup {
  readonly own = new Map<string, unknown>();
  constructor(
    private readonly parent: Lookup,
    readonly root: Lookup,
  ) {}
  lookup(name: string): unknown {
    if (this.own.has(name)) return this.own.get(name);
    return this.parent.lookup(name);
  }
  hosts(pattern: string): string[] {
    if (!this.root.hosts) throw new TemplateError('this template has no inventory to match hosts in');
    return this.root.hosts(pattern);
  }
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
type Flow = typeof BREAK | typeof CONTINUE | undefined;

interface RenderEnv {
  opts: TemplateOptions;
  load?: Loader;
}

function assign(frame: Frame, target: Target, value: unknown): void {
  if (typeof target === 'string') {
    frame.own.set(target, value);
    return;
  }
  const seq = defined(value);
  const items = Array.isArray(seq) ? seq : typeof seq === 'string' ? [...seq] : undefined;
  if (!items || items.length !== target.length) throw new TemplateError(`cannot unpack ${pyStr(seq)} into ${target.length} names`);
  for (const [i, t] of target.entries()) frame.own.set(t, items[i]);
}

function iterable(v: unknown): unknown[] {
  v = defined(v);
  if (Array.isArray(v)) return v;
  if (isMapping(v)) return Object.keys(v);
  if (typeof v === 'string') return [...v];
  throw new TemplateError(`'${typeName(v)}' object is not iterable`);
}

function macro(params: Param[], body: Node[], defFrame: Frame, env: RenderEnv) {
  return (args: unknown[], kw: Kwargs): string => {
    const f = new Frame(defFrame, defFrame.root);
    params.forEach((p, i) => {
      const v = i < args.length ? args[i] : Object.hasOwn(kw, p.name) ? kw[p.name] : p.default ? evalExpr(p.default, f) : new Undefined(p.name);
      f.own.set(p.name, v);
    });
    f.own.set('varargs', args.slice(params.length));
    f.own.set('kwargs', Object.fromEntries(Object.entries(kw).filter(([k]) => !params.some((p) => p.name === k))));
    if (Object.hasOwn(kw, 'caller')) f.own.set('caller', kw.caller);
    const out: string[] = [];
    renderNodes(body, f, env, out);
    return out.join('');
  };
}

function applyFilters(filters: FilterCall[], value: unknown, frame: Frame): unknown {
  for (const f of filters) {
    const [args, kw] = evalArgs(f.args, frame);
    value = applyFilter(f.name, value, args, kw);
  }
  return value;
}

function renderNodes(nodes: Node[], frame: Frame, env: RenderEnv, out: string[]): Flow {
  for (const n of nodes) {
    switch (n.k) {
      case 'text':
        out.push(n.v);
        break;
      case 'out':
        out.push(toText(evalExpr(n.e, frame)));
        break;
      case 'if': {
        const hit = n.branches.find((b) => truthy(evalExpr(b.cond, frame)));
        const flow = renderNodes(hit ? hit.body : n.else, frame, env, out);
        if (flow) return flow;
        break;
      }
      case 'for':
        renderFor(n, frame, env, out, evalExpr(n.iter, frame), 1);
        break;
      case 'set': {
        const v = evalExpr(n.e, frame);
        if (typeof n.target === 'object' && !Array.isArray(n.target)) {
          const ns = frame.lookup(n.target.ns);
          if (!isMapping(ns)) throw new TemplateError(`cannot assign attribute on non-namespace object '${n.target.ns}'`);
          ns[n.target.attr] = v;
        } else assign(frame, n.target, v);
        break;
      }
      case 'setblock': {
        const inner: string[] = [];
        renderNodes(n.body, new Frame(frame, frame.root), env, inner);
        frame.own.set(n.name, applyFilters(n.filters, inner.join(''), frame));
        break;
      }
      case 'macro':
        frame.own.set(n.name, macro(n.params, n.body, frame, env));
        break;
      case 'call': {
        const caller = macro(n.params, n.body, frame, env);
        const c = n.e;
        if (c.t !== 'call') throw new TemplateError('{% call %} needs a macro call');
        const [args, kw] = evalArgs(c.args, frame);
        const m = evalExpr(c.e, frame);
        if (typeof m !== 'function') throw new TemplateError(`'${nameOf(c.e)}' is not a macro`);
        out.push(toText((m as (a: unknown[], k: Kwargs) => unknown)(args, { ...kw, caller })));
        break;
      }
      case 'filter': {
        const inner: string[] = [];
        renderNodes(n.body, frame, env, inner);
        out.push(toText(applyFilters(n.filters, inner.join(''), frame)));
        break;
      }
      case 'with': {
        const f = new Frame(frame, frame.root);
        for (const [name, e] of n.assigns) f.own.set(name, evalExpr(e, f));
        const flow = renderNodes(n.body, f, env, out);
        if (flow) return flow;
        break;
      }
      case 'include': {
        const name = toText(evalExpr(n.e, frame));
        const text = env.load?.(name);
        if (text === undefined) {
          if (n.ignoreMissing) break;
          throw new TemplateError(`template not found: ${name}`);
        }
        renderNodes(compile(text, env.opts).nodes, frame, env, out);
        break;
      }
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
      case 'do':
        evalExpr(n.e, frame);
        break;
    }
  }
  return undefined;
}

function renderFor(n: Extract<Node, { k: 'for' }>, frame: Frame, env: RenderEnv, out: string[], seqValue: unknown, depth: number): void {
  let items = iterable(seqValue);
  if (n.cond) {
    const cond = n.cond;
    items = items.filter((it) => {
      const f = new Frame(frame, frame.root);
      assign(f, n.target, it);
      return truthy(evalExpr(cond, f));
    });
  }
  if (!items.length) {
    renderNodes(n.else, frame, env, out);
    return;
  }
  const length = items.length;
  for (let i = 0; i < length; i++) {
    const f = new Frame(frame, frame.root);
    assign(f, n.target, items[i]);
    const loop: Record<string, unknown> = {
      index: i + 1,
      index0: i,
      revindex: length - i,
      revindex0: length - i - 1,
      first: i === 0,
      last: i === length - 1,
      length,
      depth,
      depth0: depth - 1,
      previtem: i > 0 ? items[i - 1] : new Undefined('loop.previtem'),
      nextitem: i < length - 1 ? items[i + 1] : new Undefined('loop.nextitem'),
      cycle: (args: unknown[]) => args[i % args.length],
      changed: (() => {
        let last: unknown = Symbol('none');
        return (args: unknown[]) => {
          const changed = !pyEq(last, args);
          last = args;
          return changed;
        };
      })(),
    };
    if (n.recursive) {
      const self = Object.assign((args: unknown[]) => {
        const inner: string[] = [];
        renderFor(n, frame, env, inner, args[0], depth + 1);
        return inner.join('');
      }, loop);
      f.own.set('loop', self);
    } else f.own.set('loop', loop);
    const flow = renderNodes(n.body, f, env, out);
    if (flow === BREAK) break;
  }
}

export interface Compiled {
  nodes: Node[];
  /** The template is exactly one {{ expression }}: its value keeps its type (ansible-core 2.19). */
  single?: Expr;
  trailingNewlines: number;
}

const templateCache = new Map<string, Compiled>();

export function compile(text: string, opts: TemplateOptions = {}): Compiled {
  const key = `${opts.trimBlocks ? 1 : 0}${opts.lstripBlocks ? 1 : 0}${opts.pyEscapes ? 1 : 0}${text}`;
  let c = templateCache.get(key);
  if (!c) {
    const trailingNewlines = /\n*$/.exec(text)![0].length;
    // Jinja drops one trailing newline (keep_trailing_newline off); render() puts back what Ansible keeps.
    const nodes = build(lex(text.endsWith('\n') ? text.slice(0, -1) : text, opts), text, opts.pyEscapes);
    const only = nodes.length === 1 && nodes[0]!.k === 'out' && trailingNewlines === 0 ? nodes[0] : undefined;
    c = { nodes, single: only?.k === 'out' ? only.e : undefined, trailingNewlines };
    if (templateCache.size > 50_000) templateCache.clear();
    templateCache.set(key, c);
  }
  return c;
}

/** Renders a template to text, keeping the source's trailing newlines as Ansible does. */
export function renderTemplate(text: string, vars: Lookup, opts: TemplateOptions = {}, load?: Loader): string {
  const c = compile(text, opts);
  const out: string[] = [];
  renderNodes(c.nodes, new Frame(vars, vars), { opts, load }, out);
  let res = out.join('');
  const have = /\n*$/.exec(res)![0].length;
  if (c.trailingNewlines > have) res += '\n'.repeat(c.trailingNewlines - have);
  return res;
}

/** Renders a YAML value: exactly one {{ expression }} keeps its type; anything else is text. */
export function renderValue(text: string, vars: Lookup): unknown {
  const c = compile(text, { trimBlocks: true });
  if (c.single) {
    const v = evalExpr(c.single, vars);
    if (v instanceof Undefined) throw undefinedError(v);
    return v;
  }
  return renderTemplate(text, vars, { trimBlocks: true });
}
