import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineModule, type ModuleContext, type ModuleResult } from './types.js';
import { findLocal, run, shq } from './util.js';

interface AptArgs {
  name: string[];
  state: 'present' | 'installed' | 'latest' | 'absent' | 'removed';
  update_cache: boolean;
  cache_valid_time: number;
  deb?: string;
  install_recommends?: boolean;
  purge: boolean;
  allow_downgrade: boolean;
  allow_change_held_packages: boolean;
}

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

interface Installed {
  status: string;
  version: string;
}

/** name=version splits at the first '='; a version may hold ':' (epoch) and '~'. */
function splitPin(spec: string): { name: string; version?: string } {
  const i = spec.indexOf('=');
  return i < 0 ? { name: spec } : { name: spec.slice(0, i), version: spec.slice(i + 1) };
}

function parseState(out: string): { installed: Map<string, Installed>; candidates: Map<string, string>; cacheAge: number } {
  const installed = new Map<string, Installed>();
  const candidates = new Map<string, string>();
  let mtime = 0;
  let now = 0;
  let policyPkg: string | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('pkg=')) {
      const [name, status, version] = line.slice(4).split('|');
      installed.set(name!, { status: status!.trim(), version: version ?? '' });
    } else if (line.startsWith('cache_mtime=')) mtime = Number(line.slice(12));
    else if (line.startsWith('now=')) now = Number(line.slice(4));
    else if (/^\S.*:$/.test(line)) policyPkg = line.slice(0, -1);
    else if (policyPkg && /^\s+Candidate:/.test(line)) candidates.set(policyPkg, line.split(':').slice(1).join(':').trim());
  }
  return { installed, candidates, cacheAge: mtime ? now - mtime : Infinity };
}

export async function aptRun(args: AptArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const result: ModuleResult = { changed: false, cache_updated: false };
  let debPath: string | undefined;
  let debSpec: string | undefined;
  const names = [...args.name];
  if (args.deb) {
    // A .deb from the controller (role files/) or a URL goes to the host first; dpkg-deb reads its name and version there.
    debPath = `/tmp/tsplay-${basename(args.deb).replace(/[^\w.+-]/g, '_')}`;
    if (/^https?:\/\//.test(args.deb)) {
      const r = await run(ctx, `curl -fsSL --connect-timeout 20 -o ${shq(debPath)} ${shq(args.deb)} 2>&1 || wget -q -T 20 -O ${shq(debPath)} ${shq(args.deb)} 2>&1`);
      if (r.rc !== 0) return { failed: true, msg: `cannot download ${args.deb} on the host (offline or unreachable URL): ${r.stdout.trim() || r.stderr.trim()}` };
    } else {
      const local = await findLocal(ctx.searchPaths.files, args.deb);
      if (!local) return { failed: true, msg: `deb file '${args.deb}' not found on the controller (looked in ${ctx.searchPaths.files.join(', ')})` };
      await ctx.conn.put(debPath, readFileSync(local), { mode: '0644', become: ctx.become });
    }
    const r = await run(ctx, `dpkg-deb -f ${shq(debPath)} Package Version`);
    if (r.rc !== 0) return { failed: true, msg: `${args.deb} is not a Debian package: ${r.stderr.trim()}` };
    const f = Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => [l.split(':')[0], l.split(':').slice(1).join(':').trim()]));
    debSpec = `${f.Package}=${f.Version}`;
    names.push(debSpec);
  }
  const pins = names.map(splitPin);
  const wantLatest = args.state === 'latest';
  const q = pins.map((p) => shq(p.name)).join(' ');
  const probe = [
    `echo "cache_mtime=$(stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/cache/apt/pkgcache.bin 2>/dev/null || echo 0)"`,
    'echo "now=$(date +%s)"',
    q ? `dpkg-query -W -f='pkg=\${Package}|\${db:Status-Abbrev}|\${Version}\\n' ${q} 2>/dev/null` : ':',
    wantLatest && q ? `apt-cache policy ${q} 2>/dev/null` : ':',
    'true',
  ].join('\n');
  let state = parseState((await run(ctx, `command -v apt-get >/dev/null || { echo 'apt-get not found: this host does not use apt' >&2; exit 9; }\n${probe}`)).stdout);
  const needUpdate = args.update_cache && (args.cache_valid_time <= 0 || state.cacheAge > args.cache_valid_time);
  if (needUpdate && !ctx.check) {
    const u = await run(ctx, `${APT} update 2>&1`);
    if (u.rc !== 0 || /^(Err|W: Failed to fetch|E: )/m.test(u.stdout)) {
      const bad = u.stdout.split('\n').filter((l) => /^(Err:|E: |W: Failed)/.test(l)).join('\n');
      return { failed: true, msg: `apt-get update failed; a package repository could not be reached (offline, or a wrong URL):\n${bad || u.stdout.trim()}` };
    }
    result.cache_updated = true;
    if (wantLatest && q) state = parseState((await run(ctx, probe)).stdout);
  }
  if (!names.length) return { ...result, changed: result.cache_updated === true || (needUpdate && ctx.check) };
  const isInstalled = (n: string): Installed | undefined => {
    const i = state.installed.get(n);
    return i && i.status.startsWith('ii') ? i : undefined;
  };
  const toInstall: string[] = [];
  const toRemove: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  for (const p of pins) {
    const cur = isInstalled(p.name);
    before.push(`${p.name}: ${cur ? cur.version : 'absent'}`);
    if (args.state === 'absent' || args.state === 'removed') {
      if (cur || (args.purge && state.installed.get(p.name))) toRemove.push(p.name);
      after.push(`${p.name}: absent`);
      continue;
    }
    let want: string | undefined;
    if (p.version && !p.version.includes('*')) want = p.version;
    else if (wantLatest) want = state.candidates.get(p.name);
    const versionOk = !p.version || !p.version.includes('*') ? true : new RegExp(`^${p.version.replace(/[.+]/g, '\\$&').replace(/\*/g, '.*')}$`).test(cur?.version ?? '');
    if (!cur || (want && want !== '(none)' && cur.version !== want) || !versionOk) {
      toInstall.push(p.version ? `${p.name}=${p.version}` : p.name);
      after.push(`${p.name}: ${want ?? p.version ?? 'latest available'}`);
    } else after.push(`${p.name}: ${cur.version}`);
  }
  result.changed = toInstall.length > 0 || toRemove.length > 0;
  if (ctx.diff && result.changed) result.diff = [{ path: 'packages', before: `${before.join('\n')}\n`, after: `${after.join('\n')}\n` }];
  if (!result.changed || ctx.check) return result;
  const flags = [
    args.install_recommends === false ? '--no-install-recommends' : args.install_recommends === true ? '--install-recommends' : '',
    args.allow_downgrade ? '--allow-downgrades' : '',
    args.allow_change_held_packages ? '--allow-change-held-packages' : '',
  ].filter(Boolean).join(' ');
  const cmds: string[] = [];
  if (toInstall.length) {
    // The .deb itself is installed by path, so apt resolves its dependencies.
    const specs = toInstall.map((s) => (s === debSpec ? shq(debPath!) : shq(s)));
    cmds.push(`${APT} ${flags} install ${specs.join(' ')} 2>&1`);
  }
  if (toRemove.length) cmds.push(`${APT} ${args.purge ? '--purge' : ''} remove ${toRemove.map(shq).join(' ')} 2>&1`);
  const r = await run(ctx, cmds.join(' && '));
  result.stdout = r.stdout;
  result.stdout_lines = r.stdout.split('\n');
  if (r.rc !== 0) {
    const err = r.stdout.split('\n').filter((l) => /^(E: |W: |Err)/.test(l)).join('\n');
    return { ...result, failed: true, rc: r.rc, msg: `apt-get failed: ${err || r.stdout.trim().split('\n').slice(-5).join('\n')}` };
  }
  return result;
}

/** Remote: apt-get, dpkg-query, apt-cache (Debian, Ubuntu). */
export const module = defineModule<AptArgs>({
  name: 'apt',
  description: 'Installs, upgrades or removes Debian packages; `name=1.28.2-1.1` pins a version; update_cache with cache_valid_time.',
  args: {
    name: { type: 'list', elements: 'str', default: [], aliases: ['pkg', 'package'] },
    state: { type: 'str', default: 'present', choices: ['present', 'installed', 'latest', 'absent', 'removed'] },
    update_cache: { type: 'bool', default: false, aliases: ['update-cache'] },
    cache_valid_time: { type: 'int', default: 0, description: 'seconds a cache update stays good' },
    deb: { type: 'path', description: 'a .deb on the controller (role files/) or an http(s) URL' },
    install_recommends: { type: 'bool', aliases: ['install-recommends'] },
    purge: { type: 'bool', default: false },
    allow_downgrade: { type: 'bool', default: false, aliases: ['allow-downgrade', 'allow_downgrades'] },
    allow_change_held_packages: { type: 'bool', default: false },
  },
  checkMode: 'predict',
  preflight: (a) => ((a.name as string[] | undefined)?.length || a.deb !== undefined || a.update_cache === true ? [] : ["one of 'name', 'deb' or 'update_cache' is required"]),
  run: aptRun,
});
