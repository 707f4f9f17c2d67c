import { readFileSync } from 'node:fs';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Tags } from 'yaml';
import { LoadError, type Loc } from './errors.js';

export type Yaml = null | boolean | number | string | Yaml[] | { [k: string]: Yaml };
export type YamlMap = { [k: string]: Yaml };

/**
 * Positions are kept beside the plain values (not inside them) so loaded data
 * stays plain JSON for templating, while validation can still say file:line:col.
 */
const nodeLoc = new WeakMap<object, Loc>();
const keyLocs = new WeakMap<object, Map<string, Loc>>();

export function locOf(value: unknown, key?: string): Loc | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (key !== undefined) {
    const k = keyLocs.get(value)?.get(key);
    if (k) return k;
  }
  return nodeLoc.get(value);
}

/** Gives a derived object the location of its source, e.g. a task expanded from k=v text. */
export function copyLoc(from: object, to: object): void {
  const l = nodeLoc.get(from);
  if (l) nodeLoc.set(to, l);
  const k = keyLocs.get(from);
  if (k) keyLocs.set(to, k);
}

export function setLoc(to: object, loc: Loc | undefined): void {
  if (loc) nodeLoc.set(to, loc);
}

/**
 * YAML 1.1 as PyYAML reads it, which is what Ansible users write against:
 * yes/no/on/off are booleans, but a bare y or n stays a string.
 */
function pyyamlBools(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:bool' || !('test' in t) || !t.test) return t;
    const truthy = String(t.test).includes('[Yy]es');
    return { ...t, test: truthy ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/ };
  }) as Tags;
}

export function parseYaml(text: string, file: string): Yaml {
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, version: '1.1', customTags: pyyamlBools });
  if (doc.errors.length) {
    throw new LoadError(
      doc.errors.map((e) => {
        const p = lc.linePos(e.pos[0]);
        return { loc: { file, line: p.line, col: p.col }, message: `YAML syntax error: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const at = (n: { range?: [number, number, number] | null } | null | undefined): Loc => {
    const p = lc.linePos(n?.range?.[0] ?? 0);
    return { file, line: p.line, col: p.col };
  };
  const convert = (n: Node | null | undefined): Yaml => {
    if (n == null) return null;
    if (isAlias(n)) return convert(n.resolve(doc) as Node);
    if (isScalar(n)) {
      const v = n.value;
      if (v === null || v === undefined) return null;
      if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
      if (typeof v === 'bigint') return Number(v);
      return String(v);
    }
    if (isSeq(n)) {
      const out: Yaml[] = n.items.map((i) => convert(i as Node));
      nodeLoc.set(out, at(n));
      // Items by index, so a scalar entry (a role name) can be pointed at too.
      keyLocs.set(out, new Map(n.items.map((i, idx) => [String(idx), at(i as Node)])));
      return out;
    }
    if (isMap(n)) {
      const out: YamlMap = {};
      const keys = new Map<string, Loc>();
      for (const pair of n.items) {
        const keyNode = pair.key as Node;
        if (isScalar(keyNode) && keyNode.value === '<<') {
          const merged = convert(pair.value as Node);
          for (const m of Array.isArray(merged) ? merged : [merged]) {
            if (m && typeof m === 'object' && !Array.isArray(m)) for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
          }
          continue;
        }
        const k = isScalar(keyNode) ? String(keyNode.value) : String(convert(keyNode));
        out[k] = convert(pair.value as Node);
        keys.set(k, at(keyNode));
      }
      nodeLoc.set(out, at(n));
      keyLocs.set(out, keys);
      return out;
    }
    return null;
  };
  return convert(doc.contents as Node);
}

export function loadYamlFile(file: string): Yaml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LoadError([{ loc: { file, line: 0, col: 0 }, message: `cannot read file: ${(e as Error).message}` }]);
  }
  return parseYaml(text, file);
}

export function isMapping(v: unknown): v is YamlMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
