import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineAction } from './types.js';

/** Remote: POSIX sh and coreutils stat, readlink, sha1sum. */
export const module = defineAction<{ path: string; get_checksum: boolean; follow: boolean; checksum_algorithm: string }>({
  kind: 'action',
  name: 'stat',
  description: 'Reports whether a path exists and its type, mode, owner, size, mtime and checksum.',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    get_checksum: { type: 'bool', default: true },
    follow: { type: 'bool', default: false },
    checksum_algorithm: { type: 'str', default: 'sha1', choices: ['sha1', 'sha256', 'md5'], aliases: ['checksum'] },
    get_mime: { type: 'bool' },
    get_attributes: { type: 'bool' },
  },
  check: 'run',
  async run(args, ctx) {
    const p = shq(args.path);
    const L = args.follow ? '-L ' : '';
    const sum = `${args.checksum_algorithm}sum`;
    const script = `if [ -e ${p} ] || [ -L ${p} ]; then stat ${L}-c '%F|%a|%U|%G|%u|%g|%s|%Y|%i|%h' ${p}; [ -L ${p} ] && echo "link=$(readlink ${p})"; ${args.get_checksum ? `[ -f ${p} ] && [ -r ${p} ] && echo "sum=$(${sum} < ${p} | cut -d' ' -f1)"` : ':'}; else echo MISSING; fi`;
    const r = await run(ctx, script);
    if (r.rc !== 0 && !r.stdout) return { failed: true, msg: r.stderr.trim() };
    if (r.stdout.startsWith('MISSING')) return { changed: false, stat: { exists: false } };
    const [first, ...rest] = r.stdout.trim().split('\n');
    const [type, mode, pw_name, gr_name, uid, gid, size, mtime, inode, nlink] = first!.split('|');
    const extra = Object.fromEntries(rest.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const stat: Record<string, unknown> = {
      exists: true,
      path: args.path,
      mode: mode!.padStart(4, '0'),
      isdir: type === 'directory',
      isreg: type!.startsWith('regular'),
      islnk: type === 'symbolic link',
      pw_name,
      gr_name,
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      mtime: Number(mtime),
      inode: Number(inode),
      nlink: Number(nlink),
    };
    if (extra.link) stat.lnk_source = stat.lnk_target = extra.link;
    if (extra.sum) stat.checksum = extra.sum;
    return { changed: false, stat };
  },
});
