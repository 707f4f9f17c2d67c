import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import pLimit from 'p-limit';
import SSHConfig from 'ssh-config';
import { Client, type ConnectConfig } from 'ssh2';
import { atomicWriteScript, becomeWrap, envPrefix, shq } from './commands.js';
import { verifyHostKey } from './known-hosts.js';
import type { ConnectionVars } from './pool.js';
import { killTreeCommand, RemoteShell } from './remote-shell.js';
import { type Connection, type ExecOptions, type ExecResult, type PutOptions, UnreachableError } from './types.js';

/** OpenSSH's default MaxSessions: channels open at once on one connection. */
const MAX_SESSIONS = 10;
const SHELLS = 6;
const TRANSIENT = /ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ECONNREFUSED|handshake|Connection lost/i;
const PID_MARK = '\u0001TSPLAY_PID=';

function expandHome(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

interface Target {
  host: string;
  port: number;
  user: string;
  keyFiles: string[];
  proxyJump?: string;
  knownHosts: string[];
}

/** Merges inventory variables over ~/.ssh/config (Host, HostName, User, Port, IdentityFile, ProxyJump). */
function resolveTarget(alias: string, vars: Partial<ConnectionVars>, knownHostsVar?: string): Target {
  const cfgFile = join(homedir(), '.ssh', 'config');
  const cfg = existsSync(cfgFile)
    ? (SSHConfig.parse(readFileSync(cfgFile, 'utf8')).compute(alias, { ignoreCase: true }) as Record<string, string | string[]>)
    : {};
  const one = (k: string): string | undefined => {
    const v = cfg[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const identity = cfg.identityfile ? (Array.isArray(cfg.identityfile) ? cfg.identityfile : [cfg.identityfile]) : [];
  const keyFiles = vars.privateKeyFile
    ? [expandHome(vars.privateKeyFile)]
    : identity.length
      ? identity.map(expandHome)
      : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).filter(existsSync);
  const known = knownHostsVar
    ? [expandHome(knownHostsVar)]
    : one('userknownhostsfile')
      ? one('userknownhostsfile')!.split(/\s+/).map(expandHome)
      : [join(homedir(), '.ssh', 'known_hosts')];
  return {
    host: vars.address && vars.address !== alias ? vars.address : (one('hostname') ?? alias),
    port: vars.port ?? Number(one('port') ?? 22),
    user: vars.user ?? one('user') ?? userInfo().username,
    keyFiles,
    proxyJump: vars.proxyJump ?? one('proxyjump'),
    knownHosts: known,
  };
}

/**
 * Wires a command's timeout and the run's interrupt to `stop`. `settle` turns the
 * command's result into rc 124 (timed out) or 130 (interrupted) when one of them fired.
 */
function guard(opts: ExecOptions, stop: () => void): { fired: () => boolean; settle: (r: ExecResult) => ExecResult; clear: () => void } {
  let timedOut = false;
  let aborted = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs)
    : undefined;
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  const clear = (): void => {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    fired: () => timedOut || aborted,
    clear,
    settle: (r) => {
      clear();
      if (timedOut) return { rc: 124, stdout: r.stdout, stderr: `${r.stderr}command timed out after ${opts.timeoutMs} ms\n` };
      if (aborted) return { rc: 130, stdout: r.stdout, stderr: `${r.stderr}interrupted\n` };
      return r;
    },
  };
}

/**
 * One SSH connection per host for the whole run. Commands go to persistent shells
 * on it (remote-shell.ts); those with input get an exec channel each. All channels
 * together stay within OpenSSH's MaxSessions.
 */
export class SshConnection implements Connection {
  commands = 0;
  /** The channel budget: persistent shells, exec channels for commands with input, and one spare for kills. */
  private readonly shellSlots = pLimit(SHELLS);
  private readonly sessions = pLimit(MAX_SESSIONS - SHELLS - 1);
  private shells: RemoteShell[] = [];
  private closedReason: string | undefined;
  private readonly pendingKills: Promise<void>[] = [];

  constructor(
    readonly host: string,
    /** Public so a bastion's client can forward a channel to the next hop. */
    readonly client: Client,
    private readonly user: string,
    private readonly jump?: SshConnection,
  ) {
    client.on('close', () => {
      this.closedReason ??= 'connection closed by the remote host';
    });
    client.on('error', (e) => {
      this.closedReason = e.message;
    });
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const { command: cmd, prefix } = becomeWrap(command, opts.become, this.user);
    const env = envPrefix(opts.env);
    const cd = opts.cwd ? `cd ${shq(opts.cwd)} || exit 1; ` : '';
    const full = `${env}${cd}${cmd}`;
    // Input (a file's bytes, a sudo password) needs a channel of its own; everything else goes to a persistent shell.
    const input = prefix || opts.stdin !== undefined ? Buffer.concat([Buffer.from(prefix), Buffer.from(opts.stdin ?? '')]) : undefined;
    if (input) return this.sessions(() => this.run(full, input, opts));
    return this.shellSlots(() => this.runInShell(full, opts));
  }

  /** Asks the host to end a remote process; close() waits for these, so an interrupt ends commands before the connection goes. */
  private kill(command: string): void {
    this.pendingKills.push(
      new Promise<void>((done) => {
        this.client.exec(command, (e, s) => {
          if (e) return done();
          s.on('close', () => done()).resume();
          s.stderr.resume();
        });
        setTimeout(done, 3000).unref();
      }),
    );
  }

  private openShell(): Promise<RemoteShell | undefined> {
    return new Promise((resolve) => {
      this.client.exec('exec /bin/sh', (err, channel) => {
        if (err) return resolve(undefined);
        const shell = new RemoteShell(channel, () => `${this.host}: ${this.closedReason ?? 'connection lost'}`);
        this.shells.push(shell);
        resolve(shell);
      });
    });
  }

  private async runInShell(command: string, opts: ExecOptions): Promise<ExecResult> {
    if (this.closedReason) throw new UnreachableError(`${this.host}: ${this.closedReason}`);
    this.shells = this.shells.filter((s) => !s.dead);
    const shell = this.shells.find((s) => !s.busy) ?? (await this.openShell());
    // The server refused another channel (a lower MaxSessions): one exec channel per command still works.
    if (!shell) return this.sessions(() => this.run(command, undefined, opts));
    this.commands++;
    shell.busy = true;
    try {
      return await new Promise<ExecResult>((resolve, reject) => {
        let pid: string | undefined;
        let forced: NodeJS.Timeout | undefined;
        const g = guard(opts, () => {
          if (pid) this.kill(killTreeCommand(pid));
          // A command that outlives the kill (or whose pid never came) costs this shell, not the run.
          forced ??= setTimeout(() => shell.close(), 3000).unref();
        });
        const finish = (r: ExecResult): void => {
          if (forced) clearTimeout(forced);
          resolve(g.settle(r));
        };
        shell
          .run(command, (p) => {
            pid = p;
            if (g.fired()) this.kill(killTreeCommand(p));
          })
          .then(finish, (e: Error) => {
            if (g.fired()) finish({ rc: 0, stdout: '', stderr: '' });
            else {
              g.clear();
              reject(e);
            }
          });
      });
    } finally {
      shell.busy = false;
    }
  }

  /** One exec channel for one command: used when the command needs stdin. */
  private run(command: string, input: Buffer | undefined, opts: ExecOptions): Promise<ExecResult> {
    if (this.closedReason) return Promise.reject(new UnreachableError(`${this.host}: ${this.closedReason}`));
    this.commands++;
    // The shell's pid first, on stderr, so an interrupt or timeout can end the whole process group.
    const wrapped = `printf '${PID_MARK}%s\\n' $$ >&2; exec /bin/sh -c ${shq(command)}`;
    return new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(wrapped, (err, stream) => {
        if (err) {
          reject(new UnreachableError(`${this.host}: ${err.message}`));
          return;
        }
        let stdout = '';
        let stderr = '';
        let pid: string | undefined;
        // Ends the remote process group; when its pid has not arrived yet, as soon as it does.
        const stop = (): void => {
          if (pid) {
            this.kill(`kill -TERM -- -${pid} 2>/dev/null; kill -TERM ${pid} 2>/dev/null; true`);
            stream.close();
          } else setTimeout(() => stream.close(), 3000).unref();
        };
        const g = guard(opts, stop);
        stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => {
          stderr += d.toString('utf8');
          if (pid === undefined && stderr.includes('\n') && stderr.startsWith(PID_MARK)) {
            const nl = stderr.indexOf('\n');
            pid = stderr.slice(PID_MARK.length, nl);
            stderr = stderr.slice(nl + 1);
            if (g.fired()) stop();
          }
        });
        stream.on('close', (code: number | null, signal?: string) => {
          // No exit status and no signal: the channel died with the connection, not with the command.
          if (code == null && !signal && !g.fired()) {
            g.clear();
            reject(new UnreachableError(`${this.host}: ${this.closedReason ?? 'connection lost'} while running a command`));
            return;
          }
          resolve(g.settle({ rc: code ?? (signal ? 128 : 255), stdout, stderr }));
        });
        if (input) stream.end(input);
        else stream.end();
      });
    });
  }

  /** One round trip: stream into a 0600 temporary file beside dest, verify its checksum, set mode and owner, rename. */
  async put(dest: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const script = atomicWriteScript({ dest, content: buf, mode: opts.mode, owner: opts.owner, group: opts.group, exists: true });
    const r = await this.exec(script, { stdin: buf, become: opts.become });
    if (r.rc !== 0) throw new Error(`cannot write ${dest}: ${r.stderr.trim()}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.pendingKills);
    for (const s of this.shells) s.close();
    this.closedReason ??= 'closed';
    this.client.end();
    await this.jump?.close();
  }
}

function connectOnce(target: Target, vars: ConnectionVars, sock?: Duplex): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyError: string | undefined;
    const checking = vars.hostKeyChecking !== false;
    const cfg: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: vars.connectTimeoutMs ?? 10000,
      keepaliveInterval: 15000,
      keepaliveCountMax: 4,
      hostVerifier: (key: Buffer) => {
        const v = verifyHostKey(target.knownHosts, target.host, target.port, key);
        if (v.ok) return true;
        // A changed key is refused even with checking off; an unknown one only when checking.
        if (v.reason === 'changed' || checking) {
          hostKeyError = v.message;
          return false;
        }
        return true;
      },
    };
    if (sock) cfg.sock = sock;
    const key = target.keyFiles.find(existsSync);
    if (key) cfg.privateKey = readFileSync(key);
    if (process.env.SSH_AUTH_SOCK) cfg.agent = process.env.SSH_AUTH_SOCK;
    if (vars.password !== undefined) cfg.password = vars.password;
    client.once('ready', () => {
      // Without TCP_NODELAY, Nagle's algorithm and the server's delayed ACK add ~40 ms to every
      // short command; measured on the lab: 45 ms per exec before, 3 ms after.
      client.setNoDelay(true);
      resolve(client);
    });
    client.once('error', (e: Error & { level?: string }) => {
      client.end();
      if (hostKeyError) reject(new UnreachableError(hostKeyError));
      else if (e.level === 'client-authentication')
        reject(
          new UnreachableError(
            `authentication failed for ${target.user}@${target.host}:${target.port} (tried ${[key ? `key ${key}` : '', cfg.agent ? 'ssh-agent' : '', cfg.password !== undefined ? 'password' : ''].filter(Boolean).join(', ') || 'no credentials'})`,
          ),
        );
      else reject(new UnreachableError(`failed to connect to ${target.host}:${target.port}: ${e.message}`));
    });
    try {
      client.connect(cfg);
    } catch (e) {
      reject(new UnreachableError(`failed to connect to ${target.host}:${target.port}: ${(e as Error).message}`));
    }
  });
}

async function openJump(spec: string, vars: ConnectionVars): Promise<SshConnection> {
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(spec.split(',')[0]!.trim());
  if (!m) throw new UnreachableError(`cannot read ProxyJump '${spec}': expected [user@]host[:port]`);
  // The bastion is reached with the target's credentials unless its spec or ~/.ssh/config says otherwise.
  return connectSsh({
    host: m[2]!,
    kind: 'ssh',
    address: m[2]!,
    user: m[1] ?? vars.user,
    port: m[3] ? Number(m[3]) : undefined,
    privateKeyFile: vars.privateKeyFile,
    password: vars.password,
    hostKeyChecking: vars.hostKeyChecking,
    connectTimeoutMs: vars.connectTimeoutMs,
    knownHostsFile: vars.knownHostsFile,
  });
}

/** Opens the host's connection, through a ProxyJump bastion when configured, retrying transient failures. */
export async function connectSsh(vars: ConnectionVars): Promise<SshConnection> {
  const target = resolveTarget(vars.address, vars, vars.knownHostsFile);
  let jump: SshConnection | undefined;
  if (target.proxyJump && target.proxyJump !== 'none') jump = await openJump(target.proxyJump, vars);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      let sock: Duplex | undefined;
      if (jump) {
        const j = jump;
        sock = await new Promise<Duplex>((resolve, reject) =>
          j.client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) =>
            err ? reject(new UnreachableError(`bastion could not reach ${target.host}:${target.port}: ${err.message}`)) : resolve(stream),
          ),
        );
      }
      const client = await connectOnce(target, vars, sock);
      return new SshConnection(vars.host, client, target.user, jump);
    } catch (e) {
      lastError = e as Error;
      if (!TRANSIENT.test(lastError.message) || /REMOTE HOST|host key|authentication/.test(lastError.message)) break;
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
  await jump?.close();
  throw lastError instanceof UnreachableError ? lastError : new UnreachableError(String(lastError?.message));
}
