import { toBool } from '../template/filters.js';
import { commaList } from '../template/lists.js';
import { hasTemplate } from '../template/templar.js';
import type { ArgDef, ArgSpec, ArgType, Module } from './types.js';

function typeName(t: ArgType, def: ArgDef): string {
  const base = {
    str: 'a string',
    path: 'a path',
    bool: 'a boolean',
    int: 'an integer',
    float: 'a number',
    list: 'a list',
    dict: 'a mapping',
    raw: 'any value',
    mode: "a mode such as '0644' or 'u+x'",
  }[t];
  return def.choices ? `one of ${def.choices.join(', ')}` : base;
}

function coerce(value: unknown, def: ArgDef, t: ArgType = def.type): { ok: true; value: unknown } | { ok: false } {
  switch (t) {
    case 'raw':
      return { ok: true, value };
    case 'str':
    case 'path':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false };
    case 'mode':
      // YAML 1.1 reads 0644 as the octal number 420; Ansible treats it as a mode.
      if (typeof value === 'number') return { ok: true, value: value.toString(8).padStart(4, '0') };
      if (typeof value === 'string' && /^(0?[0-7]{3,4}|[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*)$/.test(value)) return { ok: true, value };
      return { ok: false };
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'string' && /^(yes|no|true|false|on|off|1|0|y|n)$/i.test(value)) return { ok: true, value: toBool(value) };
      if (value === 0 || value === 1) return { ok: true, value: value === 1 };
      return { ok: false };
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return { ok: true, value: Number(value) };
      return { ok: false };
    case 'float':
      if (typeof value === 'number') return { ok: true, value };
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return { ok: true, value: Number(value) };
      return { ok: false };
    case 'list': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? commaList(value) : [value];
      if (!def.elements) return { ok: true, value: list };
      const out: unknown[] = [];
      for (const v of list) {
        const c = coerce(v, def, def.elements);
        if (!c.ok) return c;
        out.push(c.value);
      }
      return { ok: true, value: out };
    }
    case 'dict':
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ok: true, value };
      return { ok: false };
  }
}

function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return hasTemplate(v);
  if (Array.isArray(v)) return v.some(containsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(containsTemplate);
  return false;
}

export interface ArgCheck {
  args: Record<string, unknown>;
  errors: { key: string; message: string }[];
}

/**
 * Checks arguments against a module's schema. With `literalOnly`, values that are
 * still templates are let through: the loader calls it before variables exist,
 * the executor again after rendering.
 */
export function checkArgs(mod: Module, input: Record<string, unknown>, literalOnly: boolean): ArgCheck {
  const spec: ArgSpec = mod.args;
  const errors: ArgCheck['errors'] = [];
  const out: Record<string, unknown> = {};
  const byName = new Map<string, string>();
  for (const [name, def] of Object.entries(spec)) {
    byName.set(name, name);
    for (const a of def.aliases ?? []) byName.set(a, name);
  }
  for (const [key, value] of Object.entries(input)) {
    const canonical = byName.get(key);
    if (!canonical) {
      if (key === '_raw_params' && !mod.freeForm)
        errors.push({ key: mod.name, message: `'${mod.name}' takes no free-form text; expected arguments as key: value (${Object.keys(spec).join(', ')})` });
      else if (key !== '_raw_params' && mod.extraArgs) out[key] = value;
      else if (key !== '_raw_params')
        errors.push({ key, message: `unsupported argument for module '${mod.name}'; expected one of: ${Object.keys(spec).sort().join(', ')}` });
      else out[key] = value;
      continue;
    }
    const def = spec[canonical]!;
    if (value === null || value === undefined) continue;
    if (literalOnly && containsTemplate(value)) {
      out[canonical] = value;
      continue;
    }
    const c = coerce(value, def);
    if (!c.ok) {
      errors.push({
        key,
        message: `expected ${typeName(def.type, def)}${def.type === 'list' && def.elements ? ` of ${typeName(def.elements, def)}` : ''}, got ${JSON.stringify(value)}`,
      });
      continue;
    }
    if (def.choices && !def.choices.includes(c.value as string)) {
      errors.push({ key, message: `expected one of ${def.choices.join(', ')}, got ${JSON.stringify(value)}` });
      continue;
    }
    out[canonical] = c.value;
  }
  for (const [name, def] of Object.entries(spec)) {
    if (out[name] === undefined && def.default !== undefined) out[name] = def.default;
    if (def.required && out[name] === undefined) errors.push({ key: name, message: `missing required argument '${name}' (${typeName(def.type, def)})` });
  }
  if (!errors.length && mod.preflight && (!literalOnly || !containsTemplate(out))) {
    for (const m of mod.preflight(out)) errors.push({ key: mod.name, message: m });
  }
  return { args: out, errors };
}
