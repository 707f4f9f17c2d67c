import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { applyUnit, planUnit, type ServiceArgs, serviceArgs, type UnitFacts, unitProbe } from './systemd.js';
import { defineOperation, type Plan } from './types.js';

/** systemd's view of the unit, or where systemd does not run, what SysV `service` says. */
interface Facts {
  unit: UnitFacts;
  sysv?: { installed: boolean; running: boolean };
}

/** Remote: systemd, or the SysV `service` command on hosts without systemd. */
export const module = defineOperation({
  kind: 'operation',
  name: 'service',
  description: 'Manages a service with systemd, or with the SysV service command where systemd does not run.',
  args: serviceArgs,
  preflight: (a) => (a.name === undefined ? ["'name' is required"] : []),
  probe(a: ServiceArgs, _p, mode) {
    const unit = unitProbe(a, mode);
    const n = shq(a.name!);
    return {
      command: `( ${unit.command} ); urc=$?; echo @@sysv; if [ ! -d /run/systemd/system ]; then if command -v service >/dev/null; then service ${n} status >/dev/null 2>&1; echo rc=$?; else echo NOSERVICE; fi; fi; exit $urc`,
      parse: (r): Facts => {
        const at = r.stdout.lastIndexOf('@@sysv\n');
        const unitFacts = unit.parse({ ...r, stdout: at >= 0 ? r.stdout.slice(0, at) : r.stdout });
        const sysv = at >= 0 ? r.stdout.slice(at) : '';
        return { unit: unitFacts, sysv: unitFacts.noSystemd ? { installed: !sysv.includes('NOSERVICE'), running: sysv.includes('rc=0') } : undefined };
      },
    };
  },
  plan(f: Facts, a: ServiceArgs, _p, mode): Plan<{ systemd: string[] } | { sysv: string }> {
    if (!f.sysv) {
      const p = planUnit(f.unit, a, mode);
      return p.action === 'none' || p.action === 'fail' ? p : { ...p, data: { systemd: p.data } };
    }
    if (!f.sysv.installed) return { action: 'fail', msg: `${mode.host} has neither systemd nor the service command; cannot manage ${a.name}` };
    const running = f.sysv.running;
    const action =
      a.state === 'started' && !running
        ? 'start'
        : a.state === 'stopped' && running
          ? 'stop'
          : a.state === 'restarted'
            ? 'restart'
            : a.state === 'reloaded'
              ? 'reload'
              : undefined;
    const warnings = a.enabled !== undefined ? [`enabled is not managed for ${a.name} on a host without systemd`] : [];
    const result = { name: a.name, state: a.state };
    if (!action) return { action: 'none', result, warnings };
    return { action: 'modify', changes: [`service ${a.name} ${action}`], data: { sysv: action }, result, warnings };
  },
  async apply(p, a, ctx) {
    if ('systemd' in p.data) return applyUnit(p.data.systemd, a.name!, ctx);
    const r = await run(ctx, `service ${shq(a.name!)} ${p.data.sysv} 2>&1`);
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
