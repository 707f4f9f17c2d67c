import { shq } from '../connection/commands.js';
import { applyWithLive, fileAndProbe, planEdit, withLive } from './lib/content.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

interface Args {
  name: string;
  value?: string;
  state: 'present' | 'absent';
  sysctl_file: string;
  reload: boolean;
  sysctl_set: boolean;
  ignoreerrors: boolean;
}

const norm = (v: string): string => v.trim().split(/\s+/).join(' ');
const keyOf = (a: Args): string => a.name.replace(/\//g, '.');
const managesLive = (a: Args): boolean => a.state !== 'absent' && a.sysctl_set && a.reload;

/**
 * The file is edited like lineinfile; the running value is read in the same probe
 * (`sysctl -n`) and written with `sysctl -w` only when it differs.
 * Remote: sh, coreutils, procps (sysctl).
 */
export const module = defineOperation({
  name: 'sysctl',
  fqcn: ['ansible.posix.sysctl'],
  description: 'Sets a kernel parameter in a sysctl file (e.g. /etc/sysctl.d/k8s.conf) and in the running kernel.',
  args: {
    name: { type: 'str', required: true, aliases: ['key'] },
    value: { type: 'str', aliases: ['val'] },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    sysctl_file: { type: 'path', default: '/etc/sysctl.conf' },
    reload: { type: 'bool', default: true },
    sysctl_set: { type: 'bool', default: true, description: 'also check and set the running value' },
    ignoreerrors: { type: 'bool', default: false },
  },
  kind: 'operation',
  preflight: (a) => (a.state !== 'absent' && a.value === undefined ? ["state=present needs 'value'"] : []),
  probe: (a: Args) =>
    fileAndProbe(a.sysctl_file, managesLive(a) ? `v=$(sysctl -n ${shq(keyOf(a))} 2>&1); echo "rc=$?"; printf '%s\\n' "$v"` : undefined, (out) => {
      const [rcLine, ...rest] = out.split('\n');
      return { rc: Number(rcLine!.slice(3)), value: rest.join('\n') };
    }),
  plan(f, a: Args) {
    const key = keyOf(a);
    const filePlan = planEdit(
      f.file,
      { path: a.sysctl_file, create: true },
      (text) => {
        const lines = toLines(text);
        const re = new RegExp(`^\\s*${key.replace(/\./g, '[./]')}\\s*=`);
        const idx = lines.findIndex((l) => re.test(l));
        if (a.state === 'absent') return fromLines(lines.filter((l) => !re.test(l)));
        const line = `${key}=${a.value}`;
        if (idx < 0) return fromLines([...lines, line]);
        const rest = lines.filter((l, i) => !re.test(l) || i === idx);
        const cur = lines[idx]!.split('=').slice(1).join('=');
        if (norm(cur) !== norm(a.value!)) rest[rest.findIndex((l) => re.test(l))] = line;
        return fromLines(rest);
      },
      { name: key, value: a.value },
    );
    const running = f.extra;
    if (running && running.rc !== 0 && !a.ignoreerrors && filePlan.action !== 'fail') {
      return { action: 'fail', msg: `${key} cannot be read on this host: ${running.value.trim()} (is its kernel module loaded?)`, result: filePlan.result };
    }
    const differs = running !== undefined && running.rc === 0 && norm(running.value) !== norm(a.value!);
    const live = differs
      ? {
          change: `running ${key}: ${norm(running.value)} -> ${norm(a.value!)}`,
          command: `sysctl -w ${shq(`${key}=${a.value}`)}`,
          diff: { path: `running ${key}`, before: `${norm(running.value)}\n`, after: `${norm(a.value!)}\n` },
        }
      : undefined;
    return withLive(filePlan, live);
  },
  async apply(p, a, ctx) {
    const r = await applyWithLive(p, {}, ctx, (out) => `sysctl -w ${keyOf(a)} failed: ${out}`);
    if (!r.failed || !a.ignoreerrors) return r;
    // ignoreerrors: a value the kernel refuses is not a failure.
    const { failed: _failed, msg: _msg, ...rest } = r;
    return rest;
  },
});
