import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { defineModule, type ModuleResult } from './types.js';
import { findLocal, run, shq } from './util.js';

/**
 * tar.gz/tgz/tar.xz/tar and zip. Idempotent by `creates`, or else by comparing the
 * archive's listing with dest (every file present with the same size) in one probe.
 * Remote: sh, tar (gzip, xz), unzip for zip.
 */
export const module = defineModule<{ src: string; dest: string; remote_src: boolean; creates?: string; extra_opts: string[]; mode?: string; owner?: string; group?: string }>({
  name: 'unarchive',
  description: 'Unpacks an archive from the controller (role files/) or the host into a directory.',
  args: {
    src: { type: 'path', required: true },
    dest: { type: 'path', required: true },
    remote_src: { type: 'bool', default: false, aliases: ['copy'] },
    creates: { type: 'path' },
    extra_opts: { type: 'list', elements: 'str', default: [] },
    mode: { type: 'mode' },
    owner: { type: 'str' },
    group: { type: 'str' },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const zip = /\.zip$/i.test(args.src);
    if (!zip && !/\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tar)$/i.test(args.src)) return { failed: true, msg: `unsupported archive ${args.src}: expected .tar.gz, .tgz, .tar.xz, .tar.bz2, .tar or .zip` };
    if (args.creates) {
      const c = await run(ctx, `[ -e ${shq(args.creates)} ] && echo exists; true`);
      if (c.stdout.includes('exists')) return { changed: false, msg: `skipped, since ${args.creates} exists`, dest: args.dest };
    }
    let archive = args.src;
    if (!args.remote_src) {
      const local = await findLocal(ctx.searchPaths.files, args.src);
      if (!local) return { failed: true, msg: `archive '${args.src}' not found on the controller` };
      archive = `/tmp/tsplay-${process.pid}-${basename(local)}`;
      await ctx.conn.put(archive, readFileSync(local), { mode: '0600', become: ctx.become });
    }
    const a = shq(archive);
    const d = shq(args.dest);
    const list = zip
      ? `unzip -Z -l ${a} | awk 'NF>=9 && $1 ~ /^-/ {sz=$4; $1=$2=$3=$4=$5=$6=$7=$8=$9=""; sub(/^ +/,""); print sz"|"$0}'`
      : `tar -tvf ${a} | awk '$1 ~ /^-/ {sz=$3; for(i=1;i<=5;i++)$i=""; sub(/^ +/,""); print sz"|"$0}'`;
    const probe = await run(ctx, `[ -d ${d} ] || { echo NODEST; exit 0; }; ${list} | while IFS='|' read -r sz f; do s=$(stat -c %s ${d}/"$f" 2>/dev/null); [ "$s" = "$sz" ] || { echo "DIFF $f"; break; }; done`);
    if (probe.stdout.includes('NODEST')) return { failed: true, msg: `dest directory ${args.dest} does not exist` };
    if (probe.rc !== 0) return { failed: true, msg: `cannot read archive ${args.src}: ${probe.stderr.trim()}` };
    const changed = probe.stdout.includes('DIFF ');
    const result: ModuleResult = { changed, dest: args.dest, src: args.src };
    if (ctx.diff && changed) result.diff = [{ path: args.dest, before: `${probe.stdout.trim()}\n`, after: `unpacked ${basename(args.src)}\n` }];
    if (!changed || ctx.check) {
      if (!args.remote_src) await run(ctx, `rm -f ${a}`);
      return result;
    }
    const extract = zip ? `unzip -o -q ${args.extra_opts.map(shq).join(' ')} ${a} -d ${d}` : `tar -xf ${a} -C ${d} ${args.extra_opts.map(shq).join(' ')}`;
    const own = args.owner || args.group ? ` && chown -R ${shq(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} ${d}` : '';
    const r = await run(ctx, `${extract}${own} 2>&1; rc=$?; ${args.remote_src ? '' : `rm -f ${a};`} exit $rc`);
    return r.rc === 0 ? result : { ...result, failed: true, msg: r.stdout.trim() };
  },
});
