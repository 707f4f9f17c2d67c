import { defineModule } from './types.js';
import { run, shq } from './util.js';

/** Remote: dpkg. `selection: hold` keeps apt from upgrading a package (kubelet, kubeadm, kubectl). */
export const module = defineModule<{ name: string; selection: string }>({
  name: 'dpkg_selections',
  description: 'Sets a package selection: hold, install, deinstall or purge.',
  args: {
    name: { type: 'str', required: true },
    selection: { type: 'str', required: true, choices: ['install', 'hold', 'deinstall', 'purge'] },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const q = await run(ctx, `dpkg --get-selections ${shq(args.name)} 2>/dev/null | awk '{print $2}'`);
    const before = q.stdout.trim() || 'not present';
    const changed = before !== args.selection;
    const result = { changed, before, after: args.selection, diff: ctx.diff && changed ? [{ path: `dpkg selection of ${args.name}`, before: `${before}\n`, after: `${args.selection}\n` }] : undefined };
    if (!changed || ctx.check) return result;
    const r = await run(ctx, `echo ${shq(`${args.name} ${args.selection}`)} | dpkg --set-selections`);
    if (r.rc !== 0) return { ...result, failed: true, msg: r.stderr.trim() };
    return result;
  },
});
