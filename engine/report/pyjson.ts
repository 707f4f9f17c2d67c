/**
 * JSON as Python's json.dumps(sort_keys=True) prints it, and Python reprs for
 * loop labels, so tsplay's lines read like ansible-playbook's.
 */
export function pyJson(v: unknown, indent?: number, level = 0): string {
  const pad = indent ? `\n${' '.repeat(indent * (level + 1))}` : '';
  const end = indent ? `\n${' '.repeat(indent * level)}` : '';
  const sep = indent ? ',' : ', ';
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => c);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[${pad}${v.map((x) => pyJson(x, indent, level + 1)).join(sep + pad)}${end}]`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    if (!keys.length) return '{}';
    return `{${pad}${keys.map((k) => `${JSON.stringify(k)}: ${pyJson((v as Record<string, unknown>)[k], indent, level + 1)}`).join(sep + pad)}${end}}`;
  }
  return JSON.stringify(String(v));
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as object)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** A loop label as Ansible prints it: strings bare, everything else as a Python repr. */
export function label(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}
