import { defineModule } from './types.js';
import { run, shq } from './util.js';

/** Remote: sh, coreutils; timedatectl where systemd runs; tzdata in /usr/share/zoneinfo. */
export const module = defineModule<{ name: string }>({
  name: 'timezone',
  description: 'Sets the system time zone (/etc/localtime, /etc/timezone).',
  args: { name: { type: 'str', required: true } },
  checkMode: 'predict',
  async run(args, ctx) {
    const zone = shq(`/usr/share/zoneinfo/${args.name}`);
    const q = await run(ctx, `echo "link=$(readlink /etc/localtime 2>/dev/null)"; echo "file=$(cat /etc/timezone 2>/dev/null)"; [ -e ${zone} ] && echo known=yes; true`);
    if (!q.stdout.includes('known=yes')) return { failed: true, msg: `unknown time zone '${args.name}' (not in /usr/share/zoneinfo)` };
    const cur = (/link=.*zoneinfo\/(.*)/.exec(q.stdout)?.[1] ?? /file=(.*)/.exec(q.stdout)?.[1] ?? '').trim();
    const file = /file=(.*)/.exec(q.stdout)?.[1]?.trim();
    const changed = cur !== args.name || (file !== undefined && file !== '' && file !== args.name);
    const result = { changed, diff: ctx.diff && changed ? [{ path: 'timezone', before: `${cur}\n`, after: `${args.name}\n` }] : undefined };
    if (!changed || ctx.check) return result;
    const n = shq(args.name);
    const r = await run(ctx, `ln -sf ${zone} /etc/localtime && { [ ! -e /etc/timezone ] || echo ${n} > /etc/timezone; } 2>&1`);
    return r.rc === 0 ? result : { ...result, failed: true, msg: r.stdout.trim() };
  },
});
