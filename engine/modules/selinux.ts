import { applyWithLive, fileAndProbe, planEdit, withLive } from './lib/content.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

interface Args {
  state: 'enforcing' | 'permissive' | 'disabled';
  policy?: string;
  configfile: string;
}

/** Remote: sh; setenforce/getenforce where SELinux exists. On hosts without SELinux, disabled and permissive are already true. */
export const module = defineOperation({
  kind: 'operation',
  name: 'selinux',
  fqcn: ['ansible.posix.selinux'],
  description: 'Sets the SELinux mode in its config file and, where possible, now (setenforce).',
  args: {
    state: { type: 'str', required: true, choices: ['enforcing', 'permissive', 'disabled'] },
    policy: { type: 'str' },
    configfile: { type: 'path', default: '/etc/selinux/config', aliases: ['conf', 'file'] },
  },
  probe: (a: Args) =>
    fileAndProbe(a.configfile, 'command -v getenforce >/dev/null && echo "now=$(getenforce)"; true', (out) => /now=(\w+)/.exec(out)?.[1]?.toLowerCase()),
  plan(f, a: Args, _p, mode) {
    const now = f.extra;
    if (!f.file.exists && !now) {
      if (a.state === 'enforcing') return { action: 'fail', msg: `SELinux is not available on ${mode.host}` };
      return { action: 'none', result: { msg: 'SELinux is not installed on this host', state: 'disabled' } };
    }
    const filePlan = planEdit(
      f.file,
      { path: a.configfile, create: true },
      (text) => {
        let lines = toLines(text);
        const set = (k: string, v: string) => {
          const i = lines.findIndex((l) => new RegExp(`^\\s*${k}\\s*=`).test(l));
          if (i < 0) lines = [...lines, `${k}=${v}`];
          else lines[i] = `${k}=${v}`;
        };
        set('SELINUX', a.state);
        if (a.policy) set('SELINUXTYPE', a.policy);
        return fromLines(lines);
      },
      { state: a.state, configfile: a.configfile },
    );
    // setenforce switches between enforcing and permissive only; disabled needs a reboot.
    const live = a.state === 'disabled' ? 'permissive' : a.state;
    const set = now && now !== 'disabled' && now !== live;
    return withLive(
      filePlan,
      set ? { change: `setenforce: ${now} -> ${live}`, command: `setenforce ${live === 'enforcing' ? 1 : 0}` } : undefined,
      set ? { reboot_required: a.state === 'disabled' } : {},
    );
  },
  apply: (p, _a, ctx) => applyWithLive(p, {}, ctx),
});
