import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { atomicWriteScript, chownSpec, shq } from '../../connection/commands.js';
import type { ModuleContext } from '../types.js';
import { run } from './remote.js';

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
 * One round trip: the new content goes into a 0600 temporary file next to dest, is
 * checked (sha256, then `validate` with %s), gets its mode and owner, an optional
 * backup of the old file is kept, and a rename puts it in place.
 */
export async function writeFile(ctx: ModuleContext, dest: string, content: Buffer, o: WriteOptions): Promise<{ backup_file?: string }> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '@').slice(0, 15);
  const backupPath = o.backup && o.existing?.exists ? `${dest}.${stamp}~` : undefined;
  const mode = o.mode ? applyMode(o.existing?.mode ?? '0644', o.mode, false) : undefined;
  const script = atomicWriteScript({ dest, content, mode, owner: o.owner, group: o.group, validate: o.validate, backupPath, exists: !!o.existing?.exists });
  const r = await run(ctx, script, content);
  if (r.rc !== 0) throw new Error(r.stderr.trim() || `cannot write ${dest} (rc=${r.rc})`);
  return backupPath ? { backup_file: backupPath } : {};
}

/** chmod and chown of an existing path, only for what differs; undefined when nothing does. */
export function attrCommand(path: string, cur: RemoteFile, mode: string | undefined, owner?: string, group?: string, flags = ''): string | undefined {
  const cmds: string[] = [];
  if (mode !== undefined && mode !== cur.mode) cmds.push(`chmod ${flags}${shq(mode)} ${shq(path)}`);
  const own = ownerDiffers(cur, owner, group) ? chownSpec(owner, group) : undefined;
  if (own) cmds.push(`chown ${flags}${own} ${shq(path)}`);
  return cmds.length ? cmds.join(' && ') : undefined;
}

/** The before/after text of a file's state, for --diff of changes that are not content. */
export function stateText(path: string, f: { exists: boolean; type?: string; mode?: string; owner?: string; group?: string; linkTarget?: string }): string {
  if (!f.exists) return `path: ${path}\nstate: absent\n`;
  const state = f.type === 'link' ? 'link' : f.type === 'directory' ? 'directory' : 'file';
  return `path: ${path}\nstate: ${state}\n${f.mode ? `mode: ${f.mode}\n` : ''}${f.owner ? `owner: ${f.owner}\n` : ''}${f.group ? `group: ${f.group}\n` : ''}${f.linkTarget ? `src: ${f.linkTarget}\n` : ''}`;
}

export function findLocal(paths: string[], src: string): string | undefined {
  if (isAbsolute(src)) return existsSync(src) ? src : undefined;
  return paths.map((p) => join(p, src)).find((p) => existsSync(p));
}

export function ownerDiffers(f: RemoteFile, owner?: string, group?: string): boolean {
  const differs = (want: string | undefined, name: string | undefined, id: number | undefined) =>
    want !== undefined && (/^\d+$/.test(want) ? Number(want) !== id : want !== name);
  return differs(owner, f.owner, f.uid) || differs(group, f.group, f.gid);
}
