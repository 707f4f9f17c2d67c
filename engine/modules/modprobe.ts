import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

interface Args {
  name: string;
  state: 'present' | 'absent';
  params: string;
  persistent: 'present' | 'absent' | 'disabled';
}

interface Facts {
  state: 'loaded' | 'builtin' | 'absent';
  kmod: boolean;
  loadable: boolean;
  /** /etc/modules-load.d/NAME.conf, flattened to one line, when it exists. */
  conf?: string;
}

/** Signs that a module's code is in the kernel though /proc/modules does not list it (built in). */
const BUILTIN_EVIDENCE: Record<string, string> = {
  br_netfilter: '/proc/sys/net/bridge/bridge-nf-call-iptables',
  overlay: '/proc/filesystems:overlay',
  nf_conntrack: '/proc/sys/net/netfilter/nf_conntrack_max',
  ip_vs: '/proc/net/ip_vs',
  bridge: '/sys/class/net/bridge',
};

// A kernel module's name is letters, digits, '_' and '-'; anything else never reaches a shell.
const NAME = /^[A-Za-z0-9_-]+$/;
const badName = (n: string): string => `'name': expected a kernel module name (letters, digits, '_', '-'), got '${n}'`;
const confOf = (n: string): string => `/etc/modules-load.d/${n}.conf`;

/**
 * Loaded, built in, or loadable: one probe tells which. Built-in modules count as
 * present (modprobe is not needed for them, nor installed on every host).
 * persistent writes /etc/modules-load.d/NAME.conf. Remote: sh, coreutils; kmod to load.
 */
export const module = defineOperation({
  kind: 'operation',
  name: 'modprobe',
  fqcn: ['community.general.modprobe'],
  description: 'Loads or unloads a kernel module, and keeps it loaded at boot (persistent: present).',
  args: {
    name: { type: 'str', required: true },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    params: { type: 'str', default: '' },
    persistent: { type: 'str', default: 'disabled', choices: ['present', 'absent', 'disabled'] },
  },
  preflight: (a) => (typeof a.name === 'string' && !a.name.includes('{{') && !NAME.test(a.name) ? [badName(a.name)] : []),
  probe(a: Args) {
    const n = a.name;
    if (!NAME.test(n)) return { command: 'true', parse: (): Facts => ({ state: 'absent', kmod: false, loadable: false }) };
    const ev = BUILTIN_EVIDENCE[n];
    const evidence = ev ? (ev.includes(':') ? `grep -qw ${ev.split(':')[1]} ${ev.split(':')[0]}` : `[ -e ${ev} ]`) : 'false';
    const conf = confOf(n);
    return {
      command: [
        `if grep -q '^${n} ' /proc/modules 2>/dev/null; then echo state=loaded`,
        `elif [ -d /sys/module/${n} ] || grep -qs '/${n}.ko' /lib/modules/$(uname -r)/modules.builtin || ${evidence}; then echo state=builtin`,
        'else echo state=absent; fi',
        `command -v modprobe >/dev/null 2>&1 && echo kmod=yes && modprobe -n -q ${shq(n)} 2>/dev/null && echo loadable=yes`,
        `[ -f ${conf} ] && { printf 'conf='; tr '\\n' ' ' < ${conf}; echo; }`,
        'true',
      ].join('\n'),
      parse: (r): Facts => ({
        state: (/state=(\w+)/.exec(r.stdout)?.[1] ?? 'absent') as Facts['state'],
        kmod: r.stdout.includes('kmod=yes'),
        loadable: r.stdout.includes('loadable=yes'),
        conf: /conf=(.*)/.exec(r.stdout)?.[1]?.trim(),
      }),
    };
  },
  plan(f: Facts, a: Args, _p, mode): Plan<{ persist: string[]; load?: string }> {
    const n = a.name;
    if (!NAME.test(n)) return { action: 'fail', msg: badName(n) };
    const present = f.state === 'loaded' || f.state === 'builtin';
    // Persistence is written even when loading fails, so the module loads at the next boot.
    const persist: string[] = [];
    if (a.persistent === 'present' && f.conf !== n) persist.push(`mkdir -p /etc/modules-load.d && echo ${shq(n)} > ${confOf(n)}`);
    if (a.persistent === 'absent' && f.conf !== undefined) persist.push(`rm -f ${confOf(n)}`);
    let load: string | undefined;
    let loadError: string | undefined;
    if (a.state === 'present' && !present) {
      if (!f.kmod) loadError = `kernel module ${n} is neither loaded nor built in, and modprobe (kmod) is not installed on ${mode.host}`;
      // A module the kernel's module tree lacks cannot load: check mode says so, as the run would.
      else if (!f.loadable) loadError = `modprobe: FATAL: Module ${n} not found in directory /lib/modules/ of ${mode.host}'s kernel`;
      else load = `modprobe ${shq(n)} ${a.params.split(/\s+/).filter(Boolean).map(shq).join(' ')}`;
    }
    if (a.state === 'absent' && f.state === 'loaded') load = `modprobe -r ${shq(n)}`;
    if (a.state === 'absent' && f.state === 'builtin') loadError = `${n} is built into the kernel and cannot be unloaded`;
    const result = { name: n, state: a.state, builtin: f.state === 'builtin' };
    if (!persist.length && !load) return loadError ? { action: 'fail', msg: loadError, result } : { action: 'none', result };
    const persistent = (p: boolean): string => `persistent: ${p}\n`;
    return {
      action: 'modify',
      changes: [...persist, ...(load ? [load] : [])],
      data: { persist, load },
      diff: [
        {
          path: `kernel module ${n}`,
          before: `loaded: ${present}\n${persistent(f.conf !== undefined)}`,
          after: `loaded: ${a.state === 'present'}\n${persistent(a.persistent === 'present' || (a.persistent === 'disabled' && f.conf !== undefined))}`,
        },
      ],
      result,
      failure: loadError,
    };
  },
  async apply(p, _a, ctx) {
    const { persist, load } = p.data;
    const r = await run(ctx, `${persist.length ? `{ ${persist.join(' && ')}; } || exit 3; ` : ''}${load ? `${load} 2>&1` : 'true'}`);
    if (r.rc === 3) return { failed: true, msg: r.stdout.trim() };
    if (r.rc !== 0) return { changed: persist.length > 0, failed: true, msg: r.stdout.trim() };
  },
});
