import { defineModule } from './types.js';
import { editFile, fromLines, run, toLines } from './util.js';

/** Ansible's file name for a repository: its URL's host and path, with _ for punctuation. */
export function repoFilename(repo: string): string {
  const url = repo.split(/\s+/).find((p) => /^https?:\/\//.test(p)) ?? repo;
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '').replace(/[^\w]+/g, '_');
}

/** Remote: sh, coreutils, apt-get (for update_cache). */
export const module = defineModule<{ repo: string; state: 'present' | 'absent'; filename?: string; update_cache: boolean; mode?: string }>({
  name: 'apt_repository',
  description: "Adds or removes an APT source line in /etc/apt/sources.list.d/FILENAME.list (e.g. 'deb [signed-by=/etc/apt/keyrings/k.gpg] URL /').",
  args: {
    repo: { type: 'str', required: true },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    filename: { type: 'str', description: 'file name without .list; derived from the URL when not given' },
    update_cache: { type: 'bool', default: true, aliases: ['update-cache'] },
    mode: { type: 'mode' },
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const path = `/etc/apt/sources.list.d/${(args.filename ?? repoFilename(args.repo)).replace(/\.list$/, '')}.list`;
    const line = args.repo.trim().replace(/\s+/g, ' ');
    const r = await editFile(ctx, { path, create: true, mode: args.mode ?? '0644' }, (text) => {
      const lines = toLines(text).filter((l) => l.trim().replace(/\s+/g, ' ') !== line);
      return fromLines(args.state === 'present' ? [...lines, line] : lines);
    }, { repo: line, sources_list: path });
    if (r.failed || !r.changed || ctx.check || !args.update_cache) return r;
    const u = await run(ctx, 'DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 2>&1');
    const bad = u.stdout.split('\n').filter((l) => /^(Err:|E: |W: Failed)/.test(l));
    if (u.rc !== 0 || bad.length) return { ...r, failed: true, msg: `repository added to ${path}, but apt-get update could not reach it (offline or a wrong URL):\n${bad.join('\n') || u.stdout.trim()}` };
    return { ...r, cache_updated: true };
  },
});
