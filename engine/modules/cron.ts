import { shq } from '../connection/commands.js';
import { applyFileChange, type FileChange, fileProbe, planEdit } from './lib/content.js';
import type { RemoteFile } from './lib/files.js';
import { run } from './lib/remote.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation, type Plan } from './types.js';

interface Args {
  name: string;
  job?: string;
  minute: string;
  hour: string;
  day: string;
  month: string;
  weekday: string;
  special_time?: string;
  user?: string;
  cron_file?: string;
  state: 'present' | 'absent';
  disabled: boolean;
}

/** The `#Ansible: NAME` marker line followed by the entry, as Ansible's cron keeps them. */
function editCron(text: string, a: Args, withUser: boolean): string {
  const lines = toLines(text);
  const marker = `#Ansible: ${a.name}`;
  const i = lines.indexOf(marker);
  if (i >= 0) lines.splice(i, 2);
  if (a.state === 'present') {
    const when = a.special_time ? `@${a.special_time}` : `${a.minute} ${a.hour} ${a.day} ${a.month} ${a.weekday}`;
    const entry = `${a.disabled ? '#' : ''}${when}${withUser ? ` ${a.user ?? 'root'}` : ''} ${a.job}`;
    lines.splice(i >= 0 ? i : lines.length, 0, marker, entry);
  }
  return fromLines(lines);
}

/** Remote: sh, coreutils; crontab(1) for user crontabs, nothing more for cron_file. */
const cronFile = (a: Args): string | undefined => (a.cron_file ? (a.cron_file.startsWith('/') ? a.cron_file : `/etc/cron.d/${a.cron_file}`) : undefined);
const userFlag = (a: Args): string => (a.user ? `-u ${shq(a.user)}` : '');

/** A cron.d file as a file, or a user's crontab as `crontab -l` prints it. */
type Facts = { file: RemoteFile } | { crontab?: string };

export const module = defineOperation<Args, Facts, FileChange | string>({
  kind: 'operation',
  name: 'cron',
  description: 'Manages a named cron entry in a user crontab or in /etc/cron.d/CRON_FILE.',
  args: {
    name: { type: 'str', required: true },
    job: { type: 'str', aliases: ['value'] },
    minute: { type: 'str', default: '*' },
    hour: { type: 'str', default: '*' },
    day: { type: 'str', default: '*', aliases: ['dom'] },
    month: { type: 'str', default: '*' },
    weekday: { type: 'str', default: '*', aliases: ['dow'] },
    special_time: { type: 'str', choices: ['annually', 'daily', 'hourly', 'monthly', 'reboot', 'weekly', 'yearly'] },
    user: { type: 'str' },
    cron_file: { type: 'str' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    disabled: { type: 'bool', default: false },
  },
  preflight: (a) => (a.state !== 'absent' && a.job === undefined ? ["state=present needs 'job'"] : []),
  probe(a: Args) {
    const path = cronFile(a);
    if (path) {
      const p = fileProbe(path, true);
      return { command: p.command, parse: (r): Facts => ({ file: p.parse(r) }) };
    }
    return {
      command: `command -v crontab >/dev/null || { echo NOCRONTAB; exit 0; }; crontab ${userFlag(a)} -l 2>/dev/null; true`,
      parse: (r): Facts => (r.stdout.includes('NOCRONTAB') ? {} : { crontab: r.stdout }),
    };
  },
  plan(f: Facts, a: Args, _p, mode): Plan<FileChange | string> {
    if ('file' in f) return planEdit(f.file, { path: cronFile(a)!, create: true, mode: '0644' }, (t) => editCron(t, a, true));
    if (f.crontab === undefined) return { action: 'fail', msg: `crontab is not installed on ${mode.host} (install cron, or use cron_file)` };
    const after = editCron(f.crontab, a, false);
    const result = { jobs: [a.name] };
    if (after === f.crontab) return { action: 'none', result };
    return {
      action: 'modify',
      changes: [`${a.state === 'absent' ? 'remove' : 'set'} job ${a.name}`],
      data: after,
      diff: [{ path: `crontab ${a.user ?? ''}`.trim(), before: f.crontab, after }],
      result,
    };
  },
  async apply(p, a, ctx) {
    if (typeof p.data !== 'string') return applyFileChange({ ...p, data: p.data }, { mode: '0644' }, ctx);
    const r = await run(ctx, `crontab ${userFlag(a)} - 2>&1`, p.data);
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
