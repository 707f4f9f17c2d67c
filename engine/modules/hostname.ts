import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

interface Args {
  name: string;
  use?: string;
}

interface Facts {
  now: string;
  file: string;
  systemd: boolean;
}

/** Remote: sh, coreutils; hostnamectl where systemd runs, else hostname(1). */
export const module = defineOperation({
  kind: 'operation',
  name: 'hostname',
  description: 'Sets the hostname, now and in /etc/hostname.',
  args: { name: { type: 'str', required: true }, use: { type: 'str', choices: ['systemd', 'debian', 'redhat', 'generic', 'alpine'] } },
  preflight: (a) =>
    typeof a.name === 'string' && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(a.name)
      ? [`'${a.name}' is not a valid hostname (letters, digits, '-' and '.', not starting or ending with '-')`]
      : [],
  probe: () => ({
    command:
      'echo "now=$(hostname)"; echo "file=$(cat /etc/hostname 2>/dev/null)"; [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null && echo systemd=yes; true',
    parse: (r): Facts => ({
      now: /now=(.*)/.exec(r.stdout)?.[1] ?? '',
      file: /file=(.*)/.exec(r.stdout)?.[1] ?? '',
      systemd: r.stdout.includes('systemd=yes'),
    }),
  }),
  plan(f: Facts, a: Args): Plan<{ systemd: boolean }> {
    const result = { name: a.name, ansible_facts: { ansible_hostname: a.name.split('.')[0], ansible_nodename: a.name } };
    if (f.now === a.name && f.file === a.name) return { action: 'none', result };
    const changes = [
      ...(f.now !== a.name ? [`hostname ${f.now} -> ${a.name}`] : []),
      ...(f.file !== a.name ? [`/etc/hostname ${f.file || '(empty)'} -> ${a.name}`] : []),
    ];
    return {
      action: 'modify',
      changes,
      data: { systemd: a.use === 'systemd' || (a.use === undefined && f.systemd) },
      diff: [{ path: 'hostname', before: `${f.now}\n`, after: `${a.name}\n` }],
      result,
    };
  },
  async apply(p, a, ctx) {
    const n = shq(a.name);
    const r = await run(
      ctx,
      p.data.systemd
        ? `hostnamectl set-hostname ${n} 2>&1 || { echo ${n} > /etc/hostname && hostname ${n}; }`
        : `echo ${n} > /etc/hostname && hostname ${n} 2>&1`,
    );
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
