import { defineModule } from './types.js';
import { run } from './util.js';

export const module = defineModule<{ data: string }>({
  name: 'ping',
  description: 'Checks that the host answers a command. Remote: POSIX sh.',
  args: { data: { type: 'str', default: 'pong' } },
  checkMode: 'predict',
  async run(args, ctx) {
    if (args.data === 'crash') throw new Error('boom');
    const r = await run(ctx, 'echo pong');
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() || `rc=${r.rc}` };
    return { ping: args.data, changed: false };
  },
});
