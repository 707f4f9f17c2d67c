import { defineModule } from './types.js';
import { run, shq } from './util.js';

/** Remote: sh, getent, groupadd/groupmod/groupdel. */
export const module = defineModule<{ name: string; gid?: number; system: boolean; state: 'present' | 'absent' }>({
  name: 'group',
  description: 'Creates, changes or removes a group.',
  args: {
    name: { type: 'str', required: true },
    gid: { type: 'int' },
    system: { type: 'bool', default: false },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const n = shq(args.name);
    const q = await run(ctx, `getent group ${n} || echo ABSENT`);
    const absent = q.stdout.startsWith('ABSENT');
    const gid = absent ? undefined : q.stdout.split(':')[2];
    let cmd: string | undefined;
    if (args.state === 'absent' && !absent) cmd = `groupdel ${n}`;
    else if (args.state === 'present' && absent) cmd = `groupadd ${args.gid !== undefined ? `-g ${args.gid} ` : ''}${args.system ? '-r ' : ''}${n}`;
    else if (args.state === 'present' && args.gid !== undefined && String(args.gid) !== gid) cmd = `groupmod -g ${args.gid} ${n}`;
    const result = { changed: !!cmd, name: args.name, gid: args.gid ?? (gid ? Number(gid) : undefined), diff: ctx.diff && cmd ? [{ path: `group ${args.name}`, before: absent ? 'absent\n' : `${q.stdout.trim()}\n`, after: `${args.state === 'absent' ? 'absent' : `${args.name} gid=${args.gid ?? gid ?? 'new'}`}\n` }] : undefined };
    if (!cmd || ctx.check) return result;
    const r = await run(ctx, `${cmd} 2>&1`);
    return r.rc === 0 ? result : { ...result, failed: true, msg: r.stdout.trim() };
  },
});
