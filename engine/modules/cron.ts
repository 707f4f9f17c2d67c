import { defineModule } from './types.js';
import { editFile, fromLines, run, shq, toLines } from './util.js';

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
export const module = defineModule<Args>({
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
  checkMode: 'predict',
  preflight: (a) => (a.state !== 'absent' && a.job === undefined ? ["state=present needs 'job'"] : []),
  async run(args, ctx) {
    if (args.cron_file) {
      const path = args.cron_file.startsWith('/') ? args.cron_file : `/etc/cron.d/${args.cron_file}`;
      return editFile(ctx, { path, create: true, mode: '0644' }, (t) => editCron(t, args, true));
    }
    const u = args.user ? `-u ${shq(args.user)}` : '';
    const q = await run(ctx, `command -v crontab >/dev/null || { echo NOCRONTAB; exit 0; }; crontab ${u} -l 2>/dev/null; true`);
    if (q.stdout.includes('NOCRONTAB')) return { failed: true, msg: `crontab is not installed on ${ctx.host} (install cron, or use cron_file)` };
    const after = editCron(q.stdout, args, false);
    const changed = after !== q.stdout;
    const result = { changed, jobs: [args.name], diff: ctx.diff && changed ? [{ path: `crontab ${args.user ?? ''}`.trim(), before: q.stdout, after }] : undefined };
    if (!changed || ctx.check) return result;
    const r = await run(ctx, `crontab ${u} - 2>&1`, after);
    return r.rc === 0 ? result : { ...result, failed: true, msg: r.stdout.trim() };
  },
});
