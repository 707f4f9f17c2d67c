import { commandResult, run } from './lib/remote.js';
import { defineAction } from './types.js';

export const module = defineAction<{ _raw_params?: string; executable?: string }>({
  kind: 'action',
  name: 'raw',
  description: 'Sends the text as is to the remote shell; no creates/removes, no check-mode prediction.',
  args: { executable: { type: 'path' } },
  freeForm: true,
  check: 'skip',
  checkMsg: 'Command would have run if not in check mode',
  async run(args, ctx) {
    if (!args._raw_params) return { failed: true, msg: 'raw needs a command' };
    const start = new Date();
    const r = await run(ctx, args._raw_params);
    const res = commandResult(args._raw_params, r.rc, r.stdout, r.stderr, start, true);
    delete res.cmd;
    return res;
  },
});
