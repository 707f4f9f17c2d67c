import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { type Change, defineOperation, type ModuleContext, type ModuleResult, type Plan, type Probe } from './types.js';

export interface RpmArgs {
  name: string[];
  state: 'present' | 'installed' | 'latest' | 'absent' | 'removed';
  update_cache: boolean;
  disable_gpg_check: boolean;
  enablerepo: string[];
}

export const rpmArgs = {
  name: { type: 'list', elements: 'str', required: true, aliases: ['pkg'] },
  state: { type: 'str', default: 'present', choices: ['present', 'installed', 'latest', 'absent', 'removed'] },
  update_cache: { type: 'bool', default: false, aliases: ['expire-cache'] },
  disable_gpg_check: { type: 'bool', default: false },
  enablerepo: { type: 'list', elements: 'str', default: [] },
} as const;

export interface RpmFacts {
  noTool?: boolean;
  installed: string[];
  missing: string[];
  /** latest: `check-update` found newer versions (exit status 100). */
  updates: boolean;
}

const rpmOpts = (a: RpmArgs): string =>
  [a.disable_gpg_check ? '--nogpgcheck' : '', ...a.enablerepo.map((r) => `--enablerepo=${shq(r)}`)].filter(Boolean).join(' ');

/** dnf and yum: rpm -q reads what is installed, and for latest check-update what is newer, in one round trip. */
export function rpmProbe(tool: 'dnf' | 'yum', a: RpmArgs): Probe<RpmFacts> {
  const names = a.name.map(shq).join(' ');
  return {
    command: [
      `command -v ${tool} >/dev/null || { echo NOTOOL; exit 0; }`,
      `for p in ${names}; do rpm -q --qf 'pkg=%{NAME}|%{VERSION}-%{RELEASE}\\n' "$p" 2>/dev/null || echo "missing=$p"; done`,
      ...(a.state === 'latest' ? [`${tool} -q check-update ${rpmOpts(a)} ${names} >/dev/null 2>&1; echo check_rc=$?`] : []),
    ].join('\n'),
    parse: (r): RpmFacts => {
      const lines = r.stdout.split('\n');
      return {
        noTool: r.stdout.includes('NOTOOL'),
        installed: lines.filter((l) => l.startsWith('pkg=')).map((l) => l.slice(4).split('|')[0]!),
        missing: lines.filter((l) => l.startsWith('missing=')).map((l) => l.slice(8)),
        updates: r.stdout.includes('check_rc=100'),
      };
    },
  };
}

export function rpmPlan(tool: 'dnf' | 'yum', f: RpmFacts, a: RpmArgs, host: string): Plan<string> {
  if (f.noTool) return { action: 'fail', msg: `${tool} not found on ${host}: this host is not in the RHEL family; use the apt or package module` };
  const removing = a.state === 'absent' || a.state === 'removed';
  const targets = removing ? a.name.filter((n) => !f.missing.includes(n)) : f.missing;
  const result: ModuleResult = { results: targets, installed: f.installed };
  if (!targets.length && !(a.state === 'latest' && f.updates)) return { action: 'none', result };
  const verb = removing ? 'remove' : a.state === 'latest' ? 'upgrade' : 'install';
  const list = a.state === 'latest' ? a.name : targets;
  const cmd = `${a.update_cache ? `${tool} -q makecache && ` : ''}${tool} -y ${rpmOpts(a)} ${verb} ${list.map(shq).join(' ')} 2>&1`;
  return { action: removing ? 'remove' : 'modify', changes: list.map((n) => `${verb} ${n}`), data: cmd, result };
}

export async function rpmApply(tool: 'dnf' | 'yum', p: Change<string>, ctx: ModuleContext): Promise<ModuleResult> {
  const r = await run(ctx, p.data);
  const verb = / (remove|upgrade|install) /.exec(p.data)?.[1] ?? 'install';
  if (r.rc !== 0) return { failed: true, rc: r.rc, msg: `${tool} ${verb} failed: ${r.stdout.trim().split('\n').slice(-5).join('\n')}` };
  return { stdout: r.stdout };
}

/** dnf and yum are one operation with the tool's name. */
export function rpmOperation(tool: 'dnf' | 'yum') {
  return {
    kind: 'operation' as const,
    probe: (a: RpmArgs): Probe<RpmFacts> => rpmProbe(tool, a),
    plan: (f: RpmFacts, a: RpmArgs, _p: undefined, mode: { host: string }): Plan<string> => rpmPlan(tool, f, a, mode.host),
    apply: (p: Change<string>, _a: RpmArgs, ctx: ModuleContext): Promise<ModuleResult> => rpmApply(tool, p, ctx),
  };
}

/** Remote: dnf, rpm (RHEL, Rocky, Fedora). */
export const module = defineOperation({
  name: 'dnf',
  description: 'Installs, upgrades or removes RPM packages with dnf.',
  args: rpmArgs,
  ...rpmOperation('dnf'),
});
