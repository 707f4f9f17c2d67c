import { defineModule } from './types.js';
import { commandResult, run } from './util.js';

export const module = defineModule<{ _raw_params?: string; executable?: string }>({
  name: 'raw',
  description: 'Sends the text as is to the remote shell; no creates/removes, no check-mode prediction.',
  args: { executable: { type: 'path' } },
  freeForm: true,
  checkMode: 'skip',
  async run(args, ctx) {
    if (!args._raw_params) return { failed: true, msg: 'raw needs a command' };
    if (ctx.check) return { skipped: true, changed: false, msg: 'Command would have run if not in check mode' };
    const start = new Date();
    const r = await run(ctx, args._raw_params);
    const res = commandResult(args._raw_params, r.rc, r.stdout, r.stderr, start, true);
    delete res.cmd;
    return res;
  },
});
