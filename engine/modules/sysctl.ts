import { defineModule } from './types.js';
import { editFile, fromLines, run, shq, toLines } from './util.js';

interface Args {
  name: string;
  value?: string;
  state: 'present' | 'absent';
  sysctl_file: string;
  reload: boolean;
  sysctl_set: boolean;
  ignoreerrors: boolean;
}

/**
 * The file is edited like lineinfile; the running value is read in the same probe
 * (`sysctl -n`) and written with `sysctl -w` only when it differs.
 * Remote: sh, coreutils, procps (sysctl).
 */
export const module = defineModule<Args>({
  name: 'sysctl',
  description: 'Sets a kernel parameter in a sysctl file (e.g. /etc/sysctl.d/k8s.conf) and in the running kernel.',
  args: {
    name: { type: 'str', required: true, aliases: ['key'] },
    value: { type: 'str', aliases: ['val'] },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    sysctl_file: { type: 'path', default: '/etc/sysctl.conf' },
    reload: { type: 'bool', default: true },
    sysctl_set: { type: 'bool', default: true, description: 'also check and set the running value' },
    ignoreerrors: { type: 'bool', default: false },
  },
  checkMode: 'predict',
  preflight: (a) => (a.state !== 'absent' && a.value === undefined ? ["state=present needs 'value'"] : []),
  async run(args, ctx) {
    const key = args.name.replace(/\//g, '.');
    const norm = (v: string) => v.trim().split(/\s+/).join(' ');
    const r = await editFile(ctx, { path: args.sysctl_file, create: true }, (text) => {
      const lines = toLines(text);
      const re = new RegExp(`^\\s*${key.replace(/\./g, '[./]')}\\s*=`);
      const idx = lines.findIndex((l) => re.test(l));
      const rest = lines.filter((l, i) => !re.test(l) || i === idx);
      if (args.state === 'absent') return fromLines(lines.filter((l) => !re.test(l)));
      const line = `${key}=${args.value}`;
      if (idx < 0) return fromLines([...lines, line]);
      const cur = lines[idx]!.split('=').slice(1).join('=');
      const i = rest.findIndex((l) => re.test(l));
      if (norm(cur) !== norm(args.value!)) rest[i] = line;
      return fromLines(rest);
    }, { name: key, value: args.value });
    if (r.failed || args.state === 'absent' || !args.sysctl_set || !args.reload) return r;
    const live = await run(ctx, `sysctl -n ${shq(key)} 2>&1`);
    if (live.rc !== 0) {
      if (args.ignoreerrors) return r;
      return { ...r, failed: true, msg: `${key} cannot be read on this host: ${live.stdout.trim()} (is its kernel module loaded?)` };
    }
    if (norm(live.stdout) === norm(args.value!)) return r;
    const changed = { ...r, changed: true };
    if (ctx.diff) changed.diff = [...(r.diff ?? []), { path: `running ${key}`, before: `${norm(live.stdout)}\n`, after: `${norm(args.value!)}\n` }];
    if (ctx.check) return changed;
    const w = await run(ctx, `sysctl -w ${shq(`${key}=${args.value}`)} 2>&1`);
    if (w.rc !== 0 && !args.ignoreerrors) return { ...changed, failed: true, msg: `sysctl -w ${key} failed: ${w.stdout.trim()}` };
    return changed;
  },
});
