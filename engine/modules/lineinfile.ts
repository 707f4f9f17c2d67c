import { pyRe } from '../template/regex.js';
import { fileArgs } from './copy.js';
import { type EditArgs, editOperation } from './lib/content.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

/** The fields every file-editing module shares come from EditArgs. */
interface Args extends EditArgs {
  line?: string;
  regexp?: string;
  search_string?: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  backrefs: boolean;
  create: boolean;
  firstmatch: boolean;
  backup: boolean;
}

/** Ansible's lineinfile, edited on the controller. Remote: sh, coreutils. */
export const module = defineOperation({
  name: 'lineinfile',
  description: 'Ensures a line is in a file (or absent), replacing the line a regexp matches.',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    line: { type: 'str', aliases: ['value'] },
    regexp: { type: 'str', aliases: ['regex'] },
    search_string: { type: 'str' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    insertafter: { type: 'str', description: "regexp, or 'EOF'" },
    insertbefore: { type: 'str', description: "regexp, or 'BOF'" },
    backrefs: { type: 'bool', default: false },
    create: { type: 'bool', default: false },
    firstmatch: { type: 'bool', default: false },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    ...fileArgs,
  },
  preflight: (a) => {
    const out: string[] = [];
    if (a.state !== 'absent' && a.line === undefined) out.push("state=present needs 'line'");
    if (a.state === 'absent' && a.line === undefined && a.regexp === undefined && a.search_string === undefined)
      out.push("state=absent needs 'line', 'regexp' or 'search_string'");
    if (a.backrefs === true && a.regexp === undefined) out.push("backrefs needs 'regexp'");
    if (a.insertafter !== undefined && a.insertbefore !== undefined) out.push("'insertafter' and 'insertbefore' are mutually exclusive");
    return out;
  },
  ...editOperation<Args>(
    (a) => a,
    (args) => {
      const re = args.regexp !== undefined ? pyRe(args.regexp) : undefined;
      const matches = (l: string): boolean => (re ? re.test(l) : args.search_string !== undefined ? l.includes(args.search_string) : l === args.line);
      return (text) => {
        const lines = toLines(text);
        if (args.state === 'absent') return fromLines(lines.filter((l) => !matches(l)));
        const line = args.line!;
        let found = -1;
        for (let i = 0; i < lines.length; i++)
          if (matches(lines[i]!)) {
            found = i;
            if (args.firstmatch) break;
          }
        if (found >= 0) {
          // Python's match.expand(line): the line with \1 or \g<name> taken from the match.
          const m = re ? re.exec(lines[found]!) : null;
          const replaced =
            args.backrefs && m
              ? line.replace(/\\(\d+)|\\g<(\w+)>/g, (_s, n: string | undefined, name: string | undefined) =>
                  n !== undefined ? (m[Number(n)] ?? '') : (m.groups?.[name!] ?? ''),
                )
              : line;
          if (lines[found] !== replaced) lines[found] = replaced;
          return fromLines(lines);
        }
        if (args.backrefs) return text;
        // With a regexp that matches nothing, an identical line elsewhere still counts as present.
        if ((re || args.search_string !== undefined) && lines.includes(line)) return text;
        if (args.insertbefore === 'BOF' || args.insertafter === 'BOF') return fromLines([line, ...lines]);
        const anchor =
          args.insertafter !== undefined && args.insertafter !== 'EOF'
            ? pyRe(args.insertafter)
            : args.insertbefore !== undefined
              ? pyRe(args.insertbefore)
              : undefined;
        let at = -1;
        if (anchor) {
          for (let i = 0; i < lines.length; i++)
            if (anchor.test(lines[i]!)) {
              at = args.insertafter !== undefined ? i + 1 : i;
              if (args.firstmatch || args.insertbefore !== undefined) break;
            }
        }
        if (at < 0) lines.push(line);
        else lines.splice(at, 0, line);
        return fromLines(lines);
      };
    },
  ),
});
