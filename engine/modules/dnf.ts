import { defineModule, type ModuleContext, type ModuleResult } from './types.js';
import { run, shq } from './util.js';

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

/** dnf and yum: rpm -q reads what is installed in the same round trip as the tool check. */
export async function rpmRun(tool: 'dnf' | 'yum', args: RpmArgs, ctx: ModuleContext): Promise<ModuleResult> {
  // name-1.2.3 and name-1.2.3-1.el9 pin a version; the name is what rpm -q reports.
  const probe = await run(ctx, `command -v ${tool} >/dev/null || { echo NOTOOL; exit 0; }; for p in ${args.name.map(shq).join(' ')}; do rpm -q --qf 'pkg=%{NAME}|%{VERSION}-%{RELEASE}\\n' "$p" 2>/dev/null || echo "missing=$p"; done`);
  if (probe.stdout.includes('NOTOOL')) return { failed: true, msg: `${tool} not found on ${ctx.host}: this host is not in the RHEL family; use the apt or package module` };
  const installed = new Set(probe.stdout.split('\n').filter((l) => l.startsWith('pkg=')).map((l) => l.slice(4).split('|')[0]));
  const missing = probe.stdout.split('\n').filter((l) => l.startsWith('missing=')).map((l) => l.slice(8));
  const removing = args.state === 'absent' || args.state === 'removed';
  const targets = removing ? args.name.filter((n) => !missing.includes(n)) : missing;
  let changed = targets.length > 0;
  const opts = [args.disable_gpg_check ? '--nogpgcheck' : '', ...args.enablerepo.map((r) => `--enablerepo=${shq(r)}`)].filter(Boolean).join(' ');
  if (args.state === 'latest' && !changed) {
    const c = await run(ctx, `${tool} -q check-update ${opts} ${args.name.map(shq).join(' ')} >/dev/null 2>&1; echo rc=$?`);
    changed = c.stdout.includes('rc=100');
  }
  const result: ModuleResult = { changed, results: targets, installed: [...installed] };
  if (!changed || ctx.check) return result;
  const verb = removing ? 'remove' : args.state === 'latest' ? 'upgrade' : 'install';
  const list = args.state === 'latest' ? args.name : targets;
  const r = await run(ctx, `${args.update_cache ? `${tool} -q makecache && ` : ''}${tool} -y ${opts} ${verb} ${list.map(shq).join(' ')} 2>&1`);
  if (r.rc !== 0) return { ...result, failed: true, rc: r.rc, msg: `${tool} ${verb} failed: ${r.stdout.trim().split('\n').slice(-5).join('\n')}` };
  return { ...result, stdout: r.stdout };
}

/** Remote: dnf, rpm (RHEL, Rocky, Fedora). */
export const module = defineModule<RpmArgs>({
  name: 'dnf',
  description: 'Installs, upgrades or removes RPM packages with dnf.',
  args: rpmArgs,
  checkMode: 'predict',
  run: (args, ctx) => rpmRun('dnf', args, ctx),
});
