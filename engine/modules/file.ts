import { chownSpec, shq } from '../connection/commands.js';
import { fileArgs } from './copy.js';
import { applyMode, ownerDiffers, parseProbe, probeScript, type RemoteFile, stateText } from './lib/files.js';
import { run } from './lib/remote.js';
import { defineOperation, type ModuleResult, type Plan } from './types.js';

interface FileArgs {
  path: string;
  state?: 'file' | 'directory' | 'link' | 'hard' | 'touch' | 'absent';
  src?: string;
  mode?: string;
  owner?: string;
  group?: string;
  recurse: boolean;
  force: boolean;
}

/** Remote: sh, coreutils (stat, mkdir, ln, chmod, chown, rm, touch). */
interface Facts {
  cur: RemoteFile;
  /** recurse: something below the directory differs in mode or owner. */
  below: boolean;
  /** state=hard: the source, and whether path already is that file. */
  src?: RemoteFile;
  same?: boolean;
}

const isOctal = (m: string): boolean => /^0?[0-7]{3,4}$/.test(m);

/** The find test for "anything below differs": only an octal mode can be compared exactly. */
function belowTests(a: FileArgs): string[] {
  return [
    ...(a.mode && isOctal(a.mode) ? [`! -perm ${applyMode(undefined, a.mode, true).slice(-4)}`] : []),
    ...(a.owner ? [/^\d+$/.test(a.owner) ? `! -uid ${a.owner}` : `! -user ${shq(a.owner)}`] : []),
    ...(a.group ? [/^\d+$/.test(a.group) ? `! -gid ${a.group}` : `! -group ${shq(a.group)}`] : []),
  ];
}

export const module = defineOperation({
  kind: 'operation',
  name: 'file',
  description: 'Makes a path a file, directory, symlink or hard link with a mode and owner, touches or removes it.',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    state: { type: 'str', choices: ['file', 'directory', 'link', 'hard', 'touch', 'absent'] },
    src: { type: 'path', description: 'target of a link' },
    recurse: { type: 'bool', default: false, description: 'apply mode and owner below a directory too' },
    force: { type: 'bool', default: false, description: 'replace what stands where a link goes' },
    ...fileArgs,
  },
  preflight: (a) => ((a.state === 'link' || a.state === 'hard') && a.src === undefined ? [`state=${a.state} needs 'src'`] : []),
  probe(a: FileArgs) {
    const p = shq(a.path);
    const tests = a.recurse ? belowTests(a) : [];
    const lines = [probeScript(a.path, false, 'path')];
    // With recurse, find answers in the same round trip whether anything below differs.
    if (tests.length && a.state !== 'absent')
      lines.push(`[ -d ${p} ] && [ ! -L ${p} ] && [ -n "$(find ${p} -mindepth 1 \\( ${tests.join(' -o ')} \\) -print -quit)" ] && echo @@below`);
    if (a.state === 'hard' && a.src) lines.push(probeScript(a.src, false, 'src'), `[ ${p} -ef ${shq(a.src)} ] && echo @@same`);
    return {
      command: `${lines.join('\n')}\ntrue`,
      parse: (r): Facts => {
        if (r.rc !== 0) throw new Error(`cannot inspect ${a.path}: ${r.stderr.trim() || `rc=${r.rc}`}`);
        const out = r.stdout;
        const srcAt = out.indexOf('@@probesrc\n');
        return {
          cur: parseProbe(srcAt >= 0 ? out.slice(0, srcAt) : out, 'path'),
          below: out.includes('@@below\n'),
          src: srcAt >= 0 ? parseProbe(out.slice(srcAt), 'src') : undefined,
          same: out.includes('@@same\n'),
        };
      },
    };
  },
  plan(f: Facts, args: FileArgs): Plan<string[]> {
    const { cur } = f;
    const p = shq(args.path);
    const state = args.state ?? (cur.exists ? (cur.type === 'directory' ? 'directory' : cur.type === 'link' ? 'link' : 'file') : 'file');
    const cmds: string[] = [];
    const isDir = state === 'directory';
    const below = f.below && isDir && cur.exists;
    const wantMode = args.mode ? applyMode(cur.mode ?? (isDir ? '0755' : '0644'), args.mode, isDir) : undefined;
    const attrs = (exists: boolean): void => {
      const R = args.recurse && isDir ? '-R ' : '';
      if (wantMode && (!exists || wantMode !== cur.mode || below)) cmds.push(`chmod ${R}${args.mode && !isOctal(args.mode) ? shq(args.mode) : wantMode} ${p}`);
      if ((args.owner || args.group) && (!exists || ownerDiffers(cur, args.owner, args.group) || below))
        cmds.push(`chown ${R}${chownSpec(args.owner, args.group)} ${p}`);
    };
    const fail = (msg: string, extra: ModuleResult = {}): Plan<string[]> => ({ action: 'fail', msg, result: { path: args.path, ...extra } });
    let after: RemoteFile = { ...cur };
    switch (state) {
      case 'absent':
        if (cur.exists) cmds.push(`rm -rf ${p}`);
        after = { exists: false };
        break;
      case 'directory':
        if (cur.exists && cur.type !== 'directory') return fail(`${args.path} exists and is a ${cur.type}, not a directory`);
        if (!cur.exists) cmds.push(`mkdir -p ${p}`);
        attrs(cur.exists);
        after = { exists: true, type: 'directory', mode: wantMode ?? cur.mode ?? '0755', owner: args.owner ?? cur.owner, group: args.group ?? cur.group };
        break;
      case 'file':
        if (!cur.exists) return fail(`file (${args.path}) is absent, cannot continue (use state=touch to create it)`, { state: 'absent' });
        if (cur.type === 'directory') return fail(`${args.path} is a directory`);
        attrs(true);
        after = { ...cur, mode: wantMode ?? cur.mode, owner: args.owner ?? cur.owner, group: args.group ?? cur.group };
        break;
      case 'touch':
        // Ansible's touch always updates the times, so it always reports changed.
        cmds.push(`touch ${p}`);
        attrs(cur.exists);
        after = {
          exists: true,
          type: cur.type ?? 'file',
          mode: wantMode ?? cur.mode ?? '0644',
          owner: args.owner ?? cur.owner,
          group: args.group ?? cur.group,
        };
        break;
      case 'link': {
        const right = cur.exists && cur.type === 'link' && cur.linkTarget === args.src;
        if (cur.exists && !right) {
          if (cur.type !== 'link' && !args.force) return fail(`refusing to replace the ${cur.type} ${args.path} with a link; set force: true`);
          cmds.push(`rm -rf ${p}`);
        }
        if (!right) cmds.push(`ln -s ${shq(args.src!)} ${p}`);
        if ((args.owner || args.group) && (!cur.exists || ownerDiffers(cur, args.owner, args.group)))
          cmds.push(`chown -h ${chownSpec(args.owner, args.group)} ${p}`);
        after = { exists: true, type: 'link', linkTarget: args.src, owner: args.owner ?? cur.owner, group: args.group ?? cur.group, mode: cur.mode };
        break;
      }
      case 'hard': {
        const src = f.src ?? { exists: false };
        if (!src.exists) return fail(`src ${args.src} does not exist`);
        if (!f.same) {
          if (cur.exists && !args.force) return fail(`refusing to replace ${args.path} with a hard link; set force: true`);
          cmds.push(`ln -f ${shq(args.src!)} ${p}`);
        }
        attrs(true);
        after = { exists: true, type: 'file', mode: wantMode ?? src.mode, owner: args.owner ?? src.owner, group: args.group ?? src.group };
        break;
      }
    }
    const result: ModuleResult = { path: args.path, state, ...(wantMode ? { mode: wantMode } : {}) };
    if (!cmds.length) return { action: 'none', result };
    return {
      action: state === 'absent' ? 'remove' : cur.exists ? 'modify' : 'create',
      changes: cmds,
      data: cmds,
      diff: [{ path: args.path, before: stateText(args.path, cur), after: stateText(args.path, after) }],
      result,
    };
  },
  async apply(p, _a, ctx) {
    const r = await run(ctx, p.data.join(' && '));
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() || `rc=${r.rc}` };
  },
});
