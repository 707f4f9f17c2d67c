import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

interface Args {
  name: string;
  selection: string;
}

/** Remote: dpkg. `selection: hold` keeps apt from upgrading a package (kubelet, kubeadm, kubectl). */
export const module = defineOperation({
  kind: 'operation',
  name: 'dpkg_selections',
  description: 'Sets a package selection: hold, install, deinstall or purge.',
  args: {
    name: { type: 'str', required: true },
    selection: { type: 'str', required: true, choices: ['install', 'hold', 'deinstall', 'purge'] },
  },
  probe: (a: Args) => ({
    command: `dpkg --get-selections ${shq(a.name)} 2>/dev/null | awk '{print $2}'`,
    parse: (r): string => r.stdout.trim() || 'not present',
  }),
  plan(before: string, a: Args): Plan<undefined> {
    const result = { before, after: a.selection };
    if (before === a.selection) return { action: 'none', result };
    return {
      action: 'modify',
      changes: [`${before} -> ${a.selection}`],
      data: undefined,
      diff: [{ path: `dpkg selection of ${a.name}`, before: `${before}\n`, after: `${a.selection}\n` }],
      result,
    };
  },
  async apply(_p, a, ctx) {
    const r = await run(ctx, `echo ${shq(`${a.name} ${a.selection}`)} | dpkg --set-selections`);
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() };
  },
});
