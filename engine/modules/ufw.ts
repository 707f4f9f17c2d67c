import { defineModule } from './types.js';
import { run } from './util.js';

/** Remote: ufw when installed; a host without ufw is already "disabled". */
export const module = defineModule<{ state: 'enabled' | 'disabled' | 'reset' }>({
  name: 'ufw',
  description: 'Enables, disables or resets the ufw firewall (the runbooks disable it).',
  args: { state: { type: 'str', required: true, choices: ['enabled', 'disabled', 'reset'] } },
  checkMode: 'predict',
  async run(args, ctx) {
    const q = await run(ctx, 'command -v ufw >/dev/null || { echo NOUFW; exit 0; }; ufw status 2>&1 | head -1');
    if (q.stdout.includes('NOUFW')) {
      if (args.state === 'enabled') return { failed: true, msg: `ufw is not installed on ${ctx.host}` };
      return { changed: false, msg: 'ufw is not installed' };
    }
    const active = /Status: active/.test(q.stdout);
    const cmd = args.state === 'enabled' && !active ? 'ufw --force enable' : args.state === 'disabled' && active ? 'ufw disable' : args.state === 'reset' ? 'ufw --force reset' : undefined;
    const result = { changed: !!cmd, status: active ? 'active' : 'inactive', diff: ctx.diff && cmd ? [{ path: 'ufw', before: `${active ? 'active' : 'inactive'}\n`, after: `${args.state === 'enabled' ? 'active' : 'inactive'}\n` }] : undefined };
    if (!cmd || ctx.check) return result;
    const r = await run(ctx, `${cmd} 2>&1`);
    return r.rc === 0 ? result : { ...result, failed: true, msg: r.stdout.trim() };
  },
});
