import { fileArgs } from './copy.js';
import { defineModule, type ModuleResult } from './types.js';
import { applyMode, ownerDiffers, parseProbe, probeScript, run, shq, tempBeside } from './util.js';

/**
 * Downloads on the host (as Ansible does), with curl or wget; checksum as
 * 'sha256:HEX' (or sha1, md5). An existing dest with the right checksum, or any
 * existing dest without a checksum and force=false, is left alone.
 * Remote: sh, coreutils, curl or wget.
 */
export const module = defineModule<{ url: string; dest: string; checksum?: string; force: boolean; timeout: number; mode?: string; owner?: string; group?: string; headers?: Record<string, string> }>({
  name: 'get_url',
  description: 'Downloads a file over HTTP(S) or FTP to the host, checked by checksum.',
  args: {
    url: { type: 'str', required: true },
    dest: { type: 'path', required: true },
    checksum: { type: 'str', description: "'sha256:HEX', 'sha1:HEX' or 'md5:HEX'" },
    force: { type: 'bool', default: false },
    timeout: { type: 'int', default: 10 },
    headers: { type: 'dict' },
    ...fileArgs,
  },
  checkMode: 'predict',
  preflight: (a) => (typeof a.checksum === 'string' && !/^(sha256|sha1|md5|sha512):[0-9a-fA-F]+$/.test(a.checksum) ? [`checksum must look like 'sha256:HEX', got '${a.checksum}'`] : []),
  async run(args, ctx) {
    const [algo, want] = args.checksum ? (args.checksum.split(':') as [string, string]) : [undefined, undefined];
    const d = shq(args.dest);
    // One probe: the file's state and, with a checksum to compare, its sum.
    const q = await run(ctx, `${probeScript(args.dest, false)}\n${algo ? `[ -f ${d} ] && echo "sum=$(${algo}sum < ${d} | cut -d' ' -f1)"; ` : ''}true`);
    const cur = parseProbe(q.stdout.split('\nsum=')[0]!);
    const sumOk = want ? /sum=(\w+)/.exec(q.stdout)?.[1]?.toLowerCase() === want.toLowerCase() : false;
    const needDownload = !cur.exists || args.force || (want !== undefined && !sumOk);
    const wantMode = args.mode ? applyMode(cur.mode ?? '0644', args.mode, false) : undefined;
    const attrs = (wantMode !== undefined && wantMode !== cur.mode) || (cur.exists && ownerDiffers(cur, args.owner, args.group));
    const result: ModuleResult = { changed: needDownload || attrs, url: args.url, dest: args.dest, checksum_dest: want };
    if (ctx.diff && result.changed) result.diff = [{ path: args.dest, before: cur.exists ? `present (${cur.size} bytes)\n` : 'absent\n', after: `downloaded from ${args.url}\n` }];
    if (!result.changed || ctx.check) return result;
    const steps: string[] = [];
    if (needDownload) {
      const hdr = Object.entries(args.headers ?? {}).map(([k, v]) => `-H ${shq(`${k}: ${v}`)}`).join(' ');
      steps.push(
        `tmp=$(mktemp ${shq(tempBeside(args.dest))}) || exit 1`,
        `trap 'rm -f "$tmp"' EXIT`,
        `if command -v curl >/dev/null; then curl -fsSL --connect-timeout ${args.timeout} ${hdr} -o "$tmp" ${shq(args.url)} 2>&1 || exit 4; elif command -v wget >/dev/null; then wget -q -T ${args.timeout} -O "$tmp" ${shq(args.url)} 2>&1 || exit 4; else echo 'neither curl nor wget is installed' >&2; exit 5; fi`,
        want ? `got=$(${algo}sum < "$tmp" | cut -d' ' -f1); [ "$got" = ${shq(want.toLowerCase())} ] || { echo "checksum mismatch: expected ${want}, got $got"; exit 6; }` : ':',
        `chmod ${wantMode ?? (cur.mode ?? '0644')} "$tmp"`,
        `mv -f "$tmp" ${d}`,
        `trap - EXIT`,
      );
    } else if (wantMode) steps.push(`chmod ${wantMode} ${d}`);
    if (args.owner || args.group) steps.push(`chown ${shq(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} ${d}`);
    const r = await run(ctx, steps.join('\n'));
    if (r.rc === 4) return { ...result, failed: true, msg: `cannot download ${args.url} (offline, or the server refused): ${r.stdout.trim() || r.stderr.trim()}` };
    if (r.rc !== 0) return { ...result, failed: true, msg: (r.stdout + r.stderr).trim() };
    return result;
  },
});
