import { defineModule, type ModuleResult } from './types.js';
import { run, shq } from './util.js';

interface Args {
  name: string;
  state: 'present' | 'absent';
  uid?: number;
  group?: string;
  groups?: string[];
  append: boolean;
  shell?: string;
  home?: string;
  create_home: boolean;
  system: boolean;
  comment?: string;
  password?: string;
  remove: boolean;
}

/** Remote: sh, getent, id, shadow's useradd/usermod/userdel. */
export const module = defineModule<Args>({
  name: 'user',
  description: 'Creates, changes or removes a user account.',
  args: {
    name: { type: 'str', required: true, aliases: ['user'] },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    uid: { type: 'int' },
    group: { type: 'str' },
    groups: { type: 'list', elements: 'str' },
    append: { type: 'bool', default: false },
    shell: { type: 'str' },
    home: { type: 'path' },
    create_home: { type: 'bool', default: true, aliases: ['createhome'] },
    system: { type: 'bool', default: false },
    comment: { type: 'str' },
    password: { type: 'str', description: 'an already hashed password (as usermod -p takes)' },
    remove: { type: 'bool', default: false },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const n = shq(args.name);
    const q = await run(ctx, `getent passwd ${n} || echo ABSENT; echo "groups=$(id -Gn ${n} 2>/dev/null)"; echo "primary=$(id -gn ${n} 2>/dev/null)"`);
    const absent = q.stdout.startsWith('ABSENT');
    const result: ModuleResult = { changed: false, name: args.name, state: args.state };
    const cmd: string[] = [];
    if (args.state === 'absent') {
      if (!absent) cmd.push(`userdel ${args.remove ? '-r ' : ''}${n}`);
    } else if (absent) {
      const o = [
        args.uid !== undefined ? `-u ${args.uid}` : '', args.group ? `-g ${shq(args.group)}` : '', args.groups?.length ? `-G ${shq(args.groups.join(','))}` : '',
        args.shell ? `-s ${shq(args.shell)}` : '', args.home ? `-d ${shq(args.home)}` : '', args.create_home ? '-m' : '-M', args.system ? '-r' : '',
        args.comment ? `-c ${shq(args.comment)}` : '', args.password ? `-p ${shq(args.password)}` : '',
      ].filter(Boolean);
      cmd.push(`useradd ${o.join(' ')} ${n}`);
    } else {
      const [, , uid, , comment, home, shell] = q.stdout.split('\n')[0]!.split(':');
      const groups = (/groups=(.*)/.exec(q.stdout)?.[1] ?? '').split(' ').filter(Boolean);
      const primary = /primary=(.*)/.exec(q.stdout)?.[1];
      const o: string[] = [];
      if (args.uid !== undefined && String(args.uid) !== uid) o.push(`-u ${args.uid}`);
      if (args.group && args.group !== primary) o.push(`-g ${shq(args.group)}`);
      if (args.shell && args.shell !== shell) o.push(`-s ${shq(args.shell)}`);
      if (args.home && args.home !== home) o.push(`-d ${shq(args.home)}`);
      if (args.comment !== undefined && args.comment !== comment) o.push(`-c ${shq(args.comment)}`);
      if (args.groups) {
        const want = args.groups;
        const missing = want.filter((g) => !groups.includes(g));
        const extra = groups.filter((g) => g !== primary && !want.includes(g));
        if (missing.length || (!args.append && extra.length)) o.push(`${args.append ? '-a ' : ''}-G ${shq(args.append ? missing.join(',') : want.join(','))}`);
      }
      if (o.length) cmd.push(`usermod ${o.join(' ')} ${n}`);
      if (args.password) {
        const p = await run(ctx, `getent shadow ${n} | cut -d: -f2`);
        if (p.stdout.trim() !== args.password) cmd.push(`usermod -p ${shq(args.password)} ${n}`);
      }
    }
    result.changed = cmd.length > 0;
    if (ctx.diff && result.changed) result.diff = [{ path: `user ${args.name}`, before: absent ? 'absent\n' : `${q.stdout.split('\n')[0]}\n`, after: `${args.state === 'absent' ? 'absent' : cmd.join('\n').replace(/-p '[^']*'/, '-p ********')}\n` }];
    if (!result.changed || ctx.check) return result;
    const r = await run(ctx, `${cmd.join(' && ')} 2>&1`);
    return r.rc === 0 ? result : { ...result, failed: true, msg: r.stdout.trim().replace(args.password ?? '\0', '********') };
  },
});
