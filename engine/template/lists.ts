/**
 * The three ways a value becomes a list, each Ansible's own rule for where it is
 * used; every place that needs one of them uses the one here.
 */

/** Python's list(): a list as is, a string's characters, a mapping's keys (Jinja's list, first, join...). */
export function pythonList(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v && typeof v === 'object') return Object.keys(v);
  return undefined;
}

/** A keyword that takes one value or several (when, tags, notify, listen): a scalar is a list of one. */
export function oneOrMany(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * A module argument of type list, and the terms of with_items and friends: a
 * string is comma-separated ("a, b" is [a, b]); empty entries are dropped.
 */
export function commaList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
