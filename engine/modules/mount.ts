import { defineModule, type ModuleResult } from './types.js';
import { editFile, fromLines, run, shq, toLines } from './util.js';

interface Args {
  path: string;
  src?: string;
  fstype?: string;
  opts: string;
  dump: string;
  passno: string;
  state: 'mounted' | 'unmounted' | 'present' | 'absent' | 'remounted' | 'commented';
  fstab: string;
}

/**
 * fstab is edited on the controller like lineinfile; mount/umount/swapoff run only
 * when the live state differs. For swap, path is 'none' or 'swap' and fstype
 * 'swap': state=absent removes the swap lines, tsplay's state=commented comments
 * them out (the runbooks' "swap off in fstab too"). Remote: sh, util-linux.
 */
export const module = defineModule<Args>({
  name: 'mount',
  description: 'Keeps an /etc/fstab entry and the live mount in step; comments out or removes swap lines.',
  args: {
    path: { type: 'path', required: true, aliases: ['name'] },
    src: { type: 'str' },
    fstype: { type: 'str' },
    opts: { type: 'str', default: 'defaults' },
    dump: { type: 'str', default: '0' },
    passno: { type: 'str', default: '0' },
    state: { type: 'str', required: true, choices: ['mounted', 'unmounted', 'present', 'absent', 'remounted', 'commented'] },
    fstab: { type: 'path', default: '/etc/fstab' },
  },
  checkMode: 'predict',
  preflight: (a) => ((a.state === 'mounted' || a.state === 'present') && (a.src === undefined || a.fstype === undefined) ? [`state=${a.state} needs 'src' and 'fstype'`] : []),
  async run(args, ctx) {
    const swap = args.fstype === 'swap' || args.path === 'swap' || args.path === 'none';
    const matches = (l: string): boolean => {
      const f = l.trim().split(/\s+/);
      if (l.trim().startsWith('#') || f.length < 3) return false;
      return swap ? f[2] === 'swap' && (args.src === undefined || f[0] === args.src) : f[1] === args.path;
    };
    const entry = `${args.src} ${args.path} ${args.fstype} ${args.opts} ${args.dump} ${args.passno}`;
    const r = await editFile(ctx, { path: args.fstab, create: true }, (text) => {
      const lines = toLines(text);
      if (args.state === 'absent') return fromLines(lines.filter((l) => !matches(l)));
      if (args.state === 'commented') return fromLines(lines.map((l) => (matches(l) ? `# ${l}` : l)));
      if (args.state === 'unmounted' || args.state === 'remounted') return text;
      const i = lines.findIndex(matches);
      if (i < 0) return fromLines([...lines, entry]);
      if (lines[i]!.trim().split(/\s+/).join(' ') !== entry) lines[i] = entry;
      return fromLines(lines);
    }, { name: args.path, fstype: args.fstype, opts: args.opts });
    if (r.failed) return r;
    // The live state: swap in use, or the path mounted.
    const live = await run(ctx, swap ? 'tail -n +2 /proc/swaps 2>/dev/null | wc -l' : `findmnt -rn ${shq(args.path)} >/dev/null 2>&1 && echo mounted || echo no`);
    const mounted = swap ? Number(live.stdout.trim()) > 0 : live.stdout.includes('mounted');
    let cmd: string | undefined;
    if (swap && (args.state === 'absent' || args.state === 'commented' || args.state === 'unmounted') && mounted) cmd = args.src ? `swapoff ${shq(args.src)}` : 'swapoff -a';
    else if (!swap && (args.state === 'absent' || args.state === 'unmounted') && mounted) cmd = `umount ${shq(args.path)}`;
    else if (!swap && args.state === 'mounted' && !mounted) cmd = `mkdir -p ${shq(args.path)} && mount ${shq(args.path)}`;
    else if (!swap && args.state === 'remounted') cmd = `mount -o remount ${shq(args.path)}`;
    if (!cmd) return r;
    const res: ModuleResult = { ...r, changed: true };
    if (ctx.diff) res.diff = [...(r.diff ?? []), { path: swap ? 'swap' : `mount ${args.path}`, before: `${mounted ? 'mounted' : 'not mounted'}\n`, after: `${args.state === 'mounted' || args.state === 'remounted' ? 'mounted' : 'not mounted'}\n` }];
    if (ctx.check) return res;
    const m = await run(ctx, `${cmd} 2>&1`);
    if (m.rc !== 0) return { ...res, failed: true, msg: m.stdout.trim() };
    return res;
  },
});
