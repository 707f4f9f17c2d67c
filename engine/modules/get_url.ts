import { chownSpec, shq, tempBeside } from '../connection/commands.js';
import { fileArgs } from './copy.js';
import { applyMode, ownerDiffers, parseProbe, probeScript, type RemoteFile } from './lib/files.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

/**
 * Downloads on the host (as Ansible does), with curl or wget; checksum as
 * 'sha256:HEX' (or sha1, md5). An existing dest with the right checksum, or any
 * existing dest without a checksum and force=false, is left alone.
 * Remote: sh, coreutils, curl or wget.
 */
interface Args {
  url: string;
  dest: string;
  checksum?: string;
  force: boolean;
  timeout: number;
  mode?: string;
  owner?: string;
  group?: string;
  headers?: Record<string, string>;
}

const algoOf = (a: Args): [string, string] | [undefined, undefined] => (a.checksum ? (a.checksum.split(':') as [string, string]) : [undefined, undefined]);

export const module = defineOperation({
  kind: 'operation',
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
  preflight: (a) =>
    typeof a.checksum === 'string' && !/^(sha256|sha1|md5|sha512):[0-9a-fA-F]+$/.test(a.checksum)
      ? [`checksum must look like 'sha256:HEX', got '${a.checksum}'`]
      : [],
  probe(a: Args) {
    const [algo] = algoOf(a);
    const d = shq(a.dest);
    return {
      command: `${probeScript(a.dest, false)}\n${algo ? `[ -f ${d} ] && echo "sum=$(${algo}sum < ${d} | cut -d' ' -f1)"; ` : ''}true`,
      parse: (r): { cur: RemoteFile; sum?: string } => ({ cur: parseProbe(r.stdout.split('\nsum=')[0]!), sum: /sum=(\w+)/.exec(r.stdout)?.[1]?.toLowerCase() }),
    };
  },
  plan(f, a: Args): Plan<string> {
    const [algo, want] = algoOf(a);
    const { cur } = f;
    const sumOk = want !== undefined && f.sum === want.toLowerCase();
    const needDownload = !cur.exists || a.force || (want !== undefined && !sumOk);
    const wantMode = a.mode ? applyMode(cur.mode ?? '0644', a.mode, false) : undefined;
    const modeDiffers = wantMode !== undefined && wantMode !== cur.mode;
    const ownerChange = cur.exists && ownerDiffers(cur, a.owner, a.group);
    const result = { url: a.url, dest: a.dest, checksum_dest: want };
    if (!needDownload && !modeDiffers && !ownerChange) return { action: 'none', result };
    const d = shq(a.dest);
    const steps: string[] = [];
    if (needDownload) {
      const hdr = Object.entries(a.headers ?? {})
        .map(([k, v]) => `-H ${shq(`${k}: ${v}`)}`)
        .join(' ');
      steps.push(
        `tmp=$(mktemp ${shq(tempBeside(a.dest))}) || exit 1`,
        `trap 'rm -f "$tmp"' EXIT`,
        `if command -v curl >/dev/null; then curl -fsSL --connect-timeout ${a.timeout} ${hdr} -o "$tmp" ${shq(a.url)} 2>&1 || exit 4; elif command -v wget >/dev/null; then wget -q -T ${a.timeout} -O "$tmp" ${shq(a.url)} 2>&1 || exit 4; else echo 'neither curl nor wget is installed' >&2; exit 5; fi`,
        want
          ? `got=$(${algo}sum < "$tmp" | cut -d' ' -f1); [ "$got" = ${shq(want.toLowerCase())} ] || { echo "checksum mismatch: expected ${want}, got $got"; exit 6; }`
          : ':',
        `chmod ${wantMode ?? cur.mode ?? '0644'} "$tmp"`,
        `mv -f "$tmp" ${d}`,
        `trap - EXIT`,
      );
    } else if (wantMode) steps.push(`chmod ${wantMode} ${d}`);
    const own = chownSpec(a.owner, a.group);
    if (own) steps.push(`chown ${own} ${d}`);
    return {
      action: cur.exists ? 'modify' : 'create',
      changes: [
        ...(needDownload ? [`download ${a.url}`] : []),
        ...(modeDiffers ? [`mode ${cur.mode ?? '-'} -> ${wantMode}`] : []),
        ...(ownerChange ? ['owner'] : []),
      ],
      data: steps.join('\n'),
      diff: [{ path: a.dest, before: cur.exists ? `present (${cur.size} bytes)\n` : 'absent\n', after: `downloaded from ${a.url}\n` }],
      result,
    };
  },
  async apply(p, a, ctx) {
    const r = await run(ctx, p.data);
    if (r.rc === 4) return { failed: true, msg: `cannot download ${a.url} (offline, or the server refused): ${r.stdout.trim() || r.stderr.trim()}` };
    if (r.rc !== 0) return { failed: true, msg: (r.stdout + r.stderr).trim() };
  },
});
