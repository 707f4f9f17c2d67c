import { defineModule } from './types.js';
import { editFile, fromLines, run, toLines } from './util.js';

/** Remote: sh; setenforce/getenforce where SELinux exists. On hosts without SELinux, disabled and permissive are already true. */
export const module = defineModule<{ state: 'enforcing' | 'permissive' | 'disabled'; policy?: string; configfile: string }>({
  name: 'selinux',
  description: 'Sets the SELinux mode in its config file and, where possible, now (setenforce).',
  args: {
    state: { type: 'str', required: true, choices: ['enforcing', 'permissive', 'disabled'] },
    policy: { type: 'str' },
    configfile: { type: 'path', default: '/etc/selinux/config', aliases: ['conf', 'file'] },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const q = await run(ctx, `[ -f ${args.configfile} ] && echo conf=yes; command -v getenforce >/dev/null && echo "now=$(getenforce)"; true`);
    const hasConf = q.stdout.includes('conf=yes');
    const now = /now=(\w+)/.exec(q.stdout)?.[1]?.toLowerCase();
    if (!hasConf && !now) {
      if (args.state === 'enforcing') return { failed: true, msg: `SELinux is not available on ${ctx.host}` };
      return { changed: false, msg: 'SELinux is not installed on this host', state: 'disabled' };
    }
    const r = await editFile(ctx, { path: args.configfile, create: true }, (text) => {
      let lines = toLines(text);
      const set = (k: string, v: string) => {
        const i = lines.findIndex((l) => new RegExp(`^\\s*${k}\\s*=`).test(l));
        if (i < 0) lines = [...lines, `${k}=${v}`];
        else lines[i] = `${k}=${v}`;
      };
      set('SELINUX', args.state);
      if (args.policy) set('SELINUXTYPE', args.policy);
      return fromLines(lines);
    }, { state: args.state, configfile: args.configfile });
    if (r.failed) return r;
    // setenforce switches between enforcing and permissive only; disabled needs a reboot.
    const live = args.state === 'disabled' ? 'permissive' : args.state;
    if (now && now !== 'disabled' && now !== live) {
      const out = { ...r, changed: true, reboot_required: args.state === 'disabled' };
      if (ctx.check) return out;
      const s = await run(ctx, `setenforce ${live === 'enforcing' ? 1 : 0} 2>&1`);
      if (s.rc !== 0) return { ...out, failed: true, msg: s.stdout.trim() };
      return out;
    }
    return r;
  },
});
