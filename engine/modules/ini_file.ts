import { fileArgs } from './copy.js';
import { type EditArgs, editOperation } from './lib/content.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

interface Args extends EditArgs {
  section?: string;
  option?: string;
  value?: string;
  state: 'present' | 'absent';
  no_extra_spaces: boolean;
  allow_no_value: boolean;
  create: boolean;
}

const isSection = (l: string): boolean => /^\s*\[[^\]]*\]\s*$/.test(l);
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Ansible's ini_file, edited on the controller: an option inside a [section] (or
 * before the first section when section is null), written `option = value`.
 * Remote: sh, coreutils.
 */
export const module = defineOperation({
  name: 'ini_file',
  fqcn: ['community.general.ini_file'],
  description: 'Sets, adds or removes an option in a [section] of an INI file (e.g. /etc/containerd/config or a systemd drop-in).',
  args: {
    path: { type: 'path', required: true, aliases: ['dest'] },
    section: { type: 'str', description: 'the section; none means before the first section' },
    option: { type: 'str', aliases: ['key'] },
    value: { type: 'str' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    no_extra_spaces: { type: 'bool', default: false },
    allow_no_value: { type: 'bool', default: false },
    create: { type: 'bool', default: true },
    backup: { type: 'bool', default: false },
    ...fileArgs,
  },
  preflight: (a) =>
    a.state !== 'absent' && a.option !== undefined && a.value === undefined && a.allow_no_value !== true
      ? ["state=present with 'option' needs 'value' (or allow_no_value)"]
      : [],
  ...editOperation<Args>(
    (a) => a,
    (a) => (text) => {
      const lines = toLines(text);
      // Where the section starts and ends; -1 is the part before the first section.
      const head = a.section === undefined ? -1 : lines.findIndex((l) => l.trim() === `[${a.section}]`);
      const from = head + 1;
      let to = lines.findIndex((l, i) => i >= from && isSection(l));
      if (to < 0) to = lines.length;
      const live = a.option === undefined ? undefined : new RegExp(`^\\s*${escapeRe(a.option)}\\s*([=:]|$)`);
      if (a.state === 'absent') {
        if (a.section !== undefined && head < 0) return text;
        if (!live) return fromLines(a.section === undefined ? lines : [...lines.slice(0, head), ...lines.slice(to)]);
        return fromLines(lines.filter((l, i) => i < from || i >= to || !live.test(l)));
      }
      const line = a.option === undefined ? undefined : a.value === undefined ? a.option : `${a.option}${a.no_extra_spaces ? '=' : ' = '}${a.value}`;
      // A new section goes at the end; in an empty file ansible-core 2.14's ini_file writes a blank line before it.
      if (a.section !== undefined && head < 0) return fromLines([...(lines.length ? lines : ['']), `[${a.section}]`, ...(line ? [line] : [])]);
      if (!line || !live) return text;
      const at = lines.findIndex((l, i) => i >= from && i < to && live.test(l));
      if (at >= 0) {
        lines[at] = line;
        // Only the first occurrence stays, as Ansible's ini_file keeps one.
        return fromLines(lines.filter((l, i) => i === at || i < from || i >= to || !live.test(l)));
      }
      // A new option goes after the section's last non-blank line.
      let end = to;
      while (end > from && lines[end - 1]!.trim() === '') end--;
      lines.splice(end, 0, line);
      return fromLines(lines);
    },
    (a) => ({ section: a.section, option: a.option }),
  ),
});
