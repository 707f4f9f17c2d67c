import { editOperation } from './lib/content.js';
import { run } from './lib/remote.js';
import { fromLines, toLines } from './lib/text.js';
import { defineOperation } from './types.js';

/** Ansible's file name for a repository: its URL's host and path, with _ for punctuation. */
export function repoFilename(repo: string): string {
  const url = repo.split(/\s+/).find((p) => /^https?:\/\//.test(p)) ?? repo;
  return url
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '')
    .replace(/[^\w]+/g, '_');
}

/** Remote: sh, coreutils, apt-get (for update_cache). */
interface Args {
  repo: string;
  state: 'present' | 'absent';
  filename?: string;
  update_cache: boolean;
  mode?: string;
}

const pathOf = (a: Args): string => `/etc/apt/sources.list.d/${(a.filename ?? repoFilename(a.repo)).replace(/\.list$/, '')}.list`;
const lineOf = (a: Args): string => a.repo.trim().replace(/\s+/g, ' ');
const edits = editOperation<Args>(
  (a) => ({ path: pathOf(a), create: true, mode: a.mode ?? '0644' }),
  (a) => (text) => {
    const lines = toLines(text).filter((l) => l.trim().replace(/\s+/g, ' ') !== lineOf(a));
    return fromLines(a.state === 'present' ? [...lines, lineOf(a)] : lines);
  },
  (a) => ({ repo: lineOf(a), sources_list: pathOf(a) }),
);

export const module = defineOperation({
  name: 'apt_repository',
  description: "Adds or removes an APT source line in /etc/apt/sources.list.d/FILENAME.list (e.g. 'deb [signed-by=/etc/apt/keyrings/k.gpg] URL /').",
  args: {
    repo: { type: 'str', required: true },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    filename: { type: 'str', description: 'file name without .list; derived from the URL when not given' },
    update_cache: { type: 'bool', default: true, aliases: ['update-cache'] },
    mode: { type: 'mode' },
  },
  ...edits,
  /** The new source line, then apt-get update, so the next apt task sees the repository. */
  async apply(p, a, ctx) {
    const out = await edits.apply(p, a, ctx);
    if (!a.update_cache) return out;
    const u = await run(ctx, 'DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 2>&1');
    const bad = u.stdout.split('\n').filter((l) => /^(Err:|E: |W: Failed)/.test(l));
    if (u.rc !== 0 || bad.length)
      return {
        ...out,
        failed: true,
        msg: `repository added to ${pathOf(a)}, but apt-get update could not reach it (offline or a wrong URL):\n${bad.join('\n') || u.stdout.trim()}`,
      };
    return { ...out, cache_updated: true };
  },
});
