import { systemdRun } from './systemd.js';
import { defineModule } from './types.js';
import { run } from './util.js';

/**
 * tsplay's firewalld covers what the runbooks need: the daemon on or off (and
 * enabled at boot or not). Rules are not managed. Remote: systemd; a host without
 * firewalld is already "disabled".
 */
export const module = defineModule<{ state: 'enabled' | 'disabled' }>({
  name: 'firewalld',
  description: 'Turns the firewalld daemon on or off, now and at boot.',
  args: { state: { type: 'str', required: true, choices: ['enabled', 'disabled'] } },
  checkMode: 'predict',
  async run(args, ctx) {
    const q = await run(ctx, 'systemctl cat firewalld.service >/dev/null 2>&1 && echo present || echo absent');
    if (q.stdout.includes('absent')) {
      if (args.state === 'enabled') return { failed: true, msg: `firewalld is not installed on ${ctx.host}` };
      return { changed: false, msg: 'firewalld is not installed' };
    }
    const on = args.state === 'enabled';
    return systemdRun({ name: 'firewalld', state: on ? 'started' : 'stopped', enabled: on, daemon_reload: false }, ctx);
  },
});
