export function lines(s: string): string[] {
  if (!s) return [];
  return s.replace(/\n$/, '').split('\n');
}

export function toLines(text: string): string[] {
  if (!text) return [];
  const l = text.split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
}

export function fromLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function shlexSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === q) q = null;
      else if (ch === '\\' && q === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
