import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineAction } from './types.js';

/** Remote: sh, coreutils base64. */
export const module = defineAction<{ src: string }>({
  kind: 'action',
  name: 'slurp',
  description: 'Reads a file from the host as base64 (`content`, with `encoding: base64`).',
  args: { src: { type: 'path', required: true, aliases: ['path'] } },
  check: 'run',
  async run(args, ctx) {
    const r = await run(ctx, `base64 -w0 < ${shq(args.src)}`);
    if (r.rc !== 0) return { failed: true, msg: `file not found or unreadable: ${args.src}: ${r.stderr.trim()}` };
    return { changed: false, content: r.stdout.trim(), encoding: 'base64', source: args.src };
  },
});
