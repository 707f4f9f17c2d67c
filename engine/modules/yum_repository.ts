import { editOperation } from './lib/content.js';
import { defineOperation } from './types.js';

interface Args {
  name: string;
  description?: string;
  baseurl?: string;
  gpgcheck?: boolean;
  gpgkey?: string;
  repo_gpgcheck?: boolean;
  enabled: boolean;
  exclude?: string;
  file?: string;
  reposdir: string;
  state: 'present' | 'absent';
}

/** Remote: sh, coreutils. Writes REPOSDIR/FILE.repo as an ini section, as yum and dnf read them. */
const pathOf = (a: Args): string => `${a.reposdir}/${a.file ?? a.name}.repo`;

export const module = defineOperation({
  name: 'yum_repository',
  description: 'Adds or removes a yum/dnf repository file (e.g. the Kubernetes RPM repository for a minor version).',
  args: {
    name: { type: 'str', required: true },
    description: { type: 'str' },
    baseurl: { type: 'str' },
    gpgcheck: { type: 'bool' },
    gpgkey: { type: 'str' },
    repo_gpgcheck: { type: 'bool' },
    enabled: { type: 'bool', default: true },
    exclude: { type: 'str' },
    file: { type: 'str' },
    reposdir: { type: 'path', default: '/etc/yum.repos.d' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  },
  preflight: (a) => (a.state !== 'absent' && a.baseurl === undefined ? ["state=present needs 'baseurl'"] : []),
  ...editOperation<Args>(
    (a) => ({ path: pathOf(a), create: true, mode: '0644' }),
    (args) => {
      const b = (v: boolean | undefined) => (v === undefined ? undefined : v ? '1' : '0');
      const fields: [string, string | undefined][] = [
        ['name', args.description ?? args.name],
        ['baseurl', args.baseurl],
        ['enabled', b(args.enabled)],
        ['gpgcheck', b(args.gpgcheck)],
        ['repo_gpgcheck', b(args.repo_gpgcheck)],
        ['gpgkey', args.gpgkey],
        ['exclude', args.exclude],
      ];
      const section = `[${args.name}]\n${fields
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n')}\n`;
      return (text) => {
        const parts = text.split(/^(?=\[)/m).filter((p) => p.trim() && !p.startsWith(`[${args.name}]`));
        if (args.state === 'present') parts.push(section);
        return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('\n');
      };
    },
    (a) => ({ repo: a.name }),
  ),
});
