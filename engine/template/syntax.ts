// Jinja2 template syntax: the lexer (with trim_blocks, lstrip_blocks and the
// {%- -%} whitespace controls) and the pairing of block tags into a tree.
import type { Expr } from './expr.js';
import { parse } from './jinja-parser.js';
import { TemplateError } from './undefined.js';

export type Target = string | string[];
export interface FilterCall {
  name: string;
  args: Expr[];
}
export interface Param {
  name: string;
  default: Expr | null;
}
export type Stmt =
  | { s: 'if' | 'elif'; e: Expr }
  | { s: 'else' | 'endif' | 'endfor' | 'endset' | 'endmacro' | 'endcall' | 'endfilter' | 'endwith' | 'break' | 'continue' }
  | { s: 'for'; target: Target; iter: Expr; cond: Expr | null; recursive: boolean }
  | { s: 'set'; target: Target | { ns: string; attr: string }; e: Expr }
  | { s: 'setblock'; name: string; filters: FilterCall[] }
  | { s: 'macro'; name: string; params: Param[] }
  | { s: 'call'; params: Param[]; e: Expr }
  | { s: 'filter'; filters: FilterCall[] }
  | { s: 'with'; assigns: [string, Expr][] }
  | { s: 'include'; e: Expr; ignoreMissing: boolean }
  | { s: 'do'; e: Expr };

export type Node =
  | { k: 'text'; v: string }
  | { k: 'out'; e: Expr; line: number }
  | { k: 'if'; branches: { cond: Expr; body: Node[] }[]; else: Node[] }
  | { k: 'for'; target: Target; iter: Expr; cond: Expr | null; recursive: boolean; body: Node[]; else: Node[] }
  | { k: 'set'; target: Target | { ns: string; attr: string }; e: Expr }
  | { k: 'setblock'; name: string; filters: FilterCall[]; body: Node[] }
  | { k: 'macro'; name: string; params: Param[]; body: Node[] }
  | { k: 'call'; params: Param[]; e: Expr; body: Node[] }
  | { k: 'filter'; filters: FilterCall[]; body: Node[] }
  | { k: 'with'; assigns: [string, Expr][]; body: Node[] }
  | { k: 'include'; e: Expr; ignoreMissing: boolean }
  | { k: 'break' | 'continue' }
  | { k: 'do'; e: Expr };

export interface TemplateOptions {
  /** Drop the first newline after a block tag (Ansible: on). */
  trimBlocks?: boolean;
  /** Python's escapes in string literals ('\\n', '\\1'): on in .j2 files, off in YAML values (Ansible's escape_backslashes). */
  pyEscapes?: boolean;
  /** Strip spaces before a block tag at the start of a line (Ansible: off). */
  lstripBlocks?: boolean;
}

// ---------------------------------------------------------------- templates

interface Tok {
  k: 'text' | 'out' | 'stmt';
  v: string;
  line: number;
}

/** The index just past the closing `close` of a tag opened before `from`, skipping quoted text and nested braces. */
function tagEnd(src: string, from: number, close: '}}' | '%}'): number {
  let quote = '';
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (close === '}}' && c === '{') depth++;
    else if (c === close[0] && src[i + 1] === '}' && (close === '%}' || depth === 0)) return i;
    else if (close === '}}' && c === '}' && depth > 0) depth--;
  }
  return -1;
}

function lineAt(src: string, i: number): number {
  let n = 1;
  for (let j = src.indexOf('\n'); j >= 0 && j < i; j = src.indexOf('\n', j + 1)) n++;
  return n;
}

const RAW_END = /\{%(-?)\s*endraw\s*(-?)%\}/g;

export function lex(src: string, o: TemplateOptions): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let stripNext = false;
  const pushText = (t: string) => {
    if (stripNext) t = t.replace(/^\s+/, '');
    stripNext = false;
    if (t) toks.push({ k: 'text', v: t, line: 0 });
  };
  const afterBlock = (at: number, trim: boolean, strip: boolean): number => {
    stripNext = strip;
    if (trim && o.trimBlocks && !strip) {
      if (src[at] === '\n') return at + 1;
      if (src[at] === '\r' && src[at + 1] === '\n') return at + 2;
    }
    return at;
  };
  while (i < src.length) {
    let p = src.indexOf('{', i);
    while (p >= 0 && !'{%#'.includes(src[p + 1] ?? '')) p = src.indexOf('{', p + 1);
    if (p < 0) {
      pushText(src.slice(i));
      break;
    }
    const kind = src[p + 1]!;
    const mod = src[p + 2];
    let text = src.slice(i, p);
    if (mod === '-') text = text.replace(/\s+$/, '');
    else if (o.lstripBlocks && kind !== '{' && mod !== '+') text = text.replace(/(^|\n)[ \t]+$/, '$1');
    pushText(text);
    const start = p + 2 + (mod === '-' || mod === '+' ? 1 : 0);
    const line = lineAt(src, p);
    if (kind === '#') {
      const e = src.indexOf('#}', start);
      if (e < 0) throw new TemplateError(`template error: missing end of comment tag (line ${line})`);
      i = afterBlock(e + 2, src[e - 1] !== '+', src[e - 1] === '-');
      continue;
    }
    const close = kind === '{' ? '}}' : '%}';
    const e = tagEnd(src, start, close);
    if (e < 0) throw new TemplateError(`template error: unexpected end of template, expected '${close}' (line ${line})`);
    let inner = src.slice(start, e);
    const endMod = inner.at(-1);
    if (endMod === '-' || endMod === '+') inner = inner.slice(0, -1);
    if (kind === '{') {
      toks.push({ k: 'out', v: inner, line });
      stripNext = endMod === '-';
      i = e + 2;
      continue;
    }
    if (inner.trim() === 'raw') {
      RAW_END.lastIndex = e + 2;
      const m = RAW_END.exec(src);
      if (!m) throw new TemplateError(`template error: missing endraw (line ${line})`);
      stripNext = endMod === '-';
      let body = src.slice(afterBlock(e + 2, endMod !== '+', endMod === '-'), m.index);
      if (stripNext) body = body.replace(/^\s+/, '');
      if (m[1] === '-') body = body.replace(/\s+$/, '');
      stripNext = false;
      if (body) toks.push({ k: 'text', v: body, line });
      i = afterBlock(m.index + m[0].length, m[2] !== '+', m[2] === '-');
      continue;
    }
    toks.push({ k: 'stmt', v: inner, line });
    i = afterBlock(e + 2, endMod !== '+', endMod === '-');
  }
  return toks;
}

const ENDS: Record<string, string> = {
  if: 'endif',
  for: 'endfor',
  setblock: 'endset',
  macro: 'endmacro',
  call: 'endcall',
  filter: 'endfilter',
  with: 'endwith',
};

export function build(toks: Tok[], text: string, pyEscapes = false): Node[] {
  const raw = !pyEscapes;
  let pos = 0;
  const fail = (msg: string, line: number) =>
    new TemplateError(`template error while templating '${text.length > 120 ? `${text.slice(0, 117)}...` : text}': ${msg} (line ${line})`);
  const stmtOf = (t: Tok): Stmt => {
    try {
      return parse(t.v, { startRule: 'Statement', raw }) as Stmt;
    } catch (e) {
      const word = /^\s*(\w+)/.exec(t.v)?.[1] ?? '';
      throw fail(`${word ? `bad or unknown tag '${word}'` : 'empty tag'}: ${(e as Error).message}`, t.line);
    }
  };
  /** Parses nodes until one of `stops` (a block's middle or end tag), which it returns. */
  const block = (stops: string[]): { body: Node[]; stop?: Stmt; line: number } => {
    const body: Node[] = [];
    while (pos < toks.length) {
      const t = toks[pos++]!;
      if (t.k === 'text') body.push({ k: 'text', v: t.v });
      else if (t.k === 'out') {
        let e: Expr;
        try {
          e = parse(t.v, { startRule: 'Start', raw }) as Expr;
        } catch (err) {
          throw fail(`cannot parse '{{${t.v}}}': ${(err as Error).message}`, t.line);
        }
        body.push({ k: 'out', e, line: t.line });
      } else {
        const s = stmtOf(t);
        if (stops.includes(s.s)) return { body, stop: s, line: t.line };
        body.push(open(s, t.line));
      }
    }
    if (stops.length) throw fail(`unexpected end of template, expected '${stops.at(-1)}'`, toks.at(-1)?.line ?? 1);
    return { body, line: 0 };
  };
  const open = (s: Stmt, line: number): Node => {
    switch (s.s) {
      case 'if': {
        const branches = [{ cond: s.e, body: [] as Node[] }];
        let elseBody: Node[] = [];
        for (;;) {
          const r = block(['elif', 'else', 'endif']);
          if (r.stop?.s === 'elif') {
            branches.at(-1)!.body = r.body;
            branches.push({ cond: (r.stop as { e: Expr }).e, body: [] });
          } else if (r.stop?.s === 'else') {
            branches.at(-1)!.body = r.body;
            elseBody = block(['endif']).body;
            break;
          } else {
            branches.at(-1)!.body = r.body;
            break;
          }
        }
        return { k: 'if', branches, else: elseBody };
      }
      case 'for': {
        const r = block(['else', 'endfor']);
        const elseBody = r.stop?.s === 'else' ? block(['endfor']).body : [];
        return { k: 'for', target: s.target, iter: s.iter, cond: s.cond, recursive: s.recursive, body: r.body, else: elseBody };
      }
      case 'set':
        return { k: 'set', target: s.target, e: s.e };
      case 'setblock':
        return { k: 'setblock', name: s.name, filters: s.filters, body: block(['endset']).body };
      case 'macro':
        return { k: 'macro', name: s.name, params: s.params, body: block(['endmacro']).body };
      case 'call':
        return { k: 'call', params: s.params, e: s.e, body: block(['endcall']).body };
      case 'filter':
        return { k: 'filter', filters: s.filters, body: block(['endfilter']).body };
      case 'with':
        return { k: 'with', assigns: s.assigns, body: block(['endwith']).body };
      case 'include':
        return { k: 'include', e: s.e, ignoreMissing: s.ignoreMissing };
      case 'break':
      case 'continue':
        return { k: s.s };
      case 'do':
        return { k: 'do', e: s.e };
      default:
        throw fail(`unexpected '${s.s}'${ENDS[s.s] ? '' : ' outside of its block'}`, line);
    }
  };
  return block([]).body;
}
