/**
 * Python regular expressions, as roles write them, in JavaScript: one translation
 * for templates (regex_replace, is match) and modules (lineinfile, replace), so a
 * pattern means the same in both.
 */
export function pyRe(pattern: string, flags = ''): RegExp {
  const js = pattern
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    // \A and \Z are the ends of the whole string even under MULTILINE, where ^ and $ are not.
    .replace(/\\A/g, '(?<![\\s\\S])')
    .replace(/\\Z/g, '(?![\\s\\S])');
  return new RegExp(js, flags);
}

/** Python's replacement syntax (\1, \g<1>, \g<name>) in JavaScript's ($1, $<name>); a literal $ stays literal. */
export function pyReplacement(rep: string): string {
  return rep
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<(\w+)>/g, '$$<$1>')
    .replace(/\\(\d)/g, '$$$1');
}
