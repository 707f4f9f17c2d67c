import { run } from './lib/remote.js';
import { defineAction } from './types.js';

export const module = defineAction<{ data: string }>({
  kind: 'action',
  name: 'ping',
  description: 'Checks that the host answers a command. Remote: POSIX sh.',
  args: { data: { type: 'str', default: 'pong' } },
  check: 'run',
  async run(args, ctx) {
    if (args.data === 'crash') throw new Error('boom');
    const r = await run(ctx, 'echo pong');
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() || `rc=${r.rc}` };
    return { ping: args.data, changed: false };
  },
});
