import { fileArgs } from './copy.js';
import { defineModule } from './types.js';
import { editFile, pyRe, pyReplacement } from './util.js';

/** Python's re.sub with MULTILINE over the file, on the controller. Remote: sh, coreutils. */
export const module = defineModule<{ path: string; regexp: string; replace: string; after?: string; before?: string; backup: boolean; validate?: string; mode?: string; owner?: string; group?: string }>({
  name: 'replace',
  description: 'Replaces every match of a regexp in a file (e.g. to comment out the swap line of /etc/fstab).',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    regexp: { type: 'str', required: true },
    replace: { type: 'str', default: '' },
    after: { type: 'str', description: 'only after the first match of this regexp' },
    before: { type: 'str', description: 'only before the first match of this regexp' },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    ...fileArgs,
  },
  checkMode: 'predict',
  async run(args, ctx) {
    let count = 0;
    const r = await editFile(ctx, { ...args, create: false }, (text) => {
      let start = 0;
      let end = text.length;
      if (args.after !== undefined) {
        const m = pyRe(args.after, 'm').exec(text);
        if (m) start = m.index + m[0].length;
      }
      if (args.before !== undefined) {
        const m = pyRe(args.before, 'm').exec(text.slice(start));
        if (m) end = start + m.index;
      }
      const re = pyRe(args.regexp, 'gm');
      const mid = text.slice(start, end).replace(re, (...m) => {
        count++;
        return m[0].replace(pyRe(args.regexp, 'm'), pyReplacement(args.replace));
      });
      return text.slice(0, start) + mid + text.slice(end);
    });
    if (r.changed) r.msg = `${count} replacements made`;
    return r;
  },
});
