import Handlebars from 'handlebars';
import { contains, deepEqual, FILTERS, TemplateError, toText, truthy, Undefined } from './filters.js';
import type { Scope } from './scope.js';

const hb = Handlebars.create();

/** Helpers that may meet an undefined value on purpose. */
const UNDEFINED_OK = new Set([
  'default',
  'd',
  'hostvar',
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
  'blockHelperMissing',
  'helperMissing',
  'is_defined',
  '__capture',
]);

for (const [name, f] of Object.entries(FILTERS)) {
  hb.registerHelper(name, (...args: unknown[]) => {
    const params = args.slice(0, -1).map((a) => (a === undefined && UNDEFINED_OK.has(name) ? new Undefined('value') : a));
    if (!UNDEFINED_OK.has(name) && params.some((p) => p === undefined)) throw new TemplateError(`helper '${name}' was given an undefined value`);
    const [first, ...rest] = params;
    return f(first, ...rest);
  });
}
const boolHelpers: Record<string, (...a: unknown[]) => boolean> = {
  eq: (a, b) => deepEqual(a, b),
  ne: (a, b) => !deepEqual(a, b),
  lt: (a, b) => (a as number) < (b as number),
  gt: (a, b) => (a as number) > (b as number),
  and: (...a) => a.every(truthy),
  or: (...a) => a.some(truthy),
  not: (a) => !truthy(a),
  contains: (a, b) => contains(a, b),
  is_defined: (a) => a !== undefined && !(a instanceof Undefined),
};
for (const [name, f] of Object.entries(boolHelpers)) hb.registerHelper(name, (...args: unknown[]) => f(...args.slice(0, -1)));

/** `{{hostvar host "name"}}`: another host's variable, the way roles build /etc/hosts or backend lists. */
hb.registerHelper('hostvar', (host: unknown, name: unknown, options: { data?: { root?: Record<string, unknown> } }) => {
  const hostvars = options?.data?.root?.hostvars as Record<string, Record<string, unknown> | undefined> | undefined;
  const vars = hostvars?.[String(host)];
  if (!vars) throw new TemplateError(`hostvar: '${String(host)}' is not an inventory host`);
  return vars[String(name)];
});

/** Takes a single expression's value out of Handlebars untouched, through the render's own data frame. */
interface Capture {
  value?: unknown;
}
hb.registerHelper('__capture', (v: unknown, options: { data?: { capture?: Capture } }) => {
  if (options.data?.capture) options.data.capture.value = v;
  return '';
});

const compiled = new Map<string, HandlebarsTemplateDelegate>();
function compile(text: string): HandlebarsTemplateDelegate {
  let t = compiled.get(text);
  if (!t) {
    t = hb.compile(text, { strict: true, noEscape: true, knownHelpers: {} });
    compiled.set(text, t);
  }
  return t;
}

type HbNode = { type: string; [k: string]: unknown };

/** Names the variables of a template that the scope lacks, to turn a helper's complaint into a useful error. */
function missingNames(text: string, scope: Scope): string[] {
  const out = new Set<string>();
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    const node = n as HbNode;
    if (node.type === 'PathExpression' && Array.isArray(node.parts) && node.parts.length && !(node.data as boolean) && !(node.depth as number)) {
      const head = String(node.parts[0]);
      if (!scope.has(head) && !hb.helpers[head] && head !== 'this') out.add(node.original as string);
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') walk(v);
    }
  };
  try {
    walk(hb.parse(text));
  } catch {
    /* the original error says enough */
  }
  return [...out];
}

function run(text: string, scope: Scope, ctx: object, capture?: Capture): string {
  try {
    return compile(text)(ctx, { allowProtoPropertiesByDefault: false, data: capture ? { capture } : undefined });
  } catch (e) {
    if (e instanceof TemplateError && e.variable) throw e;
    const msg = (e as Error).message;
    const strict = /^"([^"]+)" not defined in/.exec(msg);
    if (strict) {
      const missing = missingNames(text, scope);
      const name = missing[0] ?? strict[1]!;
      throw new TemplateError(`'${name}' is undefined (in '${text.trim()}')`, name);
    }
    if (e instanceof TemplateError) {
      const missing = missingNames(text, scope);
      if (missing.length) throw new TemplateError(`'${missing[0]}' is undefined (in '${text.trim()}')`, missing[0]);
      throw new TemplateError(`${msg} (in '${text.trim()}')`);
    }
    throw new TemplateError(`template error in '${text.trim()}': ${msg.split('\n')[0]}`);
  }
}

// Exactly one expression and nothing around it, whitespace included (ansible-core 2.19): "{{v}}\\n" is a string.
const SINGLE = /^\{\{(?!\{)\s*([^{}]+?)\s*\}\}$/;
const PATH = /^[A-Za-z_][\w-]*(?:\.(?:[\w-]+|\[[^\]]+\]))*$/;

/** Reads `a.b.[c].0` from the scope, keeping the value's type. */
function lookupPath(path: string, scope: Scope): unknown {
  const parts = path.match(/\[[^\]]+\]|[^.]+/g)!.map((p) => (p.startsWith('[') ? p.slice(1, -1) : p));
  let v = scope.lookup(parts[0]!);
  let name = parts[0]!;
  for (const p of parts.slice(1)) {
    if (v instanceof Undefined) break;
    name += `.${p}`;
    if (v !== null && typeof v === 'object' && p in (v as object)) v = (v as Record<string, unknown>)[p];
    else v = new Undefined(name);
  }
  if (v instanceof Undefined) throw new TemplateError(`'${v.name}' is undefined`, v.name);
  return v;
}

export function hasTemplate(s: string): boolean {
  return s.includes('{{');
}

/**
 * Renders one string. A string that is exactly one `{{ ... }}` keeps the type
 * of its value (a list stays a list), as Ansible's native types do for users.
 */
export function renderString(s: string, scope: Scope): unknown {
  if (!hasTemplate(s)) return s;
  const single = SINGLE.exec(s);
  if (single) {
    const inner = single[1]!;
    // A variable wins over a helper of the same name (`{{list}}` with a variable `list`).
    if (PATH.test(inner) && (!hb.helpers[inner] || scope.has(inner))) return lookupPath(inner, scope);
    if (!inner.startsWith('#') && !inner.startsWith('/') && !inner.startsWith('!') && !inner.startsWith('>')) {
      const capture: Capture = {};
      run(`{{__capture (${inner})}}`, scope, scope.asContext(), capture);
      return capture.value instanceof Undefined ? '' : capture.value;
    }
  }
  return run(s, scope, scope.asContext());
}

/** Renders a template file's text, always to a string. */
export function renderText(text: string, scope: Scope): string {
  return run(text, scope, scope.asContext());
}

/** Renders every string inside a value, leaving the structure alone. */
export function render(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((v) => render(v, scope));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[hasTemplate(k) ? toText(renderString(k, scope)) : k] = render(v, scope);
    return out;
  }
  return value;
}
