import { defineModule, type ModuleResult } from './types.js';
import { run, shq } from './util.js';

/** Signs that a module's code is in the kernel though /proc/modules does not list it (built in). */
const BUILTIN_EVIDENCE: Record<string, string> = {
  br_netfilter: '/proc/sys/net/bridge/bridge-nf-call-iptables',
  overlay: '/proc/filesystems:overlay',
  nf_conntrack: '/proc/sys/net/netfilter/nf_conntrack_max',
  ip_vs: '/proc/net/ip_vs',
  bridge: '/sys/class/net/bridge',
};

/**
 * Loaded, built in, or loadable: one probe tells which. Built-in modules count as
 * present (modprobe is not needed for them, nor installed on every host).
 * persistent writes /etc/modules-load.d/NAME.conf. Remote: sh, coreutils; kmod to load.
 */
export const module = defineModule<{ name: string; state: 'present' | 'absent'; params: string; persistent: 'present' | 'absent' | 'disabled' }>({
  name: 'modprobe',
  description: 'Loads or unloads a kernel module, and keeps it loaded at boot (persistent: present).',
  args: {
    name: { type: 'str', required: true },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    params: { type: 'str', default: '' },
    persistent: { type: 'str', default: 'disabled', choices: ['present', 'absent', 'disabled'] },
  },
  checkMode: 'predict',
  // A kernel module's name is letters, digits, '_' and '-'; anything else never reaches a shell.
  preflight: (a) => (typeof a.name === 'string' && !a.name.includes('{{') && !/^[A-Za-z0-9_-]+$/.test(a.name) ? [`'name': expected a kernel module name (letters, digits, '_', '-'), got '${a.name}'`] : []),
  async run(args, ctx) {
    const n = args.name;
    if (!/^[A-Za-z0-9_-]+$/.test(n)) return { failed: true, msg: `'name': expected a kernel module name (letters, digits, '_', '-'), got '${n}'` };
    const ev = BUILTIN_EVIDENCE[n];
    const evidence = ev ? (ev.includes(':') ? `grep -qw ${ev.split(':')[1]} ${ev.split(':')[0]}` : `[ -e ${ev} ]`) : 'false';
    const conf = `/etc/modules-load.d/${n}.conf`;
    const q = await run(ctx, [
      `if grep -q '^${n} ' /proc/modules 2>/dev/null; then echo state=loaded`,
      `elif [ -d /sys/module/${n} ] || grep -qs '/${n}.ko' /lib/modules/$(uname -r)/modules.builtin || ${evidence}; then echo state=builtin`,
      'else echo state=absent; fi',
      `command -v modprobe >/dev/null 2>&1 && echo kmod=yes && modprobe -n -q ${shq(n)} 2>/dev/null && echo loadable=yes`,
      `[ -f ${conf} ] && { printf 'conf='; tr '\\n' ' ' < ${conf}; echo; }`,
      'true',
    ].join('\n'));
    const state = /state=(\w+)/.exec(q.stdout)![1];
    const kmod = q.stdout.includes('kmod=yes');
    const confText = /conf=(.*)/.exec(q.stdout)?.[1]?.trim();
    const present = state === 'loaded' || state === 'builtin';
    // Persistence is written even when loading fails, so the module loads at the next boot.
    const persist: string[] = [];
    if (args.persistent === 'present' && confText !== n) persist.push(`mkdir -p /etc/modules-load.d && echo ${shq(n)} > ${conf}`);
    if (args.persistent === 'absent' && confText !== undefined) persist.push(`rm -f ${conf}`);
    let load: string | undefined;
    let loadError: string | undefined;
    if (args.state === 'present' && !present) {
      if (!kmod) loadError = `kernel module ${n} is neither loaded nor built in, and modprobe (kmod) is not installed on ${ctx.host}`;
      // A module the kernel's module tree lacks cannot load: check mode says so, as the run would.
      else if (!q.stdout.includes('loadable=yes')) loadError = `modprobe: FATAL: Module ${n} not found in directory /lib/modules/ of ${ctx.host}'s kernel`;
      else load = `modprobe ${shq(n)} ${args.params.split(/\s+/).filter(Boolean).map(shq).join(' ')}`;
    }
    if (args.state === 'absent' && state === 'loaded') load = `modprobe -r ${shq(n)}`;
    if (args.state === 'absent' && state === 'builtin') loadError = `${n} is built into the kernel and cannot be unloaded`;
    const cmds = [...persist, ...(load ? [load] : [])];
    const result: ModuleResult = { changed: cmds.length > 0, name: n, state: args.state, builtin: state === 'builtin' };
    if (ctx.diff && result.changed) result.diff = [{ path: `kernel module ${n}`, before: `loaded: ${present}\npersistent: ${confText !== undefined}\n`, after: `loaded: ${args.state === 'present'}\npersistent: ${args.persistent === 'present' || (args.persistent === 'disabled' && confText !== undefined)}\n` }];
    if (ctx.check || !result.changed) return loadError ? { ...result, changed: persist.length > 0, failed: true, msg: loadError } : result;
    const r = await run(ctx, `${persist.length ? `{ ${persist.join(' && ')}; } || exit 3; ` : ''}${load ? `${load} 2>&1` : 'true'}`);
    if (r.rc === 3) return { ...result, failed: true, msg: r.stdout.trim() };
    if (r.rc !== 0 || loadError) return { ...result, changed: persist.length > 0, failed: true, msg: loadError ?? r.stdout.trim() };
    return result;
  },
});
