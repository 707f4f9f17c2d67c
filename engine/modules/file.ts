import { fileArgs } from './copy.js';
import { defineModule, type ModuleResult } from './types.js';
import { applyMode, ownerDiffers, probeFile, run, shq, stateText } from './util.js';

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
export const module = defineModule<FileArgs>({
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
  checkMode: 'predict',
  preflight: (a) => ((a.state === 'link' || a.state === 'hard') && a.src === undefined ? [`state=${a.state} needs 'src'`] : []),
  async run(args, ctx) {
    const p = shq(args.path);
    const cur = await probeFile(ctx, args.path);
    const state = args.state ?? (cur.exists ? (cur.type === 'directory' ? 'directory' : cur.type === 'link' ? 'link' : 'file') : 'file');
    const cmds: string[] = [];
    const isDir = state === 'directory';
    const wantMode = args.mode ? applyMode(cur.mode ?? (isDir ? '0755' : '0644'), args.mode, isDir) : undefined;
    // With recurse, one more round trip asks find whether anything below differs.
    let below = false;
    if (args.recurse && isDir && cur.exists && (args.mode || args.owner || args.group)) {
      const tests = [
        ...(wantMode && /^0?[0-7]{3,4}$/.test(args.mode!) ? [`! -perm ${wantMode.slice(-4)}`] : []),
        ...(args.owner ? [/^\d+$/.test(args.owner) ? `! -uid ${args.owner}` : `! -user ${shq(args.owner)}`] : []),
        ...(args.group ? [/^\d+$/.test(args.group) ? `! -gid ${args.group}` : `! -group ${shq(args.group)}`] : []),
      ];
      const r = await run(ctx, `find ${p} -mindepth 1 \\( ${tests.join(' -o ')} \\) -print -quit`);
      below = r.stdout.trim() !== '';
    }
    const attrs = (exists: boolean): void => {
      const R = args.recurse && isDir ? '-R ' : '';
      if (wantMode && (!exists || wantMode !== cur.mode || below)) cmds.push(`chmod ${R}${args.mode && !/^0?[0-7]{3,4}$/.test(args.mode) ? shq(args.mode) : wantMode} ${p}`);
      if ((args.owner || args.group) && (!exists || ownerDiffers(cur, args.owner, args.group) || below)) cmds.push(`chown ${R}${shq(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} ${p}`);
    };
    let after = { ...cur };
    switch (state) {
      case 'absent':
        if (cur.exists) cmds.push(`rm -rf ${p}`);
        after = { exists: false };
        break;
      case 'directory':
        if (cur.exists && cur.type !== 'directory') return { failed: true, msg: `${args.path} exists and is a ${cur.type}, not a directory`, path: args.path };
        if (!cur.exists) cmds.push(`mkdir -p ${p}`);
        attrs(cur.exists);
        after = { exists: true, type: 'directory', mode: wantMode ?? cur.mode ?? '0755', owner: args.owner ?? cur.owner, group: args.group ?? cur.group };
        break;
      case 'file':
        if (!cur.exists) return { failed: true, msg: `file (${args.path}) is absent, cannot continue (use state=touch to create it)`, path: args.path, state: 'absent' };
        if (cur.type === 'directory') return { failed: true, msg: `${args.path} is a directory`, path: args.path };
        attrs(true);
        after = { ...cur, mode: wantMode ?? cur.mode, owner: args.owner ?? cur.owner, group: args.group ?? cur.group };
        break;
      case 'touch':
        // Ansible's touch always updates the times, so it always reports changed.
        cmds.push(`touch ${p}`);
        attrs(cur.exists);
        after = { exists: true, type: cur.type ?? 'file', mode: wantMode ?? cur.mode ?? '0644', owner: args.owner ?? cur.owner, group: args.group ?? cur.group };
        break;
      case 'link':
        if (cur.exists && (cur.type !== 'link' || cur.linkTarget !== args.src)) {
          if (cur.type !== 'link' && !args.force) return { failed: true, msg: `refusing to replace the ${cur.type} ${args.path} with a link; set force: true`, path: args.path };
          cmds.push(`rm -rf ${p}`);
        }
        if (!cur.exists || cur.type !== 'link' || cur.linkTarget !== args.src) cmds.push(`ln -s ${shq(args.src!)} ${p}`);
        if (args.owner || args.group) {
          if (!cur.exists || ownerDiffers(cur, args.owner, args.group)) cmds.push(`chown -h ${shq(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} ${p}`);
        }
        after = { exists: true, type: 'link', linkTarget: args.src, owner: args.owner ?? cur.owner, group: args.group ?? cur.group, mode: cur.mode };
        break;
      case 'hard': {
        const src = await probeFile(ctx, args.src!);
        if (!src.exists) return { failed: true, msg: `src ${args.src} does not exist`, path: args.path };
        const same = await run(ctx, `[ ${p} -ef ${shq(args.src!)} ] && echo same`);
        if (!same.stdout.includes('same')) {
          if (cur.exists && !args.force) return { failed: true, msg: `refusing to replace ${args.path} with a hard link; set force: true`, path: args.path };
          cmds.push(`ln -f ${shq(args.src!)} ${p}`);
        }
        attrs(true);
        after = { exists: true, type: 'file', mode: wantMode ?? src.mode, owner: args.owner ?? src.owner, group: args.group ?? src.group };
        break;
      }
    }
    const result: ModuleResult = { changed: cmds.length > 0, path: args.path, state };
    if (wantMode) result.mode = wantMode;
    if (ctx.diff && result.changed) result.diff = [{ path: args.path, before: stateText(args.path, cur), after: stateText(args.path, after) }];
    if (!result.changed || ctx.check) return result;
    const r = await run(ctx, cmds.join(' && '));
    if (r.rc !== 0) return { ...result, failed: true, msg: r.stderr.trim() || `rc=${r.rc}` };
    return result;
  },
});
