import { pyRe, pyReplacement } from '../template/regex.js';
import { fileArgs } from './copy.js';
import { applyFileChange, type EditArgs, fileProbe, planEdit } from './lib/content.js';
import { defineOperation } from './types.js';

/** Python's re.sub with MULTILINE over the file, on the controller. Remote: sh, coreutils. */
interface Args extends EditArgs {
  regexp: string;
  replace: string;
  after?: string;
  before?: string;
}

export const module = defineOperation({
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
  kind: 'operation',
  probe: (a: Args) => fileProbe(a.path, true),
  plan(f, a: Args) {
    let count = 0;
    const plan = planEdit(f, { ...a, create: false }, (text) => {
      let start = 0;
      let end = text.length;
      if (a.after !== undefined) {
        const m = pyRe(a.after, 'm').exec(text);
        if (m) start = m.index + m[0].length;
      }
      if (a.before !== undefined) {
        const m = pyRe(a.before, 'm').exec(text.slice(start));
        if (m) end = start + m.index;
      }
      const mid = text.slice(start, end).replace(pyRe(a.regexp, 'gm'), (...m) => {
        count++;
        return String(m[0]).replace(pyRe(a.regexp, 'm'), pyReplacement(a.replace));
      });
      return text.slice(0, start) + mid + text.slice(end);
    });
    if (plan.action !== 'none' && plan.action !== 'fail' && plan.data.content) plan.result = { ...plan.result, msg: `${count} replacements made` };
    return plan;
  },
  apply: (p, a, ctx) => applyFileChange(p, a, ctx),
});
