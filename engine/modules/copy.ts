import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { shq } from '../connection/commands.js';
import { applyFileChange, type Content, contentProbe, planContent } from './lib/content.js';
import { findLocal } from './lib/files.js';
import { run } from './lib/remote.js';
import { defineOperation } from './types.js';

export const fileArgs = {
  mode: { type: 'mode', description: "octal ('0644') or symbolic ('u+x')" },
  owner: { type: 'str' },
  group: { type: 'str' },
} as const;

interface CopyArgs {
  src?: string;
  content?: string;
  dest: string;
  remote_src: boolean;
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
  force: boolean;
}

/** Remote: sh, coreutils (stat, sha1sum, base64, mktemp, mv). */
export const module = defineOperation({
  name: 'copy',
  description: "Puts a file from the role's files/ (src) or inline text (content) on the host, atomically.",
  args: {
    src: { type: 'path', description: 'file on the controller (role files/ first), or on the host with remote_src' },
    content: { type: 'raw', description: 'the file content, instead of src' },
    dest: { type: 'path', required: true },
    remote_src: { type: 'bool', default: false },
    backup: { type: 'bool', default: false },
    validate: { type: 'str', description: "command that must accept the new file, %s is its path (e.g. 'haproxy -c -f %s')" },
    force: { type: 'bool', default: true, description: 'replace a file whose content differs' },
    ...fileArgs,
  },
  kind: 'operation',
  preflight: (a) =>
    a.src === undefined && a.content === undefined
      ? ["one of 'src' or 'content' is required"]
      : a.src !== undefined && a.content !== undefined
        ? ["'src' and 'content' are mutually exclusive"]
        : [],
  /** The bytes to put: inline content, a controller file, or (remote_src) a file already on the host. */
  async prepare(args: CopyArgs, ctx): Promise<Content> {
    if (args.content !== undefined) {
      const c = args.content;
      return { content: Buffer.from(typeof c === 'string' ? c : JSON.stringify(c)) };
    }
    if (args.remote_src) {
      const r = await run(ctx, `base64 -w0 < ${shq(args.src!)}`);
      if (r.rc !== 0) throw new Error(`cannot read remote src ${args.src}: ${r.stderr.trim()}`);
      return { content: Buffer.from(r.stdout.trim(), 'base64'), name: basename(args.src!) };
    }
    const path = findLocal(ctx.searchPaths.files, args.src!);
    if (!path) throw new Error(`could not find src '${args.src}' in ${ctx.searchPaths.files.join(', ')}`);
    if (statSync(path).isDirectory()) throw new Error(`src '${args.src}' is a directory; tsplay's copy takes files`);
    return { content: readFileSync(path), name: basename(path) };
  },
  probe: (a, c, mode) => contentProbe(a, c, mode.diff),
  plan: (f, a, c) => planContent(f, a, c),
  apply: (p, a, ctx) => applyFileChange(p, a, ctx),
});
