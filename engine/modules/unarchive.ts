import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { chownSpec, shq } from '../connection/commands.js';
import { findLocal } from './lib/files.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

/**
 * tar.gz/tgz/tar.xz/tar and zip. Idempotent by `creates`, or else by comparing the
 * archive's listing with dest (every file present with the same size) in one probe.
 * Remote: sh, tar (gzip, xz), unzip for zip.
 */
interface Args {
  src: string;
  dest: string;
  remote_src: boolean;
  creates?: string;
  extra_opts: string[];
  mode?: string;
  owner?: string;
  group?: string;
}

/** Where the archive is on the host: src itself, or the copy prepare uploaded (removed after). */
interface Prep {
  archive: string;
  uploaded: boolean;
}

type Facts = { creates: true } | { noDest: true } | { error: string } | { differs?: string };

const isZip = (src: string): boolean => /\.zip$/i.test(src);
const SUPPORTED = /\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tar|zip)$/i;

export const module = defineOperation({
  kind: 'operation',
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
  async prepare(args: Args, ctx): Promise<Prep> {
    if (!SUPPORTED.test(args.src)) throw new Error(`unsupported archive ${args.src}: expected .tar.gz, .tgz, .tar.xz, .tar.bz2, .tar or .zip`);
    if (args.remote_src) return { archive: args.src, uploaded: false };
    const local = findLocal(ctx.searchPaths.files, args.src);
    if (!local) throw new Error(`archive '${args.src}' not found on the controller`);
    const archive = `/tmp/tsplay-${process.pid}-${basename(local)}`;
    await ctx.conn.put(archive, readFileSync(local), { mode: '0600', become: ctx.become });
    return { archive, uploaded: true };
  },
  probe(args, prep, mode) {
    const a = shq(prep.archive);
    const d = shq(args.dest);
    const list = isZip(args.src)
      ? `unzip -Z -l ${a} | awk 'NF>=9 && $1 ~ /^-/ {sz=$4; $1=$2=$3=$4=$5=$6=$7=$8=$9=""; sub(/^ +/,""); print sz"|"$0}'`
      : `tar -tvf ${a} | awk '$1 ~ /^-/ {sz=$3; for(i=1;i<=5;i++)$i=""; sub(/^ +/,""); print sz"|"$0}'`;
    // A controller archive that will not be unpacked (nothing differs, or check mode) is removed in the same round trip.
    const rm = prep.uploaded ? `rm -f ${a}; ` : '';
    const cleanup = prep.uploaded ? (mode.check ? `; rm -f ${a}` : `; [ -z "$differs" ] && rm -f ${a}`) : '';
    const creates = args.creates ? `[ -e ${shq(args.creates)} ] && { echo CREATES; ${rm}exit 0; }; ` : '';
    return {
      command: `${creates}[ -d ${d} ] || { echo NODEST; ${rm}exit 0; }; differs=$(${list} | while IFS='|' read -r sz f; do s=$(stat -c %s ${d}/"$f" 2>/dev/null); [ "$s" = "$sz" ] || { echo "DIFF $f"; break; }; done); rc=$?; echo "$differs"${cleanup}; exit $rc`,
      parse: (r): Facts => {
        if (r.stdout.startsWith('CREATES')) return { creates: true };
        if (r.stdout.includes('NODEST')) return { noDest: true };
        if (r.rc !== 0) return { error: r.stderr.trim() };
        return { differs: /DIFF .*/.exec(r.stdout)?.[0] };
      },
    };
  },
  plan(f, args): Plan<undefined> {
    if ('creates' in f) return { action: 'none', result: { msg: `skipped, since ${args.creates} exists`, dest: args.dest } };
    if ('noDest' in f) return { action: 'fail', msg: `dest directory ${args.dest} does not exist` };
    if ('error' in f) return { action: 'fail', msg: `cannot read archive ${args.src}: ${f.error}` };
    const result = { dest: args.dest, src: args.src };
    if (!f.differs) return { action: 'none', result };
    return {
      action: 'modify',
      changes: [f.differs],
      data: undefined,
      diff: [{ path: args.dest, before: `${f.differs}\n`, after: `unpacked ${basename(args.src)}\n` }],
      result,
    };
  },
  async apply(_p, args, ctx, prep) {
    const a = shq(prep.archive);
    const d = shq(args.dest);
    const extract = isZip(args.src)
      ? `unzip -o -q ${args.extra_opts.map(shq).join(' ')} ${a} -d ${d}`
      : `tar -xf ${a} -C ${d} ${args.extra_opts.map(shq).join(' ')}`;
    const spec = chownSpec(args.owner, args.group);
    const own = spec ? ` && chown -R ${spec} ${d}` : '';
    const r = await run(ctx, `${extract}${own} 2>&1; rc=$?; ${prep.uploaded ? `rm -f ${a};` : ''} exit $rc`);
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
