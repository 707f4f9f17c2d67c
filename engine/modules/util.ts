import { shq } from '../connection/types.js';
import type { ModuleContext, ModuleResult } from './types.js';

export { shq };

/** Runs one remote command with the task's become, environment and timeout. */
export async function run(ctx: ModuleContext, command: string, stdin?: string | Buffer) {
  const env = Object.keys(ctx.env).length ? ctx.env : undefined;
  const prefix = env ? Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join(' ') : '';
  const cmd = prefix ? `export ${prefix}; ${command}` : command;
  return ctx.conn.exec(cmd, { stdin, become: ctx.become, timeoutMs: ctx.timeoutMs });
}

export function lines(s: string): string[] {
  if (!s) return [];
  return s.replace(/\n$/, '').split('\n');
}

/** The fields Ansible's command module returns. */
export function commandResult(cmd: string | string[], rc: number, stdout: string, stderr: string, start: Date, changed: boolean): ModuleResult {
  const end = new Date();
  const out = stdout.replace(/\n$/, '');
  const err = stderr.replace(/\n$/, '');
  const fmt = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
  const delta = end.getTime() - start.getTime();
  return {
    changed,
    cmd,
    rc,
    stdout: out,
    stderr: err,
    stdout_lines: lines(out),
    stderr_lines: lines(err),
    start: fmt(start),
    end: fmt(end),
    delta: `0:00:${(delta / 1000).toFixed(6).padStart(9, '0')}`,
    ...(rc !== 0 ? { failed: true, msg: 'non-zero return code' } : {}),
  };
}

/** Splits command text into words like Python's shlex (quotes and backslashes), for the command module. */
export function shlexSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === q) q = null;
      else if (ch === '\\' && q === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** What one probe learns about a path on the host. */
export interface RemoteFile {
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  mode?: string;
  owner?: string;
  group?: string;
  uid?: number;
  gid?: number;
  size?: number;
  checksum?: string;
  linkTarget?: string;
  content?: Buffer;
}

/** The shell text of a probe; several probes can share one round trip. */
/** ansible-core's default max_diff_size, in bytes. */
export const MAX_DIFF_SIZE = 104448;

export function probeScript(path: string, withContent: boolean, tag = ''): string {
  const p = shq(path);
  return [
    `echo "@@probe${tag}"`,
    `if [ -L ${p} ]; then t=link; elif [ -d ${p} ]; then t=directory; elif [ -f ${p} ]; then t=file; elif [ -e ${p} ]; then t=other; else t=absent; fi`,
    `echo "type=$t"`,
    `if [ $t != absent ]; then stat --printf 'mode=%a\\nowner=%U\\ngroup=%G\\nuid=%u\\ngid=%g\\nsize=%s\\n' ${p}; fi`,
    `[ $t = link ] && echo "target=$(readlink ${p})"`,
    `[ $t = file ] && [ -r ${p} ] && echo "sha1=$(sha1sum < ${p} | cut -d' ' -f1)"`,
    // Ansible's max_diff_size: a bigger file (a kubelet binary) is not worth sending for a diff.
    withContent ? `[ $t = file ] && [ -r ${p} ] && [ $(stat -c %s ${p}) -le ${MAX_DIFF_SIZE} ] && { printf 'content='; base64 -w0 < ${p}; echo; }` : ':',
    'true',
  ].join('\n');
}

export function parseProbe(out: string, tag = ''): RemoteFile {
  const start = out.indexOf(`@@probe${tag}\n`);
  const text = start >= 0 ? out.slice(start + `@@probe${tag}\n`.length).split('\n@@probe')[0]! : out;
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  const type = kv.get('type');
  if (!type || type === 'absent') return { exists: false };
  return {
    exists: true,
    type: type as RemoteFile['type'],
    mode: kv.get('mode')?.padStart(4, '0'),
    owner: kv.get('owner'),
    group: kv.get('group'),
    uid: kv.has('uid') ? Number(kv.get('uid')) : undefined,
    gid: kv.has('gid') ? Number(kv.get('gid')) : undefined,
    size: kv.has('size') ? Number(kv.get('size')) : undefined,
    checksum: kv.get('sha1'),
    linkTarget: kv.get('target'),
    content: kv.has('content') ? Buffer.from(kv.get('content')!, 'base64') : undefined,
  };
}

/** One round trip: the state of a path, with its content when asked. */
export async function probeFile(ctx: ModuleContext, path: string, withContent = false): Promise<RemoteFile> {
  const r = await run(ctx, probeScript(path, withContent));
  if (r.rc !== 0) throw new Error(`cannot inspect ${path}: ${r.stderr.trim() || `rc=${r.rc}`}`);
  return parseProbe(r.stdout);
}

/**
 * Applies a mode (octal or symbolic such as u+x,go-w) to a current octal mode,
 * on the controller, so a task can tell whether chmod would change anything.
 */
export function applyMode(current: string | undefined, mode: string, isDir: boolean): string {
  if (/^0?[0-7]{3,4}$/.test(mode)) return mode.replace(/^0?/, '').padStart(4, '0');
  let bits = parseInt(current ?? '0', 8);
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!m) throw new Error(`invalid mode '${mode}'`);
    const who = m[1] || 'a';
    const shifts = [...new Set(who.replace('a', 'ugo').split(''))].map((w) => ({ u: 6, g: 3, o: 0 })[w as 'u' | 'g' | 'o']);
    let perm = 0;
    for (const p of m[3]!) perm |= p === 'r' ? 4 : p === 'w' ? 2 : p === 'x' || (p === 'X' && (isDir || bits & 0o111)) ? 1 : 0;
    let mask = 0;
    for (const s of shifts) mask |= perm << s;
    if (m[3]!.includes('s')) mask |= (who.includes('u') || who.includes('a') ? 0o4000 : 0) | (who.includes('g') || who.includes('a') ? 0o2000 : 0);
    if (m[3]!.includes('t')) mask |= 0o1000;
    if (m[2] === '+') bits |= mask;
    else if (m[2] === '-') bits &= ~mask;
    else {
      let clear = 0;
      for (const s of shifts) clear |= 7 << s;
      bits = (bits & ~clear) | mask;
    }
  }
  return bits.toString(8).padStart(4, '0');
}

export interface WriteOptions {
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  validate?: string;
  /** The file as it is now, so a new file gets 0644 and an existing one keeps its mode and owner. */
  existing?: RemoteFile;
}

/**
 * One round trip: the new content goes into a temporary file next to dest, is
 * checked (checksum, then `validate` with %s), gets its mode and owner, an
 * optional backup of the old file is kept, and a rename puts it in place.
 */
/**
 * A temporary name beside dest, so the final rename stays on one file system, and short:
 * dest plus a suffix can pass NAME_MAX (255) where dest itself is a legal 244 characters.
 */
export function tempBeside(dest: string): string {
  const slash = dest.lastIndexOf('/');
  return `${slash >= 0 ? dest.slice(0, slash + 1) : ''}.tsplay.XXXXXXXX`;
}

export async function writeFile(ctx: ModuleContext, dest: string, content: Buffer, o: WriteOptions): Promise<{ backup_file?: string }> {
  const { createHash } = await import('node:crypto');
  const sum = createHash('sha1').update(content).digest('hex');
  const d = shq(dest);
  const tmp = `"$tmp"`;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '@').slice(0, 15);
  const backupPath = `${dest}.${stamp}~`;
  const steps = [
    ...(o.existing?.exists ? [] : [`mkdir -p "$(dirname ${d})"`]),
    `tmp=$(mktemp ${shq(tempBeside(dest))}) || exit 1`,
    `trap 'rm -f "$tmp"' EXIT`,
    `cat > ${tmp}`,
    `[ "$(sha1sum < ${tmp} | cut -d' ' -f1)" = ${sum} ] || { echo 'checksum mismatch after transfer' >&2; exit 1; }`,
  ];
  if (o.validate) {
    if (!o.validate.includes('%s')) throw new Error(`validate must contain %s, got '${o.validate}'`);
    steps.push(`${o.validate.split('%s').join('"$tmp"')} >&2 || { echo "validation failed: ${o.validate.replace(/"/g, '\\"')}" >&2; exit 3; }`);
  }
  const mode = o.mode ? applyMode(o.existing?.mode ?? '0644', o.mode, false) : o.existing?.exists ? undefined : '0644';
  if (mode) steps.push(`chmod ${mode} ${tmp}`);
  else steps.push(`chmod --reference=${d} ${tmp} 2>/dev/null || true`);
  if (o.owner || o.group) steps.push(`chown ${shq(`${o.owner ?? ''}${o.group ? `:${o.group}` : ''}`)} ${tmp}`);
  else if (o.existing?.exists) steps.push(`chown --reference=${d} ${tmp} 2>/dev/null || true`);
  if (o.backup && o.existing?.exists) steps.push(`cp -p ${d} ${shq(backupPath)}`);
  steps.push(`mv -f ${tmp} ${d}`, `trap - EXIT`);
  const r = await run(ctx, `umask 022\n${steps.join(' || exit 1\n')}`, content);
  if (r.rc !== 0) throw new Error(r.stderr.trim() || `cannot write ${dest} (rc=${r.rc})`);
  return o.backup && o.existing?.exists ? { backup_file: backupPath } : {};
}

/** The before/after text of a file's state, for --diff of changes that are not content. */
export function stateText(path: string, f: { exists: boolean; type?: string; mode?: string; owner?: string; group?: string; linkTarget?: string }): string {
  if (!f.exists) return `path: ${path}\nstate: absent\n`;
  const state = f.type === 'link' ? 'link' : f.type === 'directory' ? 'directory' : 'file';
  return `path: ${path}\nstate: ${state}\n${f.mode ? `mode: ${f.mode}\n` : ''}${f.owner ? `owner: ${f.owner}\n` : ''}${f.group ? `group: ${f.group}\n` : ''}${f.linkTarget ? `src: ${f.linkTarget}\n` : ''}`;
}

/** Finds a controller-side source file along the task's search paths. */
export async function findLocal(paths: string[], src: string): Promise<string | undefined> {
  const { existsSync } = await import('node:fs');
  const { isAbsolute, join } = await import('node:path');
  if (isAbsolute(src)) return existsSync(src) ? src : undefined;
  return paths.map((p) => join(p, src)).find((p) => existsSync(p));
}

export function ownerDiffers(f: RemoteFile, owner?: string, group?: string): boolean {
  const differs = (want: string | undefined, name: string | undefined, id: number | undefined) =>
    want !== undefined && (/^\d+$/.test(want) ? Number(want) !== id : want !== name);
  return differs(owner, f.owner, f.uid) || differs(group, f.group, f.gid);
}

export interface ContentArgs {
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  validate?: string;
  force?: boolean;
}

/**
 * copy and template: probe once, decide on the controller, write once.
 * No change costs one round trip; a change costs two.
 */
export async function ensureContent(ctx: ModuleContext, args: ContentArgs, content: Buffer, srcName?: string): Promise<ModuleResult> {
  const { createHash } = await import('node:crypto');
  let dest = args.dest;
  let cur = await probeFile(ctx, dest, ctx.diff);
  if ((cur.type === 'directory' || dest.endsWith('/')) && srcName) {
    dest = `${dest.replace(/\/$/, '')}/${srcName}`;
    cur = await probeFile(ctx, dest, ctx.diff);
  }
  if (cur.exists && cur.type !== 'file' && cur.type !== 'link') return { failed: true, msg: `dest ${dest} exists and is a ${cur.type}` };
  const checksum = createHash('sha1').update(content).digest('hex');
  const contentChanges = !cur.exists || (cur.checksum !== checksum && args.force !== false);
  const wantMode = args.mode ? applyMode(cur.mode ?? '0644', args.mode, false) : undefined;
  const attrChanges = cur.exists && ((wantMode !== undefined && wantMode !== cur.mode) || ownerDiffers(cur, args.owner, args.group));
  const result: ModuleResult = { changed: contentChanges || attrChanges, dest, checksum, size: content.length };
  if (ctx.diff && result.changed) {
    const before = cur.content?.toString('utf8') ?? '';
    const tooBig = content.length > MAX_DIFF_SIZE || (cur.exists && cur.content === undefined) || content.includes(0);
    const summary = (what: string, size: number | undefined, sum: string | undefined) => `${what}: ${size ?? 0} bytes, sha1 ${sum ?? '-'} (diff skipped: binary or larger than ${MAX_DIFF_SIZE} bytes)\n`;
    if (contentChanges && tooBig) result.diff = [{ path: dest, before: cur.exists ? summary('before', cur.size, cur.checksum) : '', after: summary('after', content.length, checksum) }];
    else result.diff = contentChanges ? [{ path: dest, before, after: content.toString('utf8') }] : [{ path: dest, before: stateText(dest, cur), after: stateText(dest, { ...cur, mode: wantMode ?? cur.mode, owner: args.owner ?? cur.owner, group: args.group ?? cur.group }) }];
  }
  if (!result.changed || ctx.check) return result;
  if (contentChanges) Object.assign(result, await writeFile(ctx, dest, content, { ...args, existing: cur }));
  else {
    const cmds = [];
    if (wantMode && wantMode !== cur.mode) cmds.push(`chmod ${wantMode} ${shq(dest)}`);
    if (ownerDiffers(cur, args.owner, args.group)) cmds.push(`chown ${shq(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} ${shq(dest)}`);
    const r = await run(ctx, cmds.join(' && '));
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() };
  }
  return result;
}

/** Python regular expressions, as roles write them, in JavaScript. */
export function pyRe(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$'), flags);
}

/** Python's replacement syntax (\1, \g<name>) in JavaScript's ($1, $<name>). */
export function pyReplacement(rep: string): string {
  return rep.replace(/\$/g, '$$$$').replace(/\\g<(\d+)>/g, '$$$1').replace(/\\g<(\w+)>/g, '$$<$1>').replace(/\\(\d)/g, '$$$1');
}

export interface EditArgs {
  path: string;
  create?: boolean;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  validate?: string;
}

/**
 * lineinfile, blockinfile, replace, sysctl: read the file in the probe, edit the
 * text on the controller, write only when it changed.
 */
export async function editFile(ctx: ModuleContext, args: EditArgs, edit: (text: string, exists: boolean) => string | { error: string }, extra: ModuleResult = {}): Promise<ModuleResult> {
  const cur = await probeFile(ctx, args.path, true);
  if (cur.exists && cur.type !== 'file') return { failed: true, msg: `${args.path} is a ${cur.type}, not a file` };
  if (!cur.exists && !args.create) return { failed: true, rc: 257, msg: `Destination ${args.path} does not exist !` };
  const before = cur.content?.toString('utf8') ?? '';
  const after = edit(before, cur.exists);
  if (typeof after !== 'string') return { failed: true, msg: after.error };
  const wantMode = args.mode ? applyMode(cur.mode ?? '0644', args.mode, false) : undefined;
  const contentChanged = after !== before || !cur.exists;
  const attrChanged = cur.exists && ((wantMode !== undefined && wantMode !== cur.mode) || ownerDiffers(cur, args.owner, args.group));
  const result: ModuleResult = { changed: contentChanged || attrChanged, path: args.path, ...extra };
  if (result.changed) result.msg = contentChanged ? (cur.exists ? 'line(s) changed' : 'file created') : 'attributes changed';
  if (ctx.diff && result.changed) result.diff = [{ path: args.path, before, after }];
  if (!result.changed || ctx.check) return result;
  if (contentChanged) Object.assign(result, await writeFile(ctx, args.path, Buffer.from(after), { ...args, existing: cur }));
  else {
    const r = await run(ctx, [wantMode && wantMode !== cur.mode ? `chmod ${wantMode} ${shq(args.path)}` : ':', ownerDiffers(cur, args.owner, args.group) ? `chown ${shq(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} ${shq(args.path)}` : ':'].join(' && '));
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() };
  }
  return result;
}

/** Splits text into lines keeping whether it ended with a newline. */
export function toLines(text: string): string[] {
  if (!text) return [];
  const l = text.split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
}

export function fromLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
