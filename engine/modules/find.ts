import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineAction } from './types.js';

/** Remote: sh, findutils find, coreutils stat. */
export const module = defineAction<{
  paths: string[];
  patterns: string[];
  file_type: string;
  recurse: boolean;
  hidden: boolean;
  contains?: string;
  excludes: string[];
}>({
  kind: 'action',
  name: 'find',
  description: 'Lists files under paths that match name patterns, type and content.',
  args: {
    paths: { type: 'list', elements: 'path', required: true, aliases: ['name', 'path'] },
    patterns: { type: 'list', elements: 'str', default: ['*'], aliases: ['pattern'] },
    excludes: { type: 'list', elements: 'str', default: [], aliases: ['exclude'] },
    file_type: { type: 'str', default: 'file', choices: ['file', 'directory', 'link', 'any'] },
    recurse: { type: 'bool', default: false },
    hidden: { type: 'bool', default: false },
    contains: { type: 'str', description: 'a regexp a file must contain' },
  },
  check: 'run',
  async run(args, ctx) {
    const type = { file: '-type f', directory: '-type d', link: '-type l', any: '' }[args.file_type];
    const names = args.patterns.map((p) => `-name ${shq(p)}`).join(' -o ');
    const excl = args.excludes.map((p) => `! -name ${shq(p)}`).join(' ');
    const hidden = args.hidden ? '' : "! -name '.*'";
    const depth = args.recurse ? '' : '-maxdepth 1';
    // grep as a find test, and NUL after each record: any byte a name may hold (a newline, '|') stays in its name.
    const grep = args.contains ? `-exec grep -qE ${shq(args.contains)} {} \\;` : '';
    const script = args.paths
      .map((p) => `find ${shq(p)} -mindepth 1 ${depth} ${type} \\( ${names} \\) ${excl} ${hidden} ${grep} -printf '%s|%T@|%m|%u|%p\\0' 2>/dev/null`)
      .join('; ');
    const r = await run(ctx, `${script}; true`);
    const files = r.stdout
      .split('\0')
      .filter(Boolean)
      .map((l) => {
        const [size, mtime, mode, pw_name, ...path] = l.split('|');
        return { path: path.join('|'), size: Number(size), mtime: Number(mtime), mode: (mode ?? '').padStart(4, '0'), pw_name };
      });
    return { changed: false, files, matched: files.length, examined: files.length, msg: 'All paths examined' };
  },
});
