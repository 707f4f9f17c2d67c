/**
 * Splits `a=1 b='x y'` respecting quotes, as shlex does for Ansible's k=v text, and,
 * as Ansible's split_args does, keeping a `{{ ... }}`, `{% ... %}` or `{# ... #}`
 * whole: `name={{ item }} state=directory` is two arguments.
 */
export function splitKv(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  /** The closing brace pairs still open: '}}', '%}' or '#}'. */
  const open: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const two = text.slice(i, i + 2);
    if (!quote && (two === '{{' || two === '{%' || two === '{#')) {
      open.push(two === '{{' ? '}}' : two === '{%' ? '%}' : '#}');
      cur += two;
      any = true;
      i++;
    } else if (!quote && open.length && two === open.at(-1)) {
      open.pop();
      cur += two;
      i++;
    } else if (open.length) cur += ch;
    else if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (any || cur) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (any || cur) out.push(cur);
  return out;
}

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
