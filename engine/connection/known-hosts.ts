import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

export type HostKeyVerdict = { ok: true } | { ok: false; reason: 'unknown' | 'changed'; message: string };

/** How known_hosts names a host: `name` on port 22, `[name]:port` otherwise. */
function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(field: string, token: string): boolean {
  if (field.startsWith('|1|')) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, host))
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64') === hash;
  }
  return field.split(',').some((n) => {
    if (n.startsWith('!')) return false;
    if (!/[*?]/.test(n)) return n === token;
    const re = new RegExp(
      `^${n
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return re.test(token);
  });
}

/**
 * Checks the server's raw public key (ssh wire format, as ssh2 hands it over)
 * against known_hosts files, hashed entries included.
 */
export function verifyHostKey(files: string[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const token = hostToken(host, port);
  const blob = key.toString('base64');
  const type = key.subarray(4, 4 + key.readUInt32BE(0)).toString();
  let sameTypeDifferent = false;
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const parts = line.split(/\s+/);
      if (parts[0]!.startsWith('@')) {
        if (parts[0] === '@revoked' && parts[3] === blob && nameMatches(parts[1]!, token)) {
          return { ok: false, reason: 'changed', message: `the host key of ${token} is marked @revoked in ${file}` };
        }
        continue;
      }
      const [names, ktype, kblob] = parts;
      if (!names || !ktype || !kblob || !nameMatches(names, token)) continue;
      if (kblob === blob) return { ok: true };
      if (ktype === type) sameTypeDifferent = true;
    }
  }
  if (sameTypeDifferent) {
    return {
      ok: false,
      reason: 'changed',
      message: `REMOTE HOST IDENTIFICATION HAS CHANGED for ${token}: its ${type} key differs from known_hosts (${files.join(', ')}). Someone could be intercepting the connection; if the change is expected, remove the old entry with: ssh-keygen -R '${token}'`,
    };
  }
  return {
    ok: false,
    reason: 'unknown',
    message: `host key verification failed: ${token} (${type}) is not in ${files.join(', ')}. Check its fingerprint, then accept it with: ssh-keyscan -p ${port} ${host} >> ${files[0]} (or turn checking off explicitly with --host-key-checking false)`,
  };
}
