import { readFileSync } from 'node:fs';
import { shq } from '../connection/commands.js';
import { applyFileChange, type Content, contentProbe, planContent } from './lib/content.js';
import type { RemoteFile } from './lib/files.js';
import { findLocal } from './lib/files.js';
import { run } from './lib/remote.js';
import { defineOperation, type Plan } from './types.js';

/** gpg --dearmor on the controller: the base64 body of an ASCII-armored key is the binary keyring. */
export function dearmor(text: string): Buffer {
  const lines = text.replace(/\r/g, '').split('\n');
  const start = lines.findIndex((l) => l.startsWith('-----BEGIN PGP'));
  if (start < 0) return Buffer.from(text, 'binary');
  let i = start + 1;
  while (i < lines.length && lines[i]!.trim() !== '') i++;
  const body: string[] = [];
  for (i++; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('=') || l.startsWith('-----END')) break;
    body.push(l);
  }
  return Buffer.from(body.join(''), 'base64');
}

/**
 * Keys for signed-by repositories: the key goes to a keyring file (binary for
 * .gpg, armored for .asc). apt-key's global keyring is deprecated and not offered.
 * Remote: sh, coreutils; curl or wget for url.
 */
interface Args {
  url?: string;
  data?: string;
  file?: string;
  keyring: string;
  state: 'present' | 'absent';
  mode?: string;
}

export const module = defineOperation({
  kind: 'operation',
  name: 'apt_key',
  description: 'Installs an APT signing key as a keyring file for signed-by (from url, data or a controller file).',
  args: {
    url: { type: 'str' },
    data: { type: 'str', description: 'the key itself, armored or not' },
    file: { type: 'path', description: 'a key file on the controller (role files/)' },
    keyring: { type: 'path', required: true, description: 'e.g. /etc/apt/keyrings/kubernetes-apt-keyring.gpg' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    mode: { type: 'mode', default: '0644' },
  },
  preflight: (a) =>
    a.state !== 'absent' && [a.url, a.data, a.file].filter((x) => x !== undefined).length !== 1 ? ["exactly one of 'url', 'data' or 'file' is required"] : [],
  /** The key's bytes: given, read on the controller, or downloaded on the host (as Ansible does). */
  async prepare(args: Args, ctx): Promise<Content | undefined> {
    if (args.state === 'absent') return undefined;
    let text: string;
    if (args.data !== undefined) text = args.data;
    else if (args.file !== undefined) {
      const p = findLocal(ctx.searchPaths.files, args.file);
      if (!p) throw new Error(`key file '${args.file}' not found on the controller`);
      text = readFileSync(p, 'latin1');
    } else {
      const r = await run(
        ctx,
        `(curl -fsSL --connect-timeout 20 ${shq(args.url!)} 2>&1 || wget -q -T 20 -O - ${shq(args.url!)} 2>&1) | base64 -w0; exit \${PIPESTATUS:-0}`,
      );
      const data = Buffer.from(r.stdout.trim(), 'base64').toString('latin1');
      if (!data.includes('PGP') && data.length < 100)
        throw new Error(`cannot download the key from ${args.url} on the host (offline or wrong URL): ${data.trim()}`);
      text = data;
    }
    return { content: args.keyring.endsWith('.asc') ? Buffer.from(text, 'latin1') : dearmor(text) };
  },
  probe: (a, c, mode) => contentProbe({ dest: a.keyring, mode: a.mode }, c ?? { content: Buffer.alloc(0) }, mode.diff),
  plan(f: { dest: RemoteFile }, a, c): Plan<{ path: string; existing: RemoteFile; content?: Buffer }> {
    if (!c) {
      if (!f.dest.exists) return { action: 'none', result: { keyring: a.keyring } };
      return { action: 'remove', changes: [`remove ${a.keyring}`], data: { path: a.keyring, existing: f.dest }, result: { keyring: a.keyring } };
    }
    return planContent(f, { dest: a.keyring, mode: a.mode }, c);
  },
  async apply(p, a, ctx) {
    if (p.action !== 'remove') return applyFileChange(p, { mode: a.mode }, ctx);
    const r = await run(ctx, `rm -f ${shq(a.keyring)}`);
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() };
  },
});
