// Python's value semantics, which Jinja2 and so Ansible inherit: how values print,
// compare, test true, and the str/list/dict methods roles call (`x.split('/')`).
import { TemplateError, Undefined, undefinedError } from './undefined.js';

export type Kwargs = Record<string, unknown>;

/** Throws when an undefined value is about to be used for real. */
export function defined<T>(v: T | Undefined): T {
  if (v instanceof Undefined) throw undefinedError(v);
  return v;
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Undefined) && !(v instanceof Uint8Array);
}

/** Python's truthiness. */
export function truthy(v: unknown): boolean {
  v = defined(v);
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Python's ==: 1 == 1.0 == True, lists and dicts by value. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return false;
}

/** Python's <, for numbers with numbers, strings with strings, lists element-wise. */
export function pyCmp(a: unknown, b: unknown, op: string): number {
  a = defined(a);
  b = defined(b);
  const num = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  if (num(a) && num(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (pyEq(a[i], b[i])) continue;
      return pyCmp(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw new TemplateError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'function') return 'function';
  if (v instanceof Undefined) return 'AnsibleUndefined';
  return 'dict';
}

/** Python's repr() of a string: single quotes unless the text holds one and no double quote. */
function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

export function pyRepr(v: unknown): string {
  if (v instanceof Undefined) throw undefinedError(v);
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return reprString(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'function') return '<function>';
  if (isMapping(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${reprString(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** Python's str(): what {{ x }} prints inside text. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  return pyRepr(v);
}

/** Jinja's output of one {{ }}: Ansible's finalize prints None as nothing. */
export function toText(v: unknown): string {
  if (v instanceof Undefined) throw undefinedError(v);
  if (v === null || v === undefined) return '';
  return pyStr(v);
}

export function contains(container: unknown, item: unknown): boolean {
  container = defined(container);
  item = defined(item);
  if (typeof container === 'string') return container.includes(toText(item));
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (container && typeof container === 'object') return String(item) in container;
  throw new TemplateError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Python's %-formatting: '%s:%d' % (host, port). */
export function percentFormat(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  return fmt.replace(
    /%(\(\w+\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifrxXoeEgGc%])/g,
    (_m, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      const v = key && isMapping(args) ? args[key.slice(1, -1)] : list[i++];
      let s: string;
      switch (conv) {
        case 's':
          s = pyStr(defined(v));
          if (prec !== undefined) s = s.slice(0, Number(prec));
          break;
        case 'r':
          s = pyRepr(v);
          break;
        case 'd':
        case 'i':
          s = String(Math.trunc(Number(defined(v))));
          break;
        case 'f':
          s = Number(defined(v)).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case 'x':
          s = Math.trunc(Number(defined(v))).toString(16);
          break;
        case 'X':
          s = Math.trunc(Number(defined(v)))
            .toString(16)
            .toUpperCase();
          break;
        case 'o':
          s = Math.trunc(Number(defined(v))).toString(8);
          break;
        case 'c':
          s = typeof v === 'number' ? String.fromCharCode(v) : pyStr(v);
          break;
        default:
          s = String(Number(defined(v)));
      }
      const w = width && width !== '*' ? Number(width) : 0;
      if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : flags.includes('0') && conv !== 's' ? s.padStart(w, '0') : s.padStart(w);
      return s;
    },
  );
}

/** Python's str.format with {} and {0} and {name} fields. */
function strFormat(fmt: string, args: unknown[], kw: Kwargs): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const [name = '', spec] = (field ?? '').split(':');
    const v = name === '' ? args[auto++] : /^\d+$/.test(name) ? args[Number(name)] : kw[name];
    let s = pyStr(defined(v));
    const fm = spec ? /^(\d+)?(?:\.(\d+))?f$/.exec(spec) : null;
    if (fm) s = Number(v).toFixed(Number(fm[2] ?? 6));
    else if (spec && /^[<>^]?\d+$/.test(spec)) {
      const w = Number(spec.replace(/^[<>^]/, ''));
      s = spec.startsWith('<') || (!spec.startsWith('>') && typeof v === 'string') ? s.padEnd(w) : s.padStart(w);
    }
    return s;
  });
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set([...String(chars)]);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a]!)) a++;
  if (right) while (b > a && set.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Python's str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep?: unknown, maxsplit?: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const parts: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length) {
      if (max >= 0 && parts.length === max) {
        parts.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return parts;
  }
  const d = String(sep);
  if (d === '') throw new TemplateError('empty separator');
  const all = s.split(d);
  if (max < 0 || all.length <= max + 1) return all;
  return [...all.slice(0, max), all.slice(max).join(d)];
}

type Method = (self: never, args: unknown[], kw: Kwargs) => unknown;

const STR: Record<string, (s: string, a: unknown[], kw: Kwargs) => unknown> = {
  split: (s, a, kw) => pySplit(s, a[0] ?? kw.sep, a[1] ?? kw.maxsplit),
  rsplit: (s, a) => {
    const max = a[1] === undefined ? -1 : Number(a[1]);
    if (a[0] === undefined || a[0] === null) return pySplit(s, undefined, undefined);
    const all = s.split(String(a[0]));
    if (max < 0 || all.length <= max + 1) return all;
    return [all.slice(0, all.length - max).join(String(a[0])), ...all.slice(all.length - max)];
  },
  splitlines: (s) => s.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== ''),
  startswith: (s, a) => (Array.isArray(a[0]) ? a[0].some((p) => s.startsWith(String(p))) : s.startsWith(String(a[0]))),
  endswith: (s, a) => (Array.isArray(a[0]) ? a[0].some((p) => s.endsWith(String(p))) : s.endsWith(String(a[0]))),
  strip: (s, a) => stripChars(s, a[0], true, true),
  lstrip: (s, a) => stripChars(s, a[0], true, false),
  rstrip: (s, a) => stripChars(s, a[0], false, true),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  title: (s) => s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  replace: (s, a) => {
    const n = a[2] === undefined ? -1 : Number(a[2]);
    const parts = s.split(String(a[0]));
    if (n < 0 || parts.length <= n + 1) return parts.join(String(a[1]));
    return parts.slice(0, n + 1).join(String(a[1])) + String(a[0]) + parts.slice(n + 1).join(String(a[0]));
  },
  find: (s, a) => s.indexOf(String(a[0])),
  rfind: (s, a) => s.lastIndexOf(String(a[0])),
  index: (s, a) => {
    const i = s.indexOf(String(a[0]));
    if (i < 0) throw new TemplateError('substring not found');
    return i;
  },
  count: (s, a) => s.split(String(a[0])).length - 1,
  join: (s, a) => (defined(a[0]) as unknown[]).map((x) => pyStr(x)).join(s),
  format: (s, a, kw) => strFormat(s, a, kw),
  isdigit: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  partition: (s, a) => {
    const i = s.indexOf(String(a[0]));
    return i < 0 ? [s, '', ''] : [s.slice(0, i), String(a[0]), s.slice(i + String(a[0]).length)];
  },
  rpartition: (s, a) => {
    const i = s.lastIndexOf(String(a[0]));
    return i < 0 ? ['', '', s] : [s.slice(0, i), String(a[0]), s.slice(i + String(a[0]).length)];
  },
  zfill: (s, a) => (s.startsWith('-') ? `-${s.slice(1).padStart(Number(a[0]) - 1, '0')}` : s.padStart(Number(a[0]), '0')),
  center: (s, a) => {
    const w = Number(a[0]);
    const total = Math.max(0, w - s.length);
    const left = Math.floor(total / 2) + (total % 2 && w % 2 ? 1 : 0);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  },
  ljust: (s, a) => s.padEnd(Number(a[0]), String(a[1] ?? ' ')),
  rjust: (s, a) => s.padStart(Number(a[0]), String(a[1] ?? ' ')),
  encode: (s) => s,
  decode: (s) => s,
};

const LIST: Record<string, (l: unknown[], a: unknown[], kw: Kwargs) => unknown> = {
  index: (l, a) => {
    const i = l.findIndex((x) => pyEq(x, a[0]));
    if (i < 0) throw new TemplateError(`${pyRepr(a[0])} is not in list`);
    return i;
  },
  count: (l, a) => l.filter((x) => pyEq(x, a[0])).length,
  // Jinja in Ansible is not sandboxed: roles grow lists in place ({% set _ = x.append(y) %}).
  append: (l, a) => {
    l.push(a[0]);
    return null;
  },
  extend: (l, a) => {
    l.push(...(defined(a[0]) as unknown[]));
    return null;
  },
  insert: (l, a) => {
    l.splice(Number(a[0]), 0, a[1]);
    return null;
  },
  pop: (l, a) => (a.length ? l.splice(Number(a[0]) < 0 ? l.length + Number(a[0]) : Number(a[0]), 1)[0] : l.pop()),
  remove: (l, a) => {
    const i = l.findIndex((x) => pyEq(x, a[0]));
    if (i >= 0) l.splice(i, 1);
    return null;
  },
  copy: (l) => [...l],
};

const DICT: Record<string, (d: Record<string, unknown>, a: unknown[], kw: Kwargs) => unknown> = {
  get: (d, a) => (Object.hasOwn(d, String(a[0])) ? d[String(a[0])] : (a[1] ?? null)),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  items: (d) => Object.entries(d),
  copy: (d) => ({ ...d }),
  update: (d, a, kw) => {
    Object.assign(d, a[0] ?? {}, kw);
    return null;
  },
  pop: (d, a) => {
    const k = String(a[0]);
    if (!Object.hasOwn(d, k)) {
      if (a.length > 1) return a[1];
      throw new TemplateError(`KeyError: ${pyRepr(k)}`);
    }
    const v = d[k];
    delete d[k];
    return v;
  },
  setdefault: (d, a) => {
    const k = String(a[0]);
    if (!Object.hasOwn(d, k)) d[k] = a[1] ?? null;
    return d[k];
  },
};

/** The method `name` of a value, or undefined when Python's type has none. */
export function methodOf(target: unknown, name: string): ((args: unknown[], kw: Kwargs) => unknown) | undefined {
  let table: Record<string, Method> | undefined;
  if (typeof target === 'string') table = STR as Record<string, Method>;
  else if (Array.isArray(target)) table = LIST as Record<string, Method>;
  else if (isMapping(target)) table = DICT as Record<string, Method>;
  const m = table && Object.hasOwn(table, name) ? table[name] : undefined;
  if (!m) return undefined;
  return (args, kw) => m(target as never, args, kw);
}
