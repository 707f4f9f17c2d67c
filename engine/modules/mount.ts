import { shq } from '../connection/commands.js';
import { applyWithLive, fileAndProbe, type LiveChange, planEdit, withLive } from './lib/content.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

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

const isSwap = (a: Args): boolean => a.fstype === 'swap' || a.path === 'swap' || a.path === 'none';

/**
 * fstab is edited on the controller like lineinfile; mount/umount/swapoff run only
 * when the live state differs. For swap, path is 'none' or 'swap' and fstype
 * 'swap': state=absent removes the swap lines, tsplay's state=commented comments
 * them out (the runbooks' "swap off in fstab too"). Remote: sh, util-linux.
 */
export const module = defineOperation({
  kind: 'operation',
  name: 'mount',
  fqcn: ['ansible.posix.mount'],
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
  preflight: (a) =>
    (a.state === 'mounted' || a.state === 'present') && (a.src === undefined || a.fstype === undefined) ? [`state=${a.state} needs 'src' and 'fstype'`] : [],
  probe: (a: Args) =>
    fileAndProbe(
      a.fstab,
      isSwap(a) ? 'tail -n +2 /proc/swaps 2>/dev/null | wc -l' : `findmnt -rn ${shq(a.path)} >/dev/null 2>&1 && echo mounted || echo no`,
      (out) => (isSwap(a) ? Number(out.trim()) > 0 : out.includes('mounted')),
    ),
  plan(f, a: Args) {
    const swap = isSwap(a);
    const matches = (l: string): boolean => {
      const fields = l.trim().split(/\s+/);
      if (l.trim().startsWith('#') || fields.length < 3) return false;
      return swap ? fields[2] === 'swap' && (a.src === undefined || fields[0] === a.src) : fields[1] === a.path;
    };
    const entry = `${a.src} ${a.path} ${a.fstype} ${a.opts} ${a.dump} ${a.passno}`;
    const filePlan = planEdit(
      f.file,
      { path: a.fstab, create: true },
      (text) => {
        const lines = toLines(text);
        if (a.state === 'absent') return fromLines(lines.filter((l) => !matches(l)));
        if (a.state === 'commented') return fromLines(lines.map((l) => (matches(l) ? `# ${l}` : l)));
        if (a.state === 'unmounted' || a.state === 'remounted') return text;
        const i = lines.findIndex(matches);
        if (i < 0) return fromLines([...lines, entry]);
        if (lines[i]!.trim().split(/\s+/).join(' ') !== entry) lines[i] = entry;
        return fromLines(lines);
      },
      { name: a.path, fstype: a.fstype, opts: a.opts },
    );
    const mounted = f.extra ?? false;
    let cmd: string | undefined;
    if (swap && (a.state === 'absent' || a.state === 'commented' || a.state === 'unmounted') && mounted) cmd = a.src ? `swapoff ${shq(a.src)}` : 'swapoff -a';
    else if (!swap && (a.state === 'absent' || a.state === 'unmounted') && mounted) cmd = `umount ${shq(a.path)}`;
    else if (!swap && a.state === 'mounted' && !mounted) cmd = `mkdir -p ${shq(a.path)} && mount ${shq(a.path)}`;
    else if (!swap && a.state === 'remounted') cmd = `mount -o remount ${shq(a.path)}`;
    const want = a.state === 'mounted' || a.state === 'remounted' ? 'mounted' : 'not mounted';
    const live: LiveChange | undefined = cmd
      ? { change: cmd, command: cmd, diff: { path: swap ? 'swap' : `mount ${a.path}`, before: `${mounted ? 'mounted' : 'not mounted'}\n`, after: `${want}\n` } }
      : undefined;
    return withLive(filePlan, live);
  },
  apply: (p, _a, ctx) => applyWithLive(p, {}, ctx),
});
