import { type AptFacts, aptApply, aptDefaults, aptPlan, aptProbe } from './apt.js';
import { type RpmFacts, rpmApply, rpmPlan, rpmProbe } from './dnf.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

type State = 'present' | 'installed' | 'latest' | 'absent' | 'removed';

interface Args {
  name: string[];
  state: State;
  use?: string;
}

type Manager = 'apt' | 'dnf' | 'yum';

const aptArgs = (a: Args) => ({ ...aptDefaults, name: a.name, state: a.state });
const rpmArgs = (a: Args) => ({ name: a.name, state: a.state, update_cache: false, disable_gpg_check: false, enablerepo: [] });

/** Picks apt, dnf or yum from the facts (ansible_pkg_mgr), or asks the host when facts were not gathered. */
export const module = defineOperation({
  kind: 'operation',
  name: 'package',
  description: 'Installs or removes packages with the host’s own package manager (apt, dnf or yum).',
  args: {
    name: { type: 'list', elements: 'str', required: true },
    state: { type: 'str', default: 'present', choices: ['present', 'installed', 'latest', 'absent', 'removed'] },
    use: { type: 'str', choices: ['auto', 'apt', 'dnf', 'yum'] },
  },
  async prepare(a: Args, ctx): Promise<Manager | undefined> {
    if (a.use && a.use !== 'auto') return a.use as Manager;
    const fact = ctx.vars.lookup('ansible_pkg_mgr');
    if (typeof fact === 'string' && fact !== 'unknown') return fact as Manager;
    const r = await run(ctx, 'for p in apt-get dnf yum; do command -v $p >/dev/null 2>&1 && { echo $p; break; }; done');
    const found = r.stdout.trim().replace('apt-get', 'apt');
    return found === 'apt' || found === 'dnf' || found === 'yum' ? found : undefined;
  },
  probe(a, mgr, mode) {
    if (mgr === 'apt') {
      const p = aptProbe(aptArgs(a), {}, mode);
      return { command: p.command, parse: (r): AptFacts | RpmFacts | undefined => p.parse(r) };
    }
    if (mgr === 'dnf' || mgr === 'yum') {
      const p = rpmProbe(mgr, rpmArgs(a));
      return { command: p.command, parse: (r): AptFacts | RpmFacts | undefined => p.parse(r) };
    }
    return { command: 'true', parse: (): AptFacts | RpmFacts | undefined => undefined };
  },
  plan(f, a, mgr, mode): Plan<{ install: string[]; remove: string[] } | string> {
    if (mgr === 'apt' && f && 'candidates' in f) return aptPlan(f, aptArgs(a), {});
    if ((mgr === 'dnf' || mgr === 'yum') && f && 'missing' in f && !('candidates' in f)) return rpmPlan(mgr, f, rpmArgs(a), mode.host);
    return { action: 'fail', msg: `no supported package manager on ${mode.host} (looked for apt-get, dnf, yum)` };
  },
  apply(p, a, ctx, mgr) {
    if (typeof p.data === 'string') return rpmApply(mgr as 'dnf' | 'yum', { ...p, data: p.data }, ctx);
    return aptApply({ ...p, data: p.data }, aptArgs(a), ctx, {});
  },
});
