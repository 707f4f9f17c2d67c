import { LocalConnection } from './local.js';
import type { Connection } from './types.js';

/** Connection settings of one host, read from its variables. */
export interface ConnectionVars {
  host: string;
  kind: 'local' | 'ssh';
  address: string;
  port?: number;
  user?: string;
  password?: string;
  privateKeyFile?: string;
  hostKeyChecking?: boolean;
  sshCommonArgs?: string;
  proxyJump?: string;
  connectTimeoutMs?: number;
  /** tsplay's own variable ansible_ssh_known_hosts_file: a known_hosts file instead of ~/.ssh/known_hosts. */
  knownHostsFile?: string;
}

export type ConnectionFactory = (vars: ConnectionVars) => Promise<Connection>;

/**
 * One connection per host for the whole run, opened on first use; every task
 * and every delegation to that host shares it.
 */
export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();
  private sshFactory: ConnectionFactory | undefined;

  async get(vars: ConnectionVars): Promise<Connection> {
    const key = `${vars.kind}:${vars.user ?? ''}@${vars.address}:${vars.port ?? ''}`;
    let c = this.open.get(key);
    if (!c) {
      c = this.create(vars);
      this.open.set(key, c);
      // A failed connect is not cached: the next task may try again.
      c.catch(() => this.open.delete(key));
    }
    return c;
  }

  private async create(vars: ConnectionVars): Promise<Connection> {
    if (vars.kind === 'local') return new LocalConnection(vars.host);
    if (!this.sshFactory) {
      const { connectSsh } = await import('./ssh.js');
      this.sshFactory = connectSsh;
    }
    return this.sshFactory(vars);
  }

  /** Remote commands per connection, for round-trip budgets. */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [k, p] of this.open) {
      try {
        const c = await p;
        out[c.host] = (out[c.host] ?? 0) + c.commands;
      } catch {
        out[k] = 0;
      }
    }
    return out;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}
