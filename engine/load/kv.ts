import { splitKv } from './inventory.js';

/** Parses `a=1 b="x y"` into a map; with `keep`, only those keys are taken and the rest stays free-form text. */
export function parseKvText(text: string, keep?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const free: string[] = [];
  for (const part of splitKv(text)) {
    const m = /^([A-Za-z_][\w]*)=(.*)$/s.exec(part);
    if (m && (!keep || keep.has(m[1]!))) {
      let v = m[2]!;
      if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
      out[m[1]!] = v;
    } else free.push(part);
  }
  if (free.length) out._raw_params = free.join(' ');
  return out;
}
