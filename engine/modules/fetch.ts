import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { shq } from '../connection/commands.js';
import { defineOperation, type Plan } from './types.js';

interface Args {
  src: string;
  dest: string;
  flat: boolean;
  fail_on_missing: boolean;
}

/** The controller side: where the copy goes, and what is there now. */
interface Local {
  dest: string;
  before?: Buffer;
}

type Remote = { missing: true } | { error: string } | { data: Buffer };

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

/** Remote: sh, coreutils base64. Writes on the controller: DEST/HOST/SRC, or DEST with flat. */
export const module = defineOperation({
  kind: 'operation',
  name: 'fetch',
  description: 'Copies a file from the host to the controller.',
  args: {
    src: { type: 'path', required: true },
    dest: { type: 'path', required: true },
    flat: { type: 'bool', default: false },
    fail_on_missing: { type: 'bool', default: true },
  },
  async prepare(a: Args, ctx): Promise<Local> {
    const dest = a.flat ? (a.dest.endsWith('/') ? join(a.dest, a.src.split('/').pop()!) : a.dest) : join(a.dest, ctx.host, a.src);
    return { dest, before: existsSync(dest) ? readFileSync(dest) : undefined };
  },
  probe: (a) => ({
    command: `if [ -f ${shq(a.src)} ]; then base64 -w0 < ${shq(a.src)}; else echo MISSING >&2; exit 3; fi`,
    parse: (r): Remote => (r.rc === 3 ? { missing: true } : r.rc !== 0 ? { error: r.stderr.trim() } : { data: Buffer.from(r.stdout.trim(), 'base64') }),
  }),
  plan(f, a, local): Plan<Buffer> {
    if ('missing' in f)
      return a.fail_on_missing
        ? { action: 'fail', msg: `the remote file does not exist: ${a.src}` }
        : { action: 'none', result: { msg: `the remote file does not exist, not transferring: ${a.src}` } };
    if ('error' in f) return { action: 'fail', msg: f.error };
    const result = { dest: local.dest, checksum: sha1(f.data), remote_checksum: sha1(f.data) };
    if (local.before && sha1(local.before) === sha1(f.data)) return { action: 'none', result };
    return {
      action: local.before ? 'modify' : 'create',
      changes: [`${local.dest} on the controller`],
      data: f.data,
      diff: [{ path: local.dest, before: local.before?.toString('utf8') ?? '', after: f.data.toString('utf8') }],
      result,
    };
  },
  async apply(p, _a, _ctx, local) {
    mkdirSync(dirname(local.dest), { recursive: true });
    writeFileSync(local.dest, p.data);
  },
});
