import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

/** Remote: ufw when installed; a host without ufw is already "disabled". */
export const module = defineOperation({
  kind: 'operation',
  name: 'ufw',
  fqcn: ['community.general.ufw'],
  description: 'Enables, disables or resets the ufw firewall (the runbooks disable it).',
  args: { state: { type: 'str', required: true, choices: ['enabled', 'disabled', 'reset'] } },
  probe: () => ({
    command: 'command -v ufw >/dev/null || { echo NOUFW; exit 0; }; ufw status 2>&1 | head -1',
    parse: (r): { installed: boolean; active: boolean } => ({ installed: !r.stdout.includes('NOUFW'), active: /Status: active/.test(r.stdout) }),
  }),
  plan(f, a: { state: 'enabled' | 'disabled' | 'reset' }, _p, mode): Plan<string> {
    if (!f.installed)
      return a.state === 'enabled'
        ? { action: 'fail', msg: `ufw is not installed on ${mode.host}` }
        : { action: 'none', result: { msg: 'ufw is not installed' } };
    const status = f.active ? 'active' : 'inactive';
    const cmd =
      a.state === 'enabled' && !f.active
        ? 'ufw --force enable'
        : a.state === 'disabled' && f.active
          ? 'ufw disable'
          : a.state === 'reset'
            ? 'ufw --force reset'
            : undefined;
    if (!cmd) return { action: 'none', result: { status } };
    return {
      action: 'modify',
      changes: [cmd],
      data: cmd,
      diff: [{ path: 'ufw', before: `${status}\n`, after: `${a.state === 'enabled' ? 'active' : 'inactive'}\n` }],
      result: { status },
    };
  },
  async apply(p, _a, ctx) {
    const r = await run(ctx, `${p.data} 2>&1`);
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
