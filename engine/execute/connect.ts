import type { ConnectionVars } from '../connection/pool.js';
import type { Connection, ExecOptions, PutOptions } from '../connection/types.js';
import { TemplateError, toBool, toText, Undefined } from '../template/filters.js';
import type { Scope } from '../template/scope.js';

/** Reads a host's connection settings from its variables (and -c). */
export function connectionVars(host: string, scope: Scope, forced: 'local' | 'ssh' | undefined): ConnectionVars {
  const get = (...names: string[]): unknown => {
    for (const n of names) {
      const v = scope.lookup(n);
      if (!(v instanceof Undefined) && v !== undefined && v !== null && v !== '') return v;
    }
    return undefined;
  };
  const declared = get('ansible_connection');
  const kind = (
    declared === 'local' ? 'local' : (forced ?? (declared === 'ssh' || declared === 'paramiko' ? 'ssh' : declared === undefined ? 'ssh' : String(declared)))
  ) as 'local' | 'ssh';
  if (kind !== 'local' && kind !== 'ssh') throw new TemplateError(`unsupported ansible_connection '${declared}' for ${host}: expected local or ssh`);
  const hkc = get('ansible_host_key_checking', 'ansible_ssh_host_key_checking');
  return {
    host,
    kind,
    address: toText(get('ansible_host', 'ansible_ssh_host') ?? host),
    port: get('ansible_port', 'ansible_ssh_port') !== undefined ? Number(get('ansible_port', 'ansible_ssh_port')) : undefined,
    user: get('ansible_user', 'ansible_ssh_user', 'ansible_remote_user') as string | undefined,
    password: get('ansible_password', 'ansible_ssh_pass') as string | undefined,
    privateKeyFile: get('ansible_ssh_private_key_file', 'ansible_private_key_file') as string | undefined,
    hostKeyChecking: hkc === undefined ? undefined : toBool(hkc),
    sshCommonArgs: get('ansible_ssh_common_args') as string | undefined,
    proxyJump: get('ansible_ssh_proxy_jump') as string | undefined,
    connectTimeoutMs: get('ansible_timeout') !== undefined ? Number(get('ansible_timeout')) * 1000 : undefined,
    knownHostsFile: get('ansible_ssh_known_hosts_file') as string | undefined,
  };
}

/** Connects on first use, so controller-only tasks (debug, set_fact) never open a connection. */
export class LazyConnection implements Connection {
  private conn: Promise<Connection> | undefined;
  private own = 0;
  constructor(
    readonly host: string,
    private readonly open: () => Promise<Connection>,
    private readonly log: (cmd: string) => void,
    private readonly signal?: AbortSignal,
  ) {}
  get commands(): number {
    return this.own;
  }
  private c(): Promise<Connection> {
    this.conn ??= this.open();
    return this.conn;
  }
  async exec(command: string, opts: ExecOptions = {}) {
    const c = await this.c();
    this.own++;
    const via = opts.become ? `(become ${opts.become.user} via ${opts.become.password !== undefined ? 'sudo -S, password on stdin' : 'sudo -n'}) ` : '';
    this.log(`${via}${command}`);
    return c.exec(command, { signal: this.signal, ...opts });
  }
  async put(dest: string, content: string | Buffer, opts?: PutOptions) {
    const c = await this.c();
    this.own++;
    this.log(`put ${dest} (${Buffer.byteLength(content)} bytes)`);
    return c.put(dest, content, opts);
  }
  async close() {}
}
