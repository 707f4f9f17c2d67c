import { applyUnit, planUnit, type ServiceArgs, type UnitFacts, unitProbe } from './systemd.js';
import { defineOperation, type Plan } from './types.js';

const unitArgs = (state: 'enabled' | 'disabled'): ServiceArgs => ({
  name: 'firewalld',
  state: state === 'enabled' ? 'started' : 'stopped',
  enabled: state === 'enabled',
  daemon_reload: false,
});

/**
 * tsplay's firewalld covers what the runbooks need: the daemon on or off (and
 * enabled at boot or not). Rules are not managed. Remote: systemd; a host without
 * firewalld is already "disabled".
 */
export const module = defineOperation({
  kind: 'operation',
  name: 'firewalld',
  fqcn: ['ansible.posix.firewalld'],
  description: 'Turns the firewalld daemon on or off, now and at boot.',
  args: { state: { type: 'str', required: true, choices: ['enabled', 'disabled'] } },
  probe(a: { state: 'enabled' | 'disabled' }, _p, mode) {
    const unit = unitProbe(unitArgs(a.state), mode);
    return {
      command: `if systemctl cat firewalld.service >/dev/null 2>&1; then echo @@present; ${unit.command}; else echo @@absent; fi`,
      parse: (r): UnitFacts | undefined => (r.stdout.startsWith('@@absent') ? undefined : unit.parse({ ...r, stdout: r.stdout.replace(/^@@present\n/, '') })),
    };
  },
  plan(f, a, _p, mode): Plan<string[]> {
    if (!f)
      return a.state === 'enabled'
        ? { action: 'fail', msg: `firewalld is not installed on ${mode.host}` }
        : { action: 'none', result: { msg: 'firewalld is not installed' } };
    return planUnit(f, unitArgs(a.state), mode);
  },
  apply: (p, _a, ctx) => applyUnit(p.data, 'firewalld', ctx),
});
