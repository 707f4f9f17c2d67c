import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineModule } from './types.js';
import { run, shq } from './util.js';

/** Remote: sh, coreutils base64. Writes on the controller: DEST/HOST/SRC, or DEST with flat. */
export const module = defineModule<{ src: string; dest: string; flat: boolean; fail_on_missing: boolean }>({
  name: 'fetch',
  description: 'Copies a file from the host to the controller.',
  args: {
    src: { type: 'path', required: true },
    dest: { type: 'path', required: true },
    flat: { type: 'bool', default: false },
    fail_on_missing: { type: 'bool', default: true },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const r = await run(ctx, `if [ -f ${shq(args.src)} ]; then base64 -w0 < ${shq(args.src)}; else echo MISSING >&2; exit 3; fi`);
    if (r.rc === 3) return args.fail_on_missing ? { failed: true, msg: `the remote file does not exist: ${args.src}` } : { changed: false, msg: `the remote file does not exist, not transferring: ${args.src}` };
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() };
    const data = Buffer.from(r.stdout.trim(), 'base64');
    const dest = args.flat ? (args.dest.endsWith('/') ? join(args.dest, args.src.split('/').pop()!) : args.dest) : join(args.dest, ctx.host, args.src);
    const sum = (b: Buffer) => createHash('sha1').update(b).digest('hex');
    const before = existsSync(dest) ? readFileSync(dest) : undefined;
    const changed = !before || sum(before) !== sum(data);
    const result = { changed, dest, checksum: sum(data), remote_checksum: sum(data), diff: ctx.diff && changed ? [{ path: dest, before: before?.toString('utf8') ?? '', after: data.toString('utf8') }] : undefined };
    if (changed && !ctx.check) {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, data);
    }
    return result;
  },
});
