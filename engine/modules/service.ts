import { serviceArgs, systemdRun, type ServiceArgs } from './systemd.js';
import { defineModule } from './types.js';
import { run, shq } from './util.js';

/** Remote: systemd, or the SysV `service` command on hosts without systemd. */
export const module = defineModule<ServiceArgs>({
  name: 'service',
  description: 'Manages a service with systemd, or with the SysV service command where systemd does not run.',
  args: serviceArgs,
  checkMode: 'predict',
  preflight: (a) => (a.name === undefined ? ["'name' is required"] : []),
  async run(args, ctx) {
    const r = await systemdRun(args, ctx);
    if (!r.failed || !String(r.msg).includes('does not run systemd')) return r;
    const n = shq(args.name!);
    const q = await run(ctx, `command -v service >/dev/null || { echo NOSERVICE; exit 0; }; service ${n} status >/dev/null 2>&1; echo rc=$?`);
    if (q.stdout.includes('NOSERVICE')) return { failed: true, msg: `${ctx.host} has neither systemd nor the service command; cannot manage ${args.name}` };
    const running = q.stdout.includes('rc=0');
    const action = args.state === 'started' && !running ? 'start' : args.state === 'stopped' && running ? 'stop' : args.state === 'restarted' ? 'restart' : args.state === 'reloaded' ? 'reload' : undefined;
    if (args.enabled !== undefined) ctx.warn(`enabled is not managed for ${args.name} on a host without systemd`);
    if (!action || ctx.check) return { changed: !!action, name: args.name, state: args.state };
    const a = await run(ctx, `service ${n} ${action} 2>&1`);
    return a.rc === 0 ? { changed: true, name: args.name, state: args.state } : { failed: true, msg: a.stdout.trim() };
  },
});
