import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation, type ModuleContext, type ModuleResult, type Plan, type Probe, type ProbeMode } from './types.js';

export interface ServiceArgs {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  daemon_reload: boolean;
}

/** What `systemctl show` says of the unit, or why systemd cannot be asked. */
export interface UnitFacts {
  /** PID 1's name when systemd does not run there. */
  noSystemd?: string;
  error?: string;
  props: Record<string, string>;
}

const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']);

/**
 * Reads the unit. With daemon_reload the reload comes first, outside check mode,
 * so the state read is the one the new unit files give; like ansible-core's
 * systemd module, the reload alone is not reported as a change.
 */
export function unitProbe(a: ServiceArgs, mode: ProbeMode): Probe<UnitFacts> {
  const reload = a.daemon_reload && !mode.check ? 'systemctl daemon-reload || exit 1; ' : '';
  const show = a.name
    ? `systemctl show ${shq(a.name)} -p LoadState -p ActiveState -p SubState -p UnitFileState -p ConditionResult -p ConditionTimestampMonotonic --no-pager`
    : 'true';
  return {
    command: `if [ ! -d /run/systemd/system ]; then echo "NOSYSTEMD=$(cat /proc/1/comm 2>/dev/null)"; exit 0; fi; ${reload}${show}`,
    parse: (r) => {
      const nos = /NOSYSTEMD=(.*)/.exec(r.stdout);
      if (nos) return { noSystemd: nos[1] || 'unknown', props: {} };
      if (r.rc !== 0) return { error: r.stderr.trim(), props: {} };
      return {
        props: Object.fromEntries(
          r.stdout
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        ),
      };
    },
  };
}

/** Pure: the systemctl commands that bring the unit where the arguments say. */
export function planUnit(f: UnitFacts, a: ServiceArgs, mode: ProbeMode): Plan<string[]> {
  // daemon_reload alone in check mode reloads nothing, so it asks nothing of the host (ansible-core 2.14: ok).
  if (!a.name && mode.check) return { action: 'none', result: { name: '' } };
  if (f.noSystemd) return { action: 'fail', msg: `${mode.host} does not run systemd (PID 1 is '${f.noSystemd}'); systemd units cannot be managed there` };
  if (f.error !== undefined) return { action: 'fail', msg: f.error };
  const name = a.name;
  // A daemon-reload alone reports ok, as ansible-core's systemd module does: it changes no unit's state.
  if (!name) return { action: 'none', result: { name: '' } };
  const props = f.props;
  const unitFile = props.UnitFileState ?? '';
  const active = props.ActiveState === 'active' || props.ActiveState === 'activating' || props.ActiveState === 'reloading';
  const masked = props.LoadState === 'masked' || unitFile === 'masked';
  if (props.LoadState === 'not-found' && (a.state || a.enabled !== undefined || a.masked === true)) {
    // In check mode the package that brings the unit may only be predicted, not installed.
    if (mode.check)
      return {
        action: 'modify',
        changes: [`${name} (not installed yet)`],
        data: [],
        result: { name, state: a.state },
        warnings: [`${name} is not installed on ${mode.host} yet; check mode assumes an earlier task installs it`],
      };
    return { action: 'fail', msg: `Could not find the requested service ${name}: host` };
  }
  const cmds: string[] = [];
  const warnings: string[] = [];
  const n = shq(name);
  if (a.masked === false && masked) cmds.push(`systemctl unmask ${n}`);
  if (a.masked === true && !masked) cmds.push(`systemctl mask ${n}`);
  if (a.enabled === true && !ENABLED.has(unitFile)) cmds.push(`systemctl enable ${n}`);
  if (a.enabled === false && ENABLED.has(unitFile) && unitFile !== 'static') cmds.push(`systemctl disable ${n}`);
  // A unit whose start condition was already found unmet (chrony without CAP_SYS_TIME
  // in a container) stays inactive after every start: starting again changes nothing.
  const conditionUnmet = props.ConditionResult === 'no' && props.ConditionTimestampMonotonic !== '0';
  if (a.state === 'started' && !active && conditionUnmet)
    warnings.push(`${name}: its start condition is not met on ${mode.host}, so it stays inactive (systemctl status ${name})`);
  // A unit that failed (docker right after its package installed it with a config that
  // cannot work here) may be at its start limit; clear that before starting it again.
  if ((a.state === 'started' || a.state === 'restarted') && props.ActiveState === 'failed') cmds.push(`systemctl reset-failed ${n}`);
  if (a.state === 'started' && !active && !conditionUnmet) cmds.push(`systemctl start ${n}`);
  if (a.state === 'stopped' && active) cmds.push(`systemctl stop ${n}`);
  if (a.state === 'restarted') cmds.push(`systemctl restart ${n}`);
  if (a.state === 'reloaded') cmds.push(active ? `systemctl reload-or-restart ${n}` : `systemctl start ${n}`);
  const after = {
    state: a.state === 'stopped' ? 'inactive' : a.state ? 'active' : props.ActiveState,
    enabled: a.enabled === undefined ? unitFile : a.enabled ? 'enabled' : 'disabled',
    masked: a.masked ?? masked,
  };
  const result: ModuleResult = { name, state: after.state, enabled: ENABLED.has(after.enabled ?? ''), status: props };
  if (!cmds.length) return { action: 'none', result, warnings };
  return {
    action: 'modify',
    changes: cmds,
    data: cmds,
    diff: [
      {
        path: `service ${name}`,
        before: `state: ${props.ActiveState}\nenabled: ${unitFile}\nmasked: ${masked}\n`,
        after: `state: ${after.state}\nenabled: ${after.enabled}\nmasked: ${after.masked}\n`,
      },
    ],
    result,
    warnings,
  };
}

/** Runs the planned systemctl commands; on failure, says why with the unit's status. */
export async function applyUnit(cmds: string[], name: string, ctx: ModuleContext): Promise<ModuleResult | undefined> {
  if (!cmds.length) return undefined;
  const r = await run(ctx, `${cmds.join(' && ')} 2>&1`);
  if (r.rc === 0) return undefined;
  const status = await run(ctx, `systemctl status ${shq(name)} --no-pager -n 10 2>&1 | tail -n 15`);
  return { failed: true, msg: `Unable to ${cmds.at(-1)!.split(' ')[1]} service ${name}: ${r.stdout.trim()}\n${status.stdout.trim()}` };
}

export const serviceArgs = {
  name: { type: 'str', aliases: ['service', 'unit'] },
  state: { type: 'str', choices: ['started', 'stopped', 'restarted', 'reloaded'] },
  enabled: { type: 'bool' },
  masked: { type: 'bool' },
  daemon_reload: { type: 'bool', default: false, aliases: ['daemon-reload'] },
} as const;

/** Remote: systemd (systemctl). */
export const module = defineOperation({
  kind: 'operation',
  name: 'systemd',
  aliases: ['systemd_service'],
  description: 'Starts, stops, restarts, reloads, enables, masks systemd units; daemon_reload after unit file changes.',
  args: serviceArgs,
  preflight: (a) => (a.name === undefined && a.daemon_reload !== true ? ["'name' is required unless daemon_reload is set"] : []),
  probe: (a: ServiceArgs, _p, mode) => unitProbe(a, mode),
  plan: (f, a, _p, mode) => planUnit(f, a, mode),
  apply: (p, a, ctx) => applyUnit(p.data, a.name!, ctx),
});
