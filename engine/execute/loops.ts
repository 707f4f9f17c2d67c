import type { Task } from '../load/model.js';
import { TemplateError } from '../template/filters.js';
import { commaList } from '../template/lists.js';
import type { Scope } from '../template/scope.js';
import { render } from '../template/templar.js';

/** Turns loop / with_* into the list of items, with each with_* lookup's own shape. */
export function loopItems(kind: Task['loopKind'], raw: unknown, scope: Scope): unknown[] {
  const v = render(raw, scope);
  const asList = (x: unknown): unknown[] => {
    if (Array.isArray(x)) return x;
    if (x === null || x === undefined) return [];
    if (typeof x === 'string') return commaList(x);
    throw new TemplateError(`${kind} expects a list, got ${JSON.stringify(x)}`);
  };
  switch (kind) {
    case 'loop':
      if (!Array.isArray(v)) throw new TemplateError(`Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(v)}`);
      return v;
    case 'with_items':
      return asList(v).flatMap((x) => (Array.isArray(x) ? x : [x]));
    case 'with_list':
      return asList(v);
    case 'with_dict': {
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TemplateError(`with_dict expects a mapping, got ${JSON.stringify(v)}`);
      return Object.entries(v).map(([key, value]) => ({ key, value }));
    }
    case 'with_indexed_items':
      return asList(v).map((x, i) => [i, x]);
    case 'with_together': {
      const lists = asList(v).map(asList);
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i] ?? null));
    }
    case 'with_nested': {
      const lists = asList(v).map(asList);
      return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    }
    case 'with_sequence': {
      const spec = typeof v === 'string' ? v : '';
      const kv = Object.fromEntries(
        spec
          .split(/\s+/)
          .filter(Boolean)
          .map((p) => p.split('=') as [string, string]),
      );
      let start = Number(kv.start ?? 1);
      let end = Number(kv.end ?? kv.count ?? NaN);
      const stride = Number(kv.stride ?? 1);
      if (/^\d+-\d+$/.test(spec)) [start, end] = spec.split('-').map(Number) as [number, number];
      if (Number.isNaN(end)) throw new TemplateError(`with_sequence needs end= or count=, got '${spec}'`);
      if (kv.count) end = start + (Number(kv.count) - 1) * stride;
      const out: string[] = [];
      for (let i = start; stride > 0 ? i <= end : i >= end; i += stride)
        out.push(kv.format ? kv.format.replace(/%0?(\d*)d/, (_m, w: string) => String(i).padStart(Number(w || 0), '0')) : String(i));
      return out;
    }
    case 'with_fileglob':
      return asList(v);
    default:
      return asList(v);
  }
}
