import { defineModule } from './types.js';
import { run, shq } from './util.js';

/** Remote: sh, coreutils; hostnamectl where systemd runs, else hostname(1). */
export const module = defineModule<{ name: string; use?: string }>({
  name: 'hostname',
  description: 'Sets the hostname, now and in /etc/hostname.',
  args: { name: { type: 'str', required: true }, use: { type: 'str', choices: ['systemd', 'debian', 'redhat', 'generic', 'alpine'] } },
  checkMode: 'predict',
  preflight: (a) => (typeof a.name === 'string' && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(a.name) ? [`'${a.name}' is not a valid hostname (letters, digits, '-' and '.', not starting or ending with '-')`] : []),
  async run(args, ctx) {
    const q = await run(ctx, 'echo "now=$(hostname)"; echo "file=$(cat /etc/hostname 2>/dev/null)"; [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null && echo systemd=yes; true');
    const now = /now=(.*)/.exec(q.stdout)?.[1] ?? '';
    const file = /file=(.*)/.exec(q.stdout)?.[1] ?? '';
    const changed = now !== args.name || file !== args.name;
    const result = { changed, name: args.name, ansible_facts: { ansible_hostname: args.name.split('.')[0], ansible_nodename: args.name }, diff: ctx.diff && changed ? [{ path: 'hostname', before: `${now}\n`, after: `${args.name}\n` }] : undefined };
    if (!changed || ctx.check) return result;
    const useSystemd = args.use === 'systemd' || (args.use === undefined && q.stdout.includes('systemd=yes'));
    const n = shq(args.name);
    const r = await run(ctx, useSystemd ? `hostnamectl set-hostname ${n} 2>&1 || { echo ${n} > /etc/hostname && hostname ${n}; }` : `echo ${n} > /etc/hostname && hostname ${n} 2>&1`);
    if (r.rc !== 0) return { ...result, failed: true, msg: r.stdout.trim() };
    return result;
  },
});
