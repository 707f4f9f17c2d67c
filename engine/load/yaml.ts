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

/** How many nodes a document may hold once its aliases are expanded ("billion laughs" stop here). */
export const MAX_EXPANDED_NODES = 1_000_000;
/** How deep a document may nest; real playbooks stay far below, and deeper would overflow the stack. */
export const MAX_DEPTH = 400;

/** Where a quoted scalar that never closes was opened: the parser only notices at the end of the file. */
function openQuote(text: string, quote: '"' | "'"): { line: number; col: number } | undefined {
  let open: { line: number; col: number } | undefined;
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const l = lines[ln]!;
    for (let i = 0; i < l.length; i++) {
      const c = l[i]!;
      if (open) {
        if (quote === '"' && c === '\\') i++;
        else if (c === quote && quote === "'" && l[i + 1] === "'") i++;
        else if (c === quote) open = undefined;
      } else if (c === '#' && (i === 0 || /\s/.test(l[i - 1]!))) break;
      // A quoted scalar starts a value: at the line's start, or after '- ', ': ', '[', '{' or ','.
      else if (c === quote && /(^|[-:]\s|[[{,]\s*)\s*$/.test(l.slice(0, i))) open = { line: ln + 1, col: i + 1 };
    }
  }
  return open;
}

function syntaxProblems(doc: Document, lc: LineCounter, text: string, file: string) {
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) {
    const p = lc.linePos(exhausted.pos[0]);
    return [{ loc: { file, line: p.line, col: p.col }, message: `YAML nested too deeply to read (more than ${MAX_DEPTH} levels is not supported)` }];
  }
  return doc.errors.map((e) => {
    const unclosed = e.code === 'MISSING_CHAR' ? /Missing closing (["'])quote/.exec(e.message) : null;
    const opened = unclosed ? openQuote(text, unclosed[1] as '"' | "'") : undefined;
    const p = opened ?? lc.linePos(e.pos[0]);
    const message = opened ? `YAML syntax error: this ${unclosed![1]}quote is never closed` : `YAML syntax error: ${e.message.split('\n')[0]}`;
    return { loc: { file, line: p.line, col: p.col }, message };
  });
}

export function parseYaml(text: string, file: string): Yaml {
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, version: '1.1', customTags: pyyamlBools });
  if (doc.errors.length) throw new LoadError(syntaxProblems(doc, lc, text, file));
  checkExpansion(doc, file, lc);
  const at = (n: { range?: [number, number, number] | null } | null | undefined): Loc => {
    const p = lc.linePos(n?.range?.[0] ?? 0);
    return { file, line: p.line, col: p.col };
  };
  let depth = 0;
  const convert = (n: Node | null | undefined): Yaml => {
    if (n == null) return null;
    if (++depth > MAX_DEPTH) throw new LoadError([{ loc: at(n), message: `YAML nested more than ${MAX_DEPTH} levels deep` }]);
    try {
      return convertNode(n);
    } finally {
      depth--;
    }
  };
  const convertNode = (n: Node): Yaml => {
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
        // A merge key: YAML 1.1 reads `<<` as a symbol, not the string '<<'.
        const kv: unknown = isScalar(keyNode) ? keyNode.value : undefined;
        if (kv === '<<' || (typeof kv === 'symbol' && kv.description === '<<')) {
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

/**
 * Counts the nodes the document has once aliases are expanded, each anchor's size
 * computed once, so a few hundred bytes of nested aliases cannot expand to billions
 * of nodes in memory.
 */
function checkExpansion(doc: Document, file: string, lc: LineCounter): void {
  const sizes = new Map<Node, number>();
  const size = (n: Node | null | undefined, depth: number): number => {
    if (n == null || depth > MAX_DEPTH) return 1;
    const known = sizes.get(n);
    if (known !== undefined) return known;
    let s = 1;
    if (isAlias(n)) {
      const target = n.resolve(doc) as Node | undefined;
      s = target ? size(target, depth + 1) : 1;
    } else if (isSeq(n)) for (const i of n.items) s += size(i as Node, depth + 1);
    else if (isMap(n)) for (const pair of n.items) s += size(pair.key as Node, depth + 1) + size(pair.value as Node, depth + 1);
    // Reported at the first node (an alias, or the list or map holding it) whose expansion crosses the limit.
    if (s > MAX_EXPANDED_NODES) {
      const p = lc.linePos(n.range?.[0] ?? 0);
      throw new LoadError([
        {
          loc: { file, line: p.line, col: p.col },
          message: `YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes here (nested aliases, "billion laughs"); refusing to load`,
        },
      ]);
    }
    sizes.set(n, s);
    return s;
  };
  size(doc.contents as Node, 0);
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
