import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { shq } from '../connection/commands.js';
import { findLocal } from './lib/files.js';
import { run } from './lib/remote.js';
import { type Change, defineOperation, type ModuleContext, type ModuleResult, type Plan, type Probe, type ProbeMode } from './types.js';

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

export interface AptFacts {
  missing?: boolean;
  installed: Map<string, Installed>;
  candidates: Map<string, string>;
  /** Whether the package index was old enough to refresh, and what refreshing it said. */
  update?: { needed: boolean; ran: boolean; rc: number; out: string };
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

/** A .deb from the controller or a URL, put on the host before anything is decided (dpkg-deb reads it there). */
export interface AptPrep {
  debPath?: string;
  debSpec?: string;
}

async function prepareDeb(args: AptArgs, ctx: ModuleContext): Promise<AptPrep> {
  if (!args.deb) return {};
  const debPath = `/tmp/tsplay-${basename(args.deb).replace(/[^\w.+-]/g, '_')}`;
  if (/^https?:\/\//.test(args.deb)) {
    const r = await run(
      ctx,
      `curl -fsSL --connect-timeout 20 -o ${shq(debPath)} ${shq(args.deb)} 2>&1 || wget -q -T 20 -O ${shq(debPath)} ${shq(args.deb)} 2>&1`,
    );
    if (r.rc !== 0) throw new Error(`cannot download ${args.deb} on the host (offline or unreachable URL): ${r.stdout.trim() || r.stderr.trim()}`);
  } else {
    const local = findLocal(ctx.searchPaths.files, args.deb);
    if (!local) throw new Error(`deb file '${args.deb}' not found on the controller (looked in ${ctx.searchPaths.files.join(', ')})`);
    await ctx.conn.put(debPath, readFileSync(local), { mode: '0644', become: ctx.become });
  }
  const r = await run(ctx, `dpkg-deb -f ${shq(debPath)} Package Version`);
  if (r.rc !== 0) throw new Error(`${args.deb} is not a Debian package: ${r.stderr.trim()}`);
  const f = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.split(':')[0], l.split(':').slice(1).join(':').trim()]),
  );
  return { debPath, debSpec: `${f.Package}=${f.Version}` };
}

const namesOf = (a: AptArgs, prep: AptPrep): string[] => [...a.name, ...(prep.debSpec ? [prep.debSpec] : [])];

/**
 * One round trip: the index's age, a refresh of it when update_cache finds it too
 * old (outside check mode: like daemon-reload, refreshing the index is how the
 * state is read, and Ansible does not count it as a package change), then what
 * dpkg has installed and, for latest, what apt would install.
 */
export function aptProbe(a: AptArgs, prep: AptPrep, mode: ProbeMode): Probe<AptFacts> {
  const q = namesOf(a, prep)
    .map((n) => shq(splitPin(n).name))
    .join(' ');
  const valid = a.cache_valid_time > 0 ? a.cache_valid_time : -1;
  const update = a.update_cache
    ? [
        `age=$(( $(date +%s) - $(stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/cache/apt/pkgcache.bin 2>/dev/null || echo 0) ))`,
        `if [ ${valid} -lt 0 ] || [ "$age" -gt ${valid} ]; then echo update=needed; ${mode.check ? ':' : `u=$(${APT} update 2>&1); echo "update_rc=$?"; printf '%s\\n' "$u" | sed 's/^/update: /'`}; fi`,
      ]
    : [];
  return {
    command: [
      `command -v apt-get >/dev/null || { echo NOAPT; exit 0; }`,
      ...update,
      q ? `dpkg-query -W -f='pkg=\${Package}|\${db:Status-Abbrev}|\${Version}\\n' ${q} 2>/dev/null` : ':',
      a.state === 'latest' && q ? `apt-cache policy ${q} 2>/dev/null` : ':',
      'true',
    ].join('\n'),
    parse: (r): AptFacts => {
      if (r.stdout.startsWith('NOAPT')) return { missing: true, installed: new Map(), candidates: new Map() };
      const lines = r.stdout.split('\n');
      const updateOut = lines
        .filter((l) => l.startsWith('update: '))
        .map((l) => l.slice(8))
        .join('\n');
      const st = parseState(lines.filter((l) => !l.startsWith('update: ')).join('\n'));
      const rc = /update_rc=(\d+)/.exec(r.stdout);
      return {
        installed: st.installed,
        candidates: st.candidates,
        update: a.update_cache ? { needed: r.stdout.includes('update=needed'), ran: !!rc, rc: rc ? Number(rc[1]) : 0, out: updateOut } : undefined,
      };
    },
  };
}

/** Pure: which packages apt must install or remove. */
export function aptPlan(f: AptFacts, a: AptArgs, prep: AptPrep): Plan<{ install: string[]; remove: string[] }> {
  if (f.missing) return { action: 'fail', msg: 'apt-get not found: this host does not use apt' };
  const u = f.update;
  if (u?.ran && (u.rc !== 0 || /^(Err|W: Failed to fetch|E: )/m.test(u.out))) {
    const bad = u.out
      .split('\n')
      .filter((l) => /^(Err:|E: |W: Failed)/.test(l))
      .join('\n');
    return { action: 'fail', msg: `apt-get update failed; a package repository could not be reached (offline, or a wrong URL):\n${bad || u.out.trim()}` };
  }
  const result: ModuleResult = { cache_updated: u?.ran ?? false };
  const names = namesOf(a, prep);
  if (!names.length) {
    // update_cache alone: the refresh is the change (predicted in check mode).
    if (u?.needed) return { action: 'modify', changes: ['apt-get update'], data: { install: [], remove: [] }, result };
    return { action: 'none', result };
  }
  // dpkg's abbreviated status: the second letter is the package's state, 'i' when installed,
  // whatever the first (desired: 'i' install, 'h' hold) says.
  const isInstalled = (n: string): Installed | undefined => {
    const i = f.installed.get(n);
    return i && i.status[1] === 'i' ? i : undefined;
  };
  const install: string[] = [];
  const remove: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  for (const p of names.map(splitPin)) {
    const cur = isInstalled(p.name);
    before.push(`${p.name}: ${cur ? cur.version : 'absent'}`);
    if (a.state === 'absent' || a.state === 'removed') {
      if (cur || (a.purge && f.installed.get(p.name))) remove.push(p.name);
      after.push(`${p.name}: absent`);
      continue;
    }
    let want: string | undefined;
    if (p.version && !p.version.includes('*')) want = p.version;
    else if (a.state === 'latest') want = f.candidates.get(p.name);
    const versionOk = !p.version?.includes('*') ? true : new RegExp(`^${p.version.replace(/[.+]/g, '\\$&').replace(/\*/g, '.*')}$`).test(cur?.version ?? '');
    if (!cur || (want && want !== '(none)' && cur.version !== want) || !versionOk) {
      install.push(p.version ? `${p.name}=${p.version}` : p.name);
      after.push(`${p.name}: ${want ?? p.version ?? 'latest available'}`);
    } else after.push(`${p.name}: ${cur.version}`);
  }
  if (!install.length && !remove.length) return { action: 'none', result };
  return {
    action: remove.length && !install.length ? 'remove' : 'modify',
    changes: [...install.map((s) => `install ${s}`), ...remove.map((s) => `remove ${s}`)],
    data: { install, remove },
    diff: [{ path: 'packages', before: `${before.join('\n')}\n`, after: `${after.join('\n')}\n` }],
    result,
  };
}

export async function aptApply(
  p: Change<{ install: string[]; remove: string[] }>,
  a: AptArgs,
  ctx: ModuleContext,
  prep: AptPrep,
): Promise<ModuleResult | undefined> {
  const { install, remove } = p.data;
  // update_cache alone: the probe outside check mode already refreshed the index.
  if (!install.length && !remove.length) return undefined;
  const flags = [
    a.install_recommends === false ? '--no-install-recommends' : a.install_recommends === true ? '--install-recommends' : '',
    a.allow_downgrade ? '--allow-downgrades' : '',
    a.allow_change_held_packages ? '--allow-change-held-packages' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const cmds: string[] = [];
  if (install.length) cmds.push(`${APT} ${flags} install ${install.map((s) => (s === prep.debSpec ? shq(prep.debPath!) : shq(s))).join(' ')} 2>&1`);
  if (remove.length) cmds.push(`${APT} ${a.purge ? '--purge' : ''} remove ${remove.map(shq).join(' ')} 2>&1`);
  const r = await run(ctx, cmds.join(' && '));
  const out: ModuleResult = { stdout: r.stdout, stdout_lines: r.stdout.split('\n') };
  if (r.rc !== 0) {
    const err = r.stdout
      .split('\n')
      .filter((l) => /^(E: |W: |Err)/.test(l))
      .join('\n');
    return { ...out, failed: true, rc: r.rc, msg: `apt-get failed: ${err || r.stdout.trim().split('\n').slice(-5).join('\n')}` };
  }
  return out;
}

export const aptDefaults = { update_cache: false, cache_valid_time: 0, purge: false, allow_downgrade: false, allow_change_held_packages: false } as const;

/** Remote: apt-get, dpkg-query, apt-cache (Debian, Ubuntu). */
export const module = defineOperation({
  kind: 'operation',
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
  preflight: (a) =>
    (a.name as string[] | undefined)?.length || a.deb !== undefined || a.update_cache === true ? [] : ["one of 'name', 'deb' or 'update_cache' is required"],
  prepare: prepareDeb,
  probe: (a: AptArgs, prep, mode) => aptProbe(a, prep, mode),
  plan: (f, a, prep) => aptPlan(f, a, prep),
  apply: (p, a, ctx, prep) => aptApply(p, a, ctx, prep),
});
