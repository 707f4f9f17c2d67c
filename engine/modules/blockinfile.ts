import { pyRe } from '../template/regex.js';
import { fileArgs } from './copy.js';
import { type EditArgs, editOperation } from './lib/content.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

/** The fields every file-editing module shares come from EditArgs. */
interface Args extends EditArgs {
  block: string;
  marker: string;
  marker_begin: string;
  marker_end: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  backup: boolean;
}

/** Ansible's blockinfile, edited on the controller. Remote: sh, coreutils. */
export const module = defineOperation({
  name: 'blockinfile',
  description: 'Keeps a block of lines between marker lines in a file.',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    block: { type: 'str', default: '', aliases: ['content'] },
    marker: { type: 'str', default: '# {mark} ANSIBLE MANAGED BLOCK' },
    marker_begin: { type: 'str', default: 'BEGIN' },
    marker_end: { type: 'str', default: 'END' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    insertafter: { type: 'str', description: "regexp, or 'EOF' (default)" },
    insertbefore: { type: 'str', description: "regexp, or 'BOF'" },
    create: { type: 'bool', default: false },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    ...fileArgs,
  },
  preflight: (a) => (a.insertafter !== undefined && a.insertbefore !== undefined ? ["'insertafter' and 'insertbefore' are mutually exclusive"] : []),
  ...editOperation<Args>(
    (a) => a,
    (args) => {
      const begin = args.marker.replace('{mark}', args.marker_begin);
      const end = args.marker.replace('{mark}', args.marker_end);
      return (text) => {
        const lines = toLines(text);
        const b = lines.indexOf(begin);
        const e = b >= 0 ? lines.indexOf(end, b + 1) : -1;
        const blockLines =
          args.state === 'present' && args.block !== '' ? [begin, ...toLines(args.block.endsWith('\n') ? args.block : `${args.block}\n`), end] : [];
        if (b >= 0 && e >= 0) {
          lines.splice(b, e - b + 1, ...blockLines);
          return fromLines(lines);
        }
        if (!blockLines.length) return text;
        let at = lines.length;
        if (args.insertbefore === 'BOF') at = 0;
        else if (args.insertbefore !== undefined) {
          const re = pyRe(args.insertbefore);
          const i = lines.findIndex((l) => re.test(l));
          if (i >= 0) at = i;
        } else if (args.insertafter !== undefined && args.insertafter !== 'EOF') {
          const re = pyRe(args.insertafter);
          for (let i = lines.length - 1; i >= 0; i--)
            if (re.test(lines[i]!)) {
              at = i + 1;
              break;
            }
        }
        lines.splice(at, 0, ...blockLines);
        return fromLines(lines);
      };
    },
  ),
});
