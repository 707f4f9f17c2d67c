import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineOperation } from './types.js';

interface Facts {
  known: boolean;
  /** The zone /etc/localtime links to, else /etc/timezone's. */
  current: string;
  /** /etc/timezone, when the host has one. */
  file?: string;
}

const zonePath = (name: string): string => `/usr/share/zoneinfo/${name}`;

/** Remote: sh, coreutils; tzdata in /usr/share/zoneinfo. */
export const module = defineOperation({
  kind: 'operation',
  name: 'timezone',
  fqcn: ['community.general.timezone'],
  description: 'Sets the system time zone (/etc/localtime, /etc/timezone).',
  args: { name: { type: 'str', required: true } },
  probe: (a: { name: string }) => ({
    command: `echo "link=$(readlink /etc/localtime 2>/dev/null)"; echo "file=$(cat /etc/timezone 2>/dev/null)"; [ -e ${shq(zonePath(a.name))} ] && echo known=yes; true`,
    parse: (r): Facts => {
      const file = /file=(.*)/.exec(r.stdout)?.[1]?.trim();
      return { known: r.stdout.includes('known=yes'), current: (/link=.*zoneinfo\/(.*)/.exec(r.stdout)?.[1] ?? file ?? '').trim(), file: file || undefined };
    },
  }),
  plan(f: Facts, a) {
    if (!f.known) return { action: 'fail', msg: `unknown time zone '${a.name}' (not in /usr/share/zoneinfo)` };
    if (f.current === a.name && (f.file === undefined || f.file === a.name)) return { action: 'none' };
    return {
      action: 'modify',
      changes: [`${f.current || '(none)'} -> ${a.name}`],
      data: undefined,
      diff: [{ path: 'timezone', before: `${f.current}\n`, after: `${a.name}\n` }],
    };
  },
  async apply(_p, a, ctx) {
    const r = await run(ctx, `ln -sf ${shq(zonePath(a.name))} /etc/localtime && { [ ! -e /etc/timezone ] || echo ${shq(a.name)} > /etc/timezone; } 2>&1`);
    if (r.rc !== 0) return { failed: true, msg: r.stdout.trim() };
  },
});
