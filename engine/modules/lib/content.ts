import { createHash } from 'node:crypto';
import type { Change, ModuleContext, ModuleResult, Plan, Probe } from '../types.js';
import { applyMode, attrCommand, MAX_DIFF_SIZE, ownerDiffers, parseProbe, probeScript, type RemoteFile, stateText, writeFile } from './files.js';
import { run } from './remote.js';

/** The file arguments copy, template, lineinfile and the other content modules share. */
export interface FileArgs {
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  validate?: string;
}

/** What apply does to one file: write new content, or only fix its mode and owner. */
export interface FileChange {
  path: string;
  existing: RemoteFile;
  /** New content to write; absent when only attributes change. */
  content?: Buffer;
  /** chmod/chown of the existing file, when only attributes change. */
  attrs?: string;
}

/** The probe of one path, with its content when the plan needs it. */
export function fileProbe(path: string, withContent: boolean): Probe<RemoteFile> {
  return {
    command: probeScript(path, withContent),
    parse: (r) => {
      if (r.rc !== 0) throw new Error(`cannot inspect ${path}: ${r.stderr.trim() || `rc=${r.rc}`}`);
      return parseProbe(r.stdout);
    },
  };
}

export interface EditArgs extends FileArgs {
  path: string;
  create?: boolean;
}

/** A text edit: the new text, or an error message for the user. */
export type Edit = (text: string, exists: boolean) => string | { error: string };

/**
 * Pure: lineinfile, blockinfile, replace, sysctl and the other editors read the
 * file in the probe, and this decides from its text alone what to write.
 */
export function planEdit(cur: RemoteFile, a: EditArgs, edit: Edit, result: ModuleResult = {}): Plan<FileChange> {
  if (cur.exists && cur.type !== 'file') return { action: 'fail', msg: `${a.path} is a ${cur.type}, not a file` };
  if (!cur.exists && !a.create) return { action: 'fail', msg: `Destination ${a.path} does not exist !`, result: { rc: 257 } };
  const before = cur.content?.toString('utf8') ?? '';
  const after = edit(before, cur.exists);
  if (typeof after !== 'string') return { action: 'fail', msg: after.error };
  const base = { path: a.path, ...result };
  const wantMode = a.mode ? applyMode(cur.mode ?? '0644', a.mode, false) : undefined;
  if (!cur.exists || after !== before) {
    return {
      action: cur.exists ? 'modify' : 'create',
      changes: [cur.exists ? 'content' : 'file created'],
      data: { path: a.path, existing: cur, content: Buffer.from(after) },
      diff: [{ path: a.path, before, after }],
      result: { ...base, msg: cur.exists ? 'line(s) changed' : 'file created' },
    };
  }
  return attrPlan(a.path, cur, wantMode, a, { ...base, msg: 'attributes changed' }) ?? { action: 'none', result: base };
}

/** The plan when only mode or owner differ; undefined when nothing does. */
function attrPlan(path: string, cur: RemoteFile, wantMode: string | undefined, a: FileArgs, result: ModuleResult): Change<FileChange> | undefined {
  const attrs = attrCommand(path, cur, wantMode, a.owner, a.group);
  if (!attrs) return undefined;
  const after = { ...cur, mode: wantMode ?? cur.mode, owner: a.owner ?? cur.owner, group: a.group ?? cur.group };
  const changes = [
    ...(wantMode && wantMode !== cur.mode ? [`mode ${cur.mode} -> ${wantMode}`] : []),
    ...(ownerDiffers(cur, a.owner, a.group) ? ['owner'] : []),
  ];
  return {
    action: 'modify',
    changes,
    data: { path, existing: cur, attrs },
    diff: [{ path, before: stateText(path, cur), after: stateText(path, after) }],
    result,
  };
}

/** Writes the planned content (atomically) or fixes the attributes. */
export async function applyFileChange(plan: Change<FileChange>, a: FileArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const d = plan.data;
  if (d.content) return writeFile(ctx, d.path, d.content, { ...a, existing: d.existing });
  const r = await run(ctx, d.attrs!);
  if (r.rc !== 0) throw new Error(r.stderr.trim() || `cannot change the attributes of ${d.path}`);
  return {};
}

export interface ContentArgs extends FileArgs {
  dest: string;
  force?: boolean;
}

/** copy and template: the content to put, prepared on the controller, and its name for a directory dest. */
export interface Content {
  content: Buffer;
  name?: string;
}

/**
 * One round trip for copy and template: dest, and dest/name in case dest is a
 * directory, probed together.
 */
export function contentProbe(a: ContentArgs, c: Content, withContent: boolean): Probe<{ dest: RemoteFile; inside?: RemoteFile }> {
  const inside = c.name ? `${a.dest.replace(/\/$/, '')}/${c.name}` : undefined;
  return {
    command: [probeScript(a.dest, withContent, 'dest'), ...(inside ? [probeScript(inside, withContent, 'inside')] : [])].join('\n'),
    parse: (r) => {
      if (r.rc !== 0) throw new Error(`cannot inspect ${a.dest}: ${r.stderr.trim() || `rc=${r.rc}`}`);
      return { dest: parseProbe(r.stdout, 'dest'), inside: inside ? parseProbe(r.stdout, 'inside') : undefined };
    },
  };
}

/** Pure: whether the file at dest (or inside the directory dest) must be written or only re-moded. */
export function planContent(f: { dest: RemoteFile; inside?: RemoteFile }, a: ContentArgs, c: Content): Plan<FileChange> {
  const intoDir = (f.dest.type === 'directory' || a.dest.endsWith('/')) && c.name !== undefined;
  const dest = intoDir ? `${a.dest.replace(/\/$/, '')}/${c.name}` : a.dest;
  const cur = (intoDir ? f.inside : f.dest) ?? { exists: false };
  if (cur.exists && cur.type !== 'file' && cur.type !== 'link') return { action: 'fail', msg: `dest ${dest} exists and is a ${cur.type}` };
  const checksum = createHash('sha1').update(c.content).digest('hex');
  const result: ModuleResult = { dest, checksum, size: c.content.length };
  const wantMode = a.mode ? applyMode(cur.mode ?? '0644', a.mode, false) : undefined;
  if (!cur.exists || (cur.checksum !== checksum && a.force !== false)) {
    const tooBig = c.content.length > MAX_DIFF_SIZE || (cur.exists && cur.content === undefined) || c.content.includes(0);
    const summary = (what: string, size: number | undefined, sum: string | undefined) =>
      `${what}: ${size ?? 0} bytes, sha1 ${sum ?? '-'} (diff skipped: binary or larger than ${MAX_DIFF_SIZE} bytes)\n`;
    const diff = tooBig
      ? [{ path: dest, before: cur.exists ? summary('before', cur.size, cur.checksum) : '', after: summary('after', c.content.length, checksum) }]
      : [{ path: dest, before: cur.content?.toString('utf8') ?? '', after: c.content.toString('utf8') }];
    return {
      action: cur.exists ? 'modify' : 'create',
      changes: [cur.exists ? 'content' : 'file created'],
      data: { path: dest, existing: cur, content: c.content },
      diff,
      result,
    };
  }
  return attrPlan(dest, cur, wantMode, a, result) ?? { action: 'none', result };
}

/**
 * The probe, plan and apply of a module that edits a file's text: the module
 * gives only which file (and its mode, owner, create) and its edit, both made
 * from its arguments.
 */
export function editOperation<A>(target: (args: A) => EditArgs, edit: (args: A) => Edit, extra?: (args: A) => ModuleResult) {
  return {
    kind: 'operation' as const,
    probe: (a: A): Probe<RemoteFile> => fileProbe(target(a).path, true),
    plan: (f: RemoteFile, a: A): Plan<FileChange> => planEdit(f, target(a), edit(a), extra?.(a)),
    apply: (p: Change<FileChange>, a: A, ctx: ModuleContext): Promise<ModuleResult> => applyFileChange(p, target(a), ctx),
  };
}

/** A file (with its content) and the output of one more command, read in one round trip. */
export function fileAndProbe<T>(path: string, extra: string | undefined, parseExtra: (out: string) => T): Probe<{ file: RemoteFile; extra?: T }> {
  return {
    command: [probeScript(path, true, 'file'), ...(extra ? [`echo @@extra`, extra] : [])].join('\n'),
    parse: (r) => {
      const at = r.stdout.indexOf('@@extra\n');
      if (at < 0 && r.rc !== 0) throw new Error(`cannot inspect ${path}: ${r.stderr.trim() || `rc=${r.rc}`}`);
      if (at < 0) return { file: parseProbe(r.stdout, 'file') };
      return { file: parseProbe(r.stdout.slice(0, at), 'file'), extra: parseExtra(r.stdout.slice(at + '@@extra\n'.length)) };
    },
  };
}

/** A change to the running system beside a file's (mount, swapoff, sysctl -w, setenforce). */
export interface LiveChange {
  change: string;
  command: string;
  diff?: { path: string; before: string; after: string };
}

/** Pure: a file plan and a live change, as one plan. */
export function withLive(filePlan: Plan<FileChange>, live: LiveChange | undefined, result: ModuleResult = {}): Plan<{ file?: FileChange; live?: string }> {
  if (filePlan.action === 'fail') return filePlan;
  const file = filePlan.action === 'none' ? undefined : filePlan;
  const merged = { ...filePlan.result, ...result };
  if (!file && !live) return { action: 'none', result: merged };
  return {
    action: file?.action ?? 'modify',
    changes: [...(file?.changes.map((c) => `${file.data.path}: ${c}`) ?? []), ...(live ? [live.change] : [])],
    data: { file: file?.data, live: live?.command },
    diff: [...(file?.diff ?? []), ...(live?.diff ? [live.diff] : [])],
    result: merged,
  };
}

/** Writes the file part, then runs the live command; a failing live command fails the task with its output. */
export async function applyWithLive(
  p: Change<{ file?: FileChange; live?: string }>,
  a: FileArgs,
  ctx: ModuleContext,
  failMsg: (out: string) => string = (o) => o,
): Promise<ModuleResult> {
  const out = p.data.file ? await applyFileChange({ ...p, data: p.data.file }, a, ctx) : {};
  if (p.data.live === undefined) return out;
  const r = await run(ctx, `${p.data.live} 2>&1`);
  if (r.rc !== 0) return { ...out, failed: true, msg: failMsg(r.stdout.trim()) };
  return out;
}
