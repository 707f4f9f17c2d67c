import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

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

interface Facts {
  /** The passwd line; undefined when there is no such user. */
  passwd?: string;
  groups: string[];
  primary?: string;
  /** The shadow hash, read only when a password is managed. */
  hash?: string;
}

const hide = (s: string, secret: string | undefined): string => (secret ? s.split(secret).join('********') : s);

/** Remote: sh, getent, id, shadow's useradd/usermod/userdel. */
export const module = defineOperation({
  kind: 'operation',
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
  probe(a: Args) {
    const n = shq(a.name);
    return {
      command: `getent passwd ${n} || echo ABSENT; echo "groups=$(id -Gn ${n} 2>/dev/null)"; echo "primary=$(id -gn ${n} 2>/dev/null)"${a.password ? `; echo "hash=$(getent shadow ${n} | cut -d: -f2)"` : ''}`,
      parse: (r): Facts => ({
        passwd: r.stdout.startsWith('ABSENT') ? undefined : r.stdout.split('\n')[0],
        groups: (/groups=(.*)/.exec(r.stdout)?.[1] ?? '').split(' ').filter(Boolean),
        primary: /primary=(.*)/.exec(r.stdout)?.[1] || undefined,
        hash: /hash=(.*)/.exec(r.stdout)?.[1],
      }),
    };
  },
  plan(f: Facts, a: Args): Plan<string[]> {
    const n = shq(a.name);
    const cmd: string[] = [];
    if (a.state === 'absent') {
      if (f.passwd) cmd.push(`userdel ${a.remove ? '-r ' : ''}${n}`);
    } else if (!f.passwd) {
      const o = [
        a.uid !== undefined ? `-u ${a.uid}` : '',
        a.group ? `-g ${shq(a.group)}` : '',
        a.groups?.length ? `-G ${shq(a.groups.join(','))}` : '',
        a.shell ? `-s ${shq(a.shell)}` : '',
        a.home ? `-d ${shq(a.home)}` : '',
        a.create_home ? '-m' : '-M',
        a.system ? '-r' : '',
        a.comment ? `-c ${shq(a.comment)}` : '',
        a.password ? `-p ${shq(a.password)}` : '',
      ].filter(Boolean);
      cmd.push(`useradd ${o.join(' ')} ${n}`);
    } else {
      const [, , uid, , comment, home, shell] = f.passwd.split(':');
      const o: string[] = [];
      if (a.uid !== undefined && String(a.uid) !== uid) o.push(`-u ${a.uid}`);
      if (a.group && a.group !== f.primary) o.push(`-g ${shq(a.group)}`);
      if (a.shell && a.shell !== shell) o.push(`-s ${shq(a.shell)}`);
      if (a.home && a.home !== home) o.push(`-d ${shq(a.home)}`);
      if (a.comment !== undefined && a.comment !== comment) o.push(`-c ${shq(a.comment)}`);
      if (a.groups) {
        const missing = a.groups.filter((g) => !f.groups.includes(g));
        const extra = f.groups.filter((g) => g !== f.primary && !a.groups!.includes(g));
        if (missing.length || (!a.append && extra.length)) o.push(`${a.append ? '-a ' : ''}-G ${shq(a.append ? missing.join(',') : a.groups.join(','))}`);
      }
      if (o.length) cmd.push(`usermod ${o.join(' ')} ${n}`);
      if (a.password && f.hash !== a.password) cmd.push(`usermod -p ${shq(a.password)} ${n}`);
    }
    const result = { name: a.name, state: a.state };
    if (!cmd.length) return { action: 'none', result };
    const shown = cmd.map((c) => hide(c, a.password));
    return {
      action: a.state === 'absent' ? 'remove' : f.passwd ? 'modify' : 'create',
      changes: shown,
      data: cmd,
      diff: [{ path: `user ${a.name}`, before: `${f.passwd ?? 'absent'}\n`, after: `${a.state === 'absent' ? 'absent' : shown.join('\n')}\n` }],
      result,
    };
  },
  async apply(p, a, ctx) {
    const r = await run(ctx, `${p.data.join(' && ')} 2>&1`);
    if (r.rc !== 0) return { failed: true, msg: hide(r.stdout.trim(), a.password) };
  },
});
