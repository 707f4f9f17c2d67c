import { aptRun } from './apt.js';
import { rpmRun } from './dnf.js';
import { defineModule } from './types.js';
import { run } from './util.js';

/** Picks apt, dnf or yum from the facts (ansible_pkg_mgr), or asks the host when facts were not gathered. */
export const module = defineModule<{ name: string[]; state: 'present' | 'installed' | 'latest' | 'absent' | 'removed'; use?: string }>({
  name: 'package',
  description: 'Installs or removes packages with the host’s own package manager (apt, dnf or yum).',
  args: {
    name: { type: 'list', elements: 'str', required: true },
    state: { type: 'str', default: 'present', choices: ['present', 'installed', 'latest', 'absent', 'removed'] },
    use: { type: 'str', choices: ['auto', 'apt', 'dnf', 'yum'] },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    let mgr = args.use && args.use !== 'auto' ? args.use : undefined;
    const fact = ctx.vars.lookup('ansible_pkg_mgr');
    if (!mgr && typeof fact === 'string' && fact !== 'unknown') mgr = fact;
    if (!mgr) {
      const r = await run(ctx, 'for p in apt-get dnf yum; do command -v $p >/dev/null 2>&1 && { echo $p; break; }; done');
      mgr = r.stdout.trim().replace('apt-get', 'apt');
    }
    if (mgr === 'apt') return aptRun({ name: args.name, state: args.state, update_cache: false, cache_valid_time: 0, purge: false, allow_downgrade: false, allow_change_held_packages: false }, ctx);
    if (mgr === 'dnf' || mgr === 'yum') return rpmRun(mgr, { name: args.name, state: args.state, update_cache: false, disable_gpg_check: false, enablerepo: [] }, ctx);
    return { failed: true, msg: `no supported package manager on ${ctx.host} (looked for apt-get, dnf, yum)` };
  },
});
