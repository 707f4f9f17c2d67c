// Jinja2's and Ansible's filters over lists and dicts.
import { applyFilter, FILTERS, type Filter, runTest } from './expr.js';
import { arg, asList, attrOf } from './filters.js';
import { defined, isMapping, pyCmp, pyEq, pyRepr, pyStr, toText, truthy, typeName } from './python.js';
import { TemplateError, Undefined } from './undefined.js';

function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return typeof v === 'string' && !caseSensitive ? v.toLowerCase() : v;
}
function combineTwo(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean, listMerge: string): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (recursive && isMapping(cur) && isMapping(v)) out[k] = combineTwo(cur, v, recursive, listMerge);
    else if (Array.isArray(cur) && Array.isArray(v) && listMerge !== 'replace') {
      if (listMerge === 'keep') out[k] = cur;
      else if (listMerge === 'append') out[k] = [...cur, ...v];
      else if (listMerge === 'prepend') out[k] = [...v, ...cur];
      else if (listMerge === 'append_rp') out[k] = [...cur.filter((x) => !v.some((y) => pyEq(x, y))), ...v];
      else if (listMerge === 'prepend_rp') out[k] = [...v, ...cur.filter((x) => !v.some((y) => pyEq(x, y)))];
      else throw new TemplateError(`combine: list_merge must be one of replace, keep, append, prepend, append_rp, prepend_rp, got '${listMerge}'`);
    } else out[k] = v;
  }
  return out;
}
function flatten(list: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of list) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === null || levels > 0)) out.push(...flatten(x, levels === null ? null : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}
function testArgs(args: unknown[], from: number): unknown[] {
  return args.slice(from);
}
const defs: Record<string, Filter> = {
  list: (v) => {
    v = defined(v);
    if (typeof v === 'string') return [...v];
    if (isMapping(v)) return Object.keys(v);
    return asList(v);
  },
  unique: (v, a, kw) => {
    const cs = truthy(arg(a, kw, 0, 'case_sensitive', false));
    const attr = arg<unknown>(a, kw, 1, 'attribute', null);
    const seen: unknown[] = [];
    return asList(v).filter((x) => {
      const k = sortKey(attr === null ? x : attrOf(x, attr), cs);
      if (seen.some((y) => pyEq(y, k))) return false;
      seen.push(k);
      return true;
    });
  },
  sort: (v, a, kw) => {
    const reverse = truthy(arg(a, kw, 0, 'reverse', false));
    const cs = truthy(arg(a, kw, 1, 'case_sensitive', false));
    const attr = arg<unknown>(a, kw, 2, 'attribute', null);
    const key = (x: unknown) => sortKey(attr === null ? x : defined(attrOf(x, attr)), cs);
    const out = [...asList(v)].sort((x, y) => pyCmp(key(x), key(y), '<'));
    return reverse ? out.reverse() : out;
  },
  dictsort: (v, a, kw) => {
    const byValue = String(arg(a, kw, 1, 'by', 'key')) === 'value';
    const out = Object.entries(defined(v) as object).sort((x, y) => pyCmp(sortKey(byValue ? x[1] : x[0], false), sortKey(byValue ? y[1] : y[0], false), '<'));
    return truthy(arg(a, kw, 2, 'reverse', false)) ? out.reverse() : out;
  },
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...asList(v)].reverse()),
  min: (v, _a, kw) => {
    const attr = kw.attribute;
    const l = asList(v);
    return l.length
      ? l.reduce((x, y) => (pyCmp(attr ? attrOf(y, attr) : y, attr ? attrOf(x, attr) : x, '<') < 0 ? y : x))
      : new Undefined('min', 'No aggregated item, sequence was empty.');
  },
  max: (v, _a, kw) => {
    const attr = kw.attribute;
    const l = asList(v);
    return l.length
      ? l.reduce((x, y) => (pyCmp(attr ? attrOf(y, attr) : y, attr ? attrOf(x, attr) : x, '>') > 0 ? y : x))
      : new Undefined('max', 'No aggregated item, sequence was empty.');
  },
  sum: (v, a, kw) => {
    const attr = arg<unknown>(a, kw, 0, 'attribute', null);
    return asList(v).reduce(
      (acc: unknown, x) => {
        const y = attr === null ? x : attrOf(x, attr);
        if (Array.isArray(acc) && Array.isArray(y)) return acc.concat(y);
        return Number(acc) + Number(defined(y));
      },
      arg(a, kw, 1, 'start', 0),
    );
  },
  abs: (v) => Math.abs(Number(defined(v))),
  round: (v, a, kw) => {
    const p = Number(arg(a, kw, 0, 'precision', 0));
    const method = String(arg(a, kw, 1, 'method', 'common'));
    const f = 10 ** p;
    const x = Number(defined(v)) * f;
    return (method === 'ceil' ? Math.ceil(x) : method === 'floor' ? Math.floor(x) : Math.sign(x) * Math.round(Math.abs(x))) / f;
  },
  flatten: (v, a, kw) => flatten(asList(v), arg<number | null>(a, kw, 0, 'levels', null), truthy(arg(a, kw, 1, 'skip_nulls', true))),
  union: (v, a) => {
    const out: unknown[] = [];
    for (const x of [...asList(v), ...asList(a[0])]) if (!out.some((y) => pyEq(x, y))) out.push(x);
    return out;
  },
  difference: (v, a) => asList(v).filter((x, i, all) => !asList(a[0]).some((y) => pyEq(x, y)) && all.findIndex((y) => pyEq(x, y)) === i),
  intersect: (v, a) => asList(v).filter((x, i, all) => asList(a[0]).some((y) => pyEq(x, y)) && all.findIndex((y) => pyEq(x, y)) === i),
  symmetric_difference: (v, a) => {
    const x = asList(v);
    const y = asList(a[0]);
    return [...x.filter((i) => !y.some((j) => pyEq(i, j))), ...y.filter((i) => !x.some((j) => pyEq(i, j)))];
  },
  zip: (v, a) => {
    const lists = [asList(v), ...a.map(asList)];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
  },
  zip_longest: (v, a, kw) => {
    const lists = [asList(v), ...a.map(asList)];
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : (kw.fillvalue ?? null))));
  },
  product: (v, a) => [asList(v), ...a.map(asList)].reduce<unknown[][]>((acc, l) => acc.flatMap((x) => l.map((y) => [...x, y])), [[]]),
  combine: (v, a, kw) => {
    const dicts = [v, ...a]
      .flatMap((d) => (Array.isArray(d) ? d : [d]))
      .map((d) => {
        d = defined(d);
        if (!isMapping(d)) throw new TemplateError(`failed to combine variables, expected dicts but got a '${typeName(d)}'`);
        return d;
      });
    return dicts.reduce((acc, d) => combineTwo(acc, d, truthy(kw.recursive ?? false), String(kw.list_merge ?? 'replace')), {});
  },
  dict2items: (v, a, kw) => {
    v = defined(v);
    if (!isMapping(v)) throw new TemplateError(`dict2items requires a dictionary, got ${typeName(v)} instead.`);
    const kn = String(arg(a, kw, 0, 'key_name', 'key'));
    const vn = String(arg(a, kw, 1, 'value_name', 'value'));
    return Object.entries(v).map(([key, value]) => ({ [kn]: key, [vn]: value }));
  },
  items2dict: (v, a, kw) => {
    const kn = String(arg(a, kw, 0, 'key_name', 'key'));
    const vn = String(arg(a, kw, 1, 'value_name', 'value'));
    return Object.fromEntries(asList(v).map((i) => [pyStr((i as Record<string, unknown>)[kn]), (i as Record<string, unknown>)[vn]]));
  },
  dict: (v) => Object.fromEntries(asList(v).map((p) => [pyStr((p as unknown[])[0]), (p as unknown[])[1]])),
  items: (v) => Object.entries(defined(v) as object),
  subelements: (v, a, kw) => {
    const key = toText(a[0]);
    const skip = truthy(arg(a, kw, 1, 'skip_missing', false));
    return asList(v).flatMap((item) => {
      const sub = attrOf(item, key);
      if (sub instanceof Undefined) {
        if (skip) return [];
        throw new TemplateError(`could not find '${key}' key in iterated item ${pyRepr(item)}`);
      }
      return asList(sub).map((s) => [item, s]);
    });
  },
  map: (v, a, kw) => {
    const items = asList(v);
    if (Object.hasOwn(kw, 'attribute')) {
      return items.map((i) => {
        const x = attrOf(i, kw.attribute);
        return x instanceof Undefined && Object.hasOwn(kw, 'default') ? kw.default : x;
      });
    }
    const [name, ...rest] = a;
    if (name === undefined) return items;
    return items.map((i) => applyFilter(toText(name), i, rest, kw));
  },
  selectattr: (v, a) => asList(v).filter((i) => (a.length > 1 ? runTest(toText(a[1]), attrOf(i, a[0]), testArgs(a, 2)) : truthy(attrOf(i, a[0])))),
  rejectattr: (v, a) => asList(v).filter((i) => !(a.length > 1 ? runTest(toText(a[1]), attrOf(i, a[0]), testArgs(a, 2)) : truthy(attrOf(i, a[0])))),
  select: (v, a) => asList(v).filter((i) => (a.length ? runTest(toText(a[0]), i, testArgs(a, 1)) : truthy(i))),
  reject: (v, a) => asList(v).filter((i) => !(a.length ? runTest(toText(a[0]), i, testArgs(a, 1)) : truthy(i))),
  groupby: (v, a, kw) => {
    const groups: [unknown, unknown[]][] = [];
    for (const i of asList(v)) {
      const k = attrOf(i, arg(a, kw, 0, 'attribute', ''));
      const g = groups.find(([x]) => pyEq(x, k));
      if (g) g[1].push(i);
      else groups.push([k, [i]]);
    }
    return groups.sort((x, y) => pyCmp(x[0], y[0], '<'));
  },
  batch: (v, a, kw) => {
    const n = Number(a[0]);
    const l = asList(v);
    const out: unknown[][] = [];
    for (let i = 0; i < l.length; i += n) out.push(l.slice(i, i + n));
    const fill = arg<unknown>(a, kw, 1, 'fill_with', undefined);
    if (fill !== undefined && out.length) while (out.at(-1)!.length < n) out.at(-1)!.push(fill);
    return out;
  },
  slice: (v, a) => {
    const l = asList(v);
    const n = Number(a[0]);
    const per = Math.floor(l.length / n);
    const extra = l.length % n;
    const out: unknown[][] = [];
    let off = 0;
    for (let i = 0; i < n; i++) {
      const size = per + (i < extra ? 1 : 0);
      out.push(l.slice(off, off + size));
      off += size;
    }
    return out;
  },
  attr: (v, a) => attrOf(defined(v), a[0]),
  extract: (v, a) => {
    let x = attrOf(defined(a[0]), pyStr(defined(v)));
    for (const k of a.slice(1).flatMap((m) => (Array.isArray(m) ? m : [m]))) x = x instanceof Undefined ? x : attrOf(x, k);
    return x;
  },
};
Object.assign(FILTERS, defs);
