import { createHash } from 'node:crypto';

/**
 * The one place remote shell text is built from values: quoting, ownership,
 * environment, become and the atomic file write. Connections and modules compose
 * these instead of pasting values into strings, so a value holding `$(...)`,
 * quotes or a newline is always one literal word on the host.
 */

/** Quotes a value as one POSIX sh word. */
export function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** `owner:group` for chown, quoted; undefined when neither is set. */
export function chownSpec(owner?: string, group?: string): string | undefined {
  if (!owner && !group) return undefined;
  return shq(`${owner ?? ''}${group ? `:${group}` : ''}`);
}

/** `export K='v' ...; ` for a task's environment, or nothing. */
export function envPrefix(env: Record<string, string> | undefined): string {
  const entries = Object.entries(env ?? {});
  for (const [k] of entries) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name '${k}'`);
  return entries.length ? `export ${entries.map(([k, v]) => `${k}=${shq(v)}`).join(' ')}; ` : '';
}

/** Wraps a command for become; the password goes on stdin (`sudo -S`), never on the command line. */
export function becomeWrap(command: string, become: { user: string; password?: string } | undefined, currentUser: string): { command: string; prefix: string } {
  if (!become || become.user === currentUser) return { command, prefix: '' };
  const sudo = become.password !== undefined ? `sudo -S -p '' -H -u ${shq(become.user)}` : `sudo -n -H -u ${shq(become.user)}`;
  return { command: `${sudo} /bin/sh -c ${shq(command)}`, prefix: become.password !== undefined ? `${become.password}\n` : '' };
}

/**
 * A temporary name beside dest, so the final rename stays on one file system, and short:
 * dest plus a suffix can pass NAME_MAX (255) where dest itself is a legal 244 characters.
 */
export function tempBeside(dest: string): string {
  const slash = dest.lastIndexOf('/');
  return `${slash >= 0 ? dest.slice(0, slash + 1) : ''}.tsplay.XXXXXXXX`;
}

export interface AtomicWrite {
  dest: string;
  content: Buffer;
  /** Octal, already resolved; without it a new file gets 0644 and an existing one keeps its own. */
  mode?: string;
  owner?: string;
  group?: string;
  /** A command with %s for the temporary file; a non-zero exit keeps the old file. */
  validate?: string;
  /** Copy the old file here first. */
  backupPath?: string;
  /** Whether dest exists now (keep its mode and owner; skip creating the directory); a new file gets 0644. */
  exists: boolean;
}

/**
 * Shell text that writes stdin to dest atomically: a 0600 temporary file beside it
 * (umask 077 until the mode is set), its sha256 checked against what was sent,
 * validate, mode and owner, an optional backup, then one rename. On any failure
 * the temporary file is removed and dest is untouched.
 */
export function atomicWriteScript(w: AtomicWrite): string {
  const sum = createHash('sha256').update(w.content).digest('hex');
  const d = shq(w.dest);
  const steps = [
    // Directories made on the way get the usual 0755; only the temporary file is private.
    ...(w.exists ? [] : [`(umask 022 && mkdir -p "$(dirname ${d})")`]),
    `tmp=$(mktemp ${shq(tempBeside(w.dest))})`,
    `trap 'rm -f "$tmp"' EXIT`,
    `cat > "$tmp"`,
    `[ "$(sha256sum < "$tmp" | cut -d' ' -f1)" = ${sum} ] || { echo 'checksum mismatch after transfer' >&2; exit 1; }`,
  ];
  if (w.validate) {
    if (!w.validate.includes('%s')) throw new Error(`validate must contain %s, got '${w.validate}'`);
    steps.push(`${w.validate.split('%s').join('"$tmp"')} >&2 || { echo ${shq(`validation failed: ${w.validate}`)} >&2; exit 3; }`);
  }
  const mode = w.mode ?? (w.exists ? undefined : '0644');
  steps.push(mode ? `chmod ${shq(mode)} "$tmp"` : `chmod --reference=${d} "$tmp" 2>/dev/null || true`);
  const own = chownSpec(w.owner, w.group);
  if (own) steps.push(`chown ${own} "$tmp"`);
  else if (w.exists) steps.push(`chown --reference=${d} "$tmp" 2>/dev/null || true`);
  if (w.backupPath && w.exists) steps.push(`cp -p ${d} ${shq(w.backupPath)}`);
  steps.push(`mv -f "$tmp" ${d}`, `trap - EXIT`);
  return `umask 077\n${steps.join(' || exit 1\n')}`;
}
