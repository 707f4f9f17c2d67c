// to_json and to_yaml as Python writes them (json.dumps, PyYAML's dump), so a
// rendered config file is byte-for-byte what Ansible renders.
import { isMapping, pyStr } from './python.js';
import { TemplateError } from './undefined.js';

export interface JsonOptions {
  indent?: number;
  sortKeys?: boolean;
  /** Python's default (', ', ': '); to_nice_json uses (',', ': '). */
  itemSep?: string;
  ensureAscii?: boolean;
}

function jsonString(s: string, ascii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ascii && c > 0x7e)) {
      if (c > 0xffff) {
        const v = c - 0x10000;
        out += `\\u${(0xd800 + (v >> 10)).toString(16).padStart(4, '0')}\\u${(0xdc00 + (v & 0x3ff)).toString(16).padStart(4, '0')}`;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** Python's json.dumps. */
export function pyJson(v: unknown, o: JsonOptions = {}, level = 0): string {
  const ascii = o.ensureAscii ?? true;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return jsonString(v, ascii);
  const pad = o.indent !== undefined ? `\n${' '.repeat(o.indent * (level + 1))}` : '';
  const end = o.indent !== undefined ? `\n${' '.repeat(o.indent * level)}` : '';
  const join = o.indent !== undefined ? `${o.itemSep ?? ','}${pad}` : (o.itemSep ?? ', ');
  if (Array.isArray(v)) return v.length ? `[${pad}${v.map((x) => pyJson(x, o, level + 1)).join(join)}${end}]` : '[]';
  if (isMapping(v)) {
    let keys = Object.keys(v);
    if (!keys.length) return '{}';
    if (o.sortKeys) keys = keys.sort();
    return `{${pad}${keys.map((k) => `${jsonString(k, ascii)}: ${pyJson(v[k], o, level + 1)}`).join(join)}${end}}`;
  }
  if (typeof v === 'function') throw new TemplateError('Object of type function is not JSON serializable');
  return jsonString(pyStr(v), ascii);
}

// ---------------------------------------------------------------- YAML (PyYAML's emitter, for the values config files hold)

const PLAIN_UNSAFE = /^(?:[-?:,[\]{}#&*!|>'"%@`\s]|$)|[\s]$|: |\s#|[\n\t]/;
const RESOLVES =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|=|[-+]?(?:\d[\d_]*)(?:\.[\d_]*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0b[01_]+|0x[\da-fA-F_]+|0o?[0-7_]+|[-+]?[1-9][\d_]*(?::[0-5]?\d)+(?:\.\d*)?|\d{4}-\d\d?-\d\d?(?:[Tt]|\s+)?.*|<<)$/;

function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  const s = String(v);
  if (s === '') return "''";
  // Control characters and line breaks need PyYAML's double-quoted style.
  if ([...s].some((ch) => ch < ' ' || ch === '\x7f')) return jsonString(s, false);
  if (PLAIN_UNSAFE.test(s) || RESOLVES.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return s;
}

function isScalar(v: unknown): boolean {
  return !(Array.isArray(v) && v.length) && !(isMapping(v) && Object.keys(v).length);
}

function flowYaml(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowYaml).join(', ')}]`;
  if (isMapping(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${yamlScalar(k)}: ${flowYaml(v[k])}`)
      .join(', ')}}`;
  return yamlScalar(v);
}

/**
 * PyYAML's yaml.dump with sort_keys on: `flow` null is to_yaml (collections of
 * scalars in flow style), false is to_nice_yaml (block style throughout).
 */
export function pyYaml(v: unknown, indent = 2, flow: boolean | null = null): string {
  const leafFlow = (x: unknown) => flow === null && (Array.isArray(x) || isMapping(x)) && (Array.isArray(x) ? x : Object.values(x as object)).every(isScalar);
  const lines: string[] = [];
  const emit = (x: unknown, pad: string, key: string | null, inMap: boolean) => {
    const empty = Array.isArray(x) ? !x.length : isMapping(x) ? !Object.keys(x).length : true;
    if (empty || leafFlow(x)) {
      lines.push(`${pad}${key ?? ''}${flowYaml(x)}`);
      return;
    }
    if (key !== null) lines.push(`${pad}${key.trimEnd()}`);
    const inner = key !== null ? pad + (Array.isArray(x) ? '' : ' '.repeat(indent)) : pad;
    if (Array.isArray(x)) {
      x.forEach((item) => {
        // PyYAML writes a sequence inside a mapping indentless, with one space after the dash.
        const dash = inMap ? '- ' : `-${' '.repeat(Math.max(1, indent - 1))}`;
        if (!isScalar(item) && !leafFlow(item)) {
          const sub: string[] = [];
          const saved = lines.length;
          emit(item, '', null, false);
          sub.push(...lines.splice(saved));
          for (const [i, l] of sub.entries()) lines.push(i === 0 ? `${inner}${dash}${l}` : `${inner}${' '.repeat(dash.length)}${l}`);
        } else lines.push(`${inner}${dash}${flowYaml(item)}`);
      });
      return;
    }
    for (const k of Object.keys(x as object).sort()) emit((x as Record<string, unknown>)[k], inner, `${yamlScalar(k)}: `, true);
  };
  if (!Array.isArray(v) && !isMapping(v)) return `${yamlScalar(v)}\n...\n`;
  emit(v, '', null, false);
  return `${lines.join('\n')}\n`;
}
