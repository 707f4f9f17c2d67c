import { defineModule, type ModuleContext, type ModuleResult } from './types.js';
import { run, shq } from './util.js';

export interface ServiceArgs {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  daemon_reload: boolean;
}

const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']);

/**
 * One round trip reads the unit (after daemon-reload when asked), the
 * controller decides, one more applies every change.
 */
export async function systemdRun(args: ServiceArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const name = args.name;
  const reload = args.daemon_reload && !ctx.check ? 'systemctl daemon-reload || exit 1; ' : '';
  const q = await run(
    ctx,
    `if [ ! -d /run/systemd/system ]; then echo "NOSYSTEMD=$(cat /proc/1/comm 2>/dev/null)"; exit 0; fi; ${reload}${name ? `systemctl show ${shq(name)} -p LoadState -p ActiveState -p SubState -p UnitFileState -p ConditionResult -p ConditionTimestampMonotonic --no-pager` : 'true'}`,
  );
  const nos = /NOSYSTEMD=(.*)/.exec(q.stdout);
  if (nos) return { failed: true, msg: `${ctx.host} does not run systemd (PID 1 is '${nos[1] || 'unknown'}'); systemd units cannot be managed there` };
  if (q.rc !== 0) return { failed: true, msg: q.stderr.trim() };
  // A daemon-reload alone reports ok, as ansible-core's systemd module does: it changes no unit's state.
  if (!name) return { changed: false, name: '' };
  const props = Object.fromEntries(q.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const unitFile = props.UnitFileState ?? '';
  const active = props.ActiveState === 'active' || props.ActiveState === 'activating' || props.ActiveState === 'reloading';
  const masked = props.LoadState === 'masked' || unitFile === 'masked';
  if (props.LoadState === 'not-found' && (args.state || args.enabled !== undefined || args.masked === true)) {
    // In check mode the package that brings the unit may only be predicted, not installed.
    if (ctx.check) {
      ctx.warn(`${name} is not installed on ${ctx.host} yet; check mode assumes an earlier task installs it`);
      return { changed: true, name, state: args.state };
    }
    return { failed: true, msg: `Could not find the requested service ${name}: host` };
  }
  const cmds: string[] = [];
  const n = shq(name);
  if (args.masked === false && masked) cmds.push(`systemctl unmask ${n}`);
  if (args.masked === true && !masked) cmds.push(`systemctl mask ${n}`);
  if (args.enabled === true && !ENABLED.has(unitFile)) cmds.push(`systemctl enable ${n}`);
  if (args.enabled === false && ENABLED.has(unitFile) && unitFile !== 'static') cmds.push(`systemctl disable ${n}`);
  // A unit whose start condition was already found unmet (chrony without CAP_SYS_TIME
  // in a container) stays inactive after every start: starting again changes nothing.
  const conditionUnmet = props.ConditionResult === 'no' && props.ConditionTimestampMonotonic !== '0';
  if (args.state === 'started' && !active && conditionUnmet) ctx.warn(`${name}: its start condition is not met on ${ctx.host}, so it stays inactive (systemctl status ${name})`);
  // A unit that failed (docker right after its package installed it with a config that
  // cannot work here) may be at its start limit; clear that before starting it again.
  if ((args.state === 'started' || args.state === 'restarted') && props.ActiveState === 'failed') cmds.push(`systemctl reset-failed ${n}`);
  if (args.state === 'started' && !active && !conditionUnmet) cmds.push(`systemctl start ${n}`);
  if (args.state === 'stopped' && active) cmds.push(`systemctl stop ${n}`);
  if (args.state === 'restarted') cmds.push(`systemctl restart ${n}`);
  if (args.state === 'reloaded') cmds.push(active ? `systemctl reload-or-restart ${n}` : `systemctl start ${n}`);
  const after = {
    state: args.state === 'stopped' ? 'inactive' : args.state ? 'active' : props.ActiveState,
    enabled: args.enabled === undefined ? unitFile : args.enabled ? 'enabled' : 'disabled',
    masked: args.masked ?? masked,
  };
  const result: ModuleResult = { changed: cmds.length > 0, name, state: after.state, enabled: ENABLED.has(after.enabled ?? ''), status: props };
  if (ctx.diff && result.changed) {
    result.diff = [{ path: `service ${name}`, before: `state: ${props.ActiveState}\nenabled: ${unitFile}\nmasked: ${masked}\n`, after: `state: ${after.state}\nenabled: ${after.enabled}\nmasked: ${after.masked}\n` }];
  }
  if (!result.changed || ctx.check) return result;
  const r = await run(ctx, `${cmds.join(' && ')} 2>&1`);
  if (r.rc !== 0) {
    const status = await run(ctx, `systemctl status ${n} --no-pager -n 10 2>&1 | tail -n 15`);
    return { ...result, failed: true, msg: `Unable to ${cmds.at(-1)!.split(' ')[1]} service ${name}: ${r.stdout.trim()}\n${status.stdout.trim()}` };
  }
  return result;
}

export const serviceArgs = {
  name: { type: 'str', aliases: ['service', 'unit'] },
  state: { type: 'str', choices: ['started', 'stopped', 'restarted', 'reloaded'] },
  enabled: { type: 'bool' },
  masked: { type: 'bool' },
  daemon_reload: { type: 'bool', default: false, aliases: ['daemon-reload'] },
} as const;

/** Remote: systemd (systemctl). */
export const module = defineModule<ServiceArgs>({
  name: 'systemd',
  aliases: ['systemd_service'],
  description: 'Starts, stops, restarts, reloads, enables, masks systemd units; daemon_reload after unit file changes.',
  args: serviceArgs,
  checkMode: 'predict',
  preflight: (a) => (a.name === undefined && a.daemon_reload !== true ? ["'name' is required unless daemon_reload is set"] : []),
  run: systemdRun,
});
