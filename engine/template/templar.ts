// One entry point for templating: YAML values and .j2 files are Jinja2 as
// Ansible renders them; .hbs files are Handlebars, the project's own template
// language, with the same filters as helpers.
import Handlebars from 'handlebars';
import './filters.js';
import './filters-collections.js';
import './tests.js';
import './lookups.js';
import { FILTERS } from './expr.js';
import { type Loader, renderTemplate, renderValue, type TemplateOptions } from './jinja.js';
import { contains, pyEq as deepEqual, toText, truthy } from './python.js';
import type { Scope } from './scope.js';
import { TemplateError, Undefined } from './undefined.js';

const hb = Handlebars.create();

/** Helpers that may meet an undefined value on purpose. */
const UNDEFINED_OK = new Set(['default', 'd', 'hostvar', 'if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing', 'is_defined']);

for (const [name, f] of Object.entries(FILTERS)) {
  hb.registerHelper(name, (...args: unknown[]) => {
    const params = args.slice(0, -1).map((a) => (a === undefined && UNDEFINED_OK.has(name) ? new Undefined('value') : a));
    if (!UNDEFINED_OK.has(name) && params.some((p) => p === undefined)) throw new TemplateError(`helper '${name}' was given an undefined value`);
    const [first, ...rest] = params;
    return f(first, rest, {});
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
// Handlebars has no ~ operator: {{concat "a=" x}} joins its arguments as text.
hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(toText).join(''));

/** `{{hostvar host "name"}}`: another host's variable, the way roles build /etc/hosts or backend lists. */
hb.registerHelper('hostvar', (host: unknown, name: unknown, options: { data?: { root?: Record<string, unknown> } }) => {
  const hostvars = options?.data?.root?.hostvars as Record<string, Record<string, unknown> | undefined> | undefined;
  const vars = hostvars?.[String(host)];
  if (!vars) throw new TemplateError(`hostvar: '${String(host)}' is not an inventory host`);
  return vars[String(name)];
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

function run(text: string, scope: Scope, ctx: object): string {
  try {
    return compile(text)(ctx, { allowProtoPropertiesByDefault: false });
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

/** A value needs templating when it holds any Jinja delimiter, as Ansible's is_template decides. */
export function hasTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

const PATH = /^\{\{\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*\}\}$/;

/** Why a template failed, naming the variable when one was undefined. */
function explain(e: unknown, text: string): never {
  if (e instanceof TemplateError) {
    const where = text.length > 200 ? `${text.slice(0, 197)}...` : text;
    if (e.message.includes(where)) throw e;
    throw new TemplateError(`${e.message} (in '${where.trim()}')`, e.variable);
  }
  throw e;
}

/**
 * Renders one string. A string that is exactly one `{{ expression }}` keeps
 * its value's type (a list stays a list), as ansible-core 2.19's native types do.
 */
export function renderString(s: string, scope: Scope): unknown {
  if (!hasTemplate(s)) return s;
  // The common case, {{ name }} or {{ a.b }}, skips the evaluator.
  const path = PATH.exec(s);
  if (path) {
    const parts = path[1]!.split('.');
    let v = scope.lookup(parts[0]!);
    for (let i = 1; i < parts.length && !(v instanceof Undefined); i++) {
      const obj = v as Record<string, unknown> | null;
      v =
        obj !== null && typeof obj === 'object' && !Array.isArray(obj) && parts[i]! in obj && obj[parts[i]!] !== undefined
          ? obj[parts[i]!]
          : new Undefined(
              parts.slice(0, i + 1).join('.'),
              obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? `'dict object' has no attribute '${parts[i]}'` : undefined,
            );
    }
    if (!(v instanceof Undefined)) return v;
  }
  try {
    return renderValue(s, scope);
  } catch (e) {
    explain(e, s);
  }
}

/** Renders a .j2 template file's text with Ansible's settings (trim_blocks on, lstrip_blocks off). */
export function renderJinjaFile(text: string, scope: Scope, opts: TemplateOptions = { trimBlocks: true }, load?: Loader): string {
  try {
    return renderTemplate(text, scope, { ...opts, pyEscapes: true }, load);
  } catch (e) {
    explain(e, text.split('\n')[0] ?? '');
  }
}

/** Renders a .hbs template file's text with Handlebars. */
export function renderHandlebars(text: string, scope: Scope): string {
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
