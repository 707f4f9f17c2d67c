import { UnreachableError, type Connection } from './types.js';
import type { ConnectionVars } from './pool.js';

/** Placeholder until the SSH transport lands: every SSH host is unreachable with a clear reason. */
export async function connectSsh(vars: ConnectionVars): Promise<Connection> {
  throw new UnreachableError(`SSH connection to ${vars.address} is not available in this build; use -c local`);
}
