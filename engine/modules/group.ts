import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

interface Args {
  name: string;
  gid?: number;
  system: boolean;
  state: 'present' | 'absent';
}

/** The group's getent line, or undefined when there is no such group. */
type Facts = { line?: string; gid?: string };

/** Remote: sh, getent, groupadd/groupmod/groupdel. */
export const module = defineOperation({
  kind: 'operation',
  name: 'group',
  description: 'Creates, changes or removes a group.',
  args: {
    name: { type: 'str', required: true },
    gid: { type: 'int' },
    system: { type: 'bool', default: false },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  },
  probe: (a: Args) => ({
    command: `getent group ${shq(a.name)} || echo ABSENT`,
    parse: (r): Facts => (r.stdout.startsWith('ABSENT') ? {} : { line: r.stdout.trim(), gid: r.stdout.split(':')[2] }),
  }),
  plan(f: Facts, a: Args): Plan<string> {
    const n = shq(a.name);
    let cmd: string | undefined;
    let action: 'create' | 'modify' | 'remove' = 'modify';
    if (a.state === 'absent' && f.line) [cmd, action] = [`groupdel ${n}`, 'remove'];
    else if (a.state === 'present' && !f.line) [cmd, action] = [`groupadd ${a.gid !== undefined ? `-g ${a.gid} ` : ''}${a.system ? '-r ' : ''}${n}`, 'create'];
    else if (a.state === 'present' && a.gid !== undefined && String(a.gid) !== f.gid) cmd = `groupmod -g ${a.gid} ${n}`;
    const result = { name: a.name, gid: a.gid ?? (f.gid ? Number(f.gid) : undefined) };
    if (!cmd) return { action: 'none', result };
    const after = a.state === 'absent' ? 'absent' : `${a.name} gid=${a.gid ?? f.gid ?? 'new'}`;
    return { action, changes: [cmd], data: cmd, diff: [{ path: `group ${a.name}`, before: `${f.line ?? 'absent'}\n`, after: `${after}\n` }], result };
  },
  async apply(p, _a, ctx) {
    const r = await run(ctx, `${p.data} 2>&1`);
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
