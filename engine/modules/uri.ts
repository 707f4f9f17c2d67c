import { shq } from '../connection/commands.js';
import { run as remote } from './lib/remote.js';
import { defineAction, type ModuleContext, type ModuleResult } from './types.js';

interface Args {
  url: string;
  method: string;
  status_code: number[];
  return_content: boolean;
  body?: unknown;
  body_format: string;
  headers: Record<string, string>;
  timeout: number;
  validate_certs: boolean;
  user?: string;
  password?: string;
}

/**
 * The request is made from the host with curl (as Ansible makes it from the
 * target), for health checks such as https://127.0.0.1:6443/healthz.
 * Remote: sh, curl.
 */
export const module = defineAction<Args>({
  kind: 'action',
  name: 'uri',
  description: 'Makes an HTTP request from the host and checks the status code.',
  args: {
    url: { type: 'str', required: true },
    method: { type: 'str', default: 'GET', choices: ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'] },
    status_code: { type: 'list', elements: 'int', default: [200] },
    return_content: { type: 'bool', default: false },
    body: { type: 'raw' },
    body_format: { type: 'str', default: 'raw', choices: ['raw', 'json', 'form-urlencoded'] },
    headers: { type: 'dict', default: {} },
    timeout: { type: 'int', default: 30 },
    validate_certs: { type: 'bool', default: true },
    user: { type: 'str', aliases: ['url_username'] },
    password: { type: 'str', aliases: ['url_password'] },
  },
  // A GET or HEAD changes nothing, so check mode sends it; any other method is not sent.
  check: 'ok',
  checkMsg: 'not sent in check mode',
  checkRun: (args, ctx) => (args.method === 'GET' || args.method === 'HEAD' ? run(args, ctx) : Promise.resolve(undefined)),
  run,
});

async function run(args: Args, ctx: ModuleContext): Promise<ModuleResult> {
  const headers = { ...args.headers };
  let body: string | undefined;
  if (args.body !== undefined) {
    body = args.body_format === 'json' && typeof args.body !== 'string' ? JSON.stringify(args.body) : String(args.body);
    if (args.body_format === 'json') headers['Content-Type'] ??= 'application/json';
  }
  const h = Object.entries(headers)
    .map(([k, v]) => `-H ${shq(`${k}: ${v}`)}`)
    .join(' ');
  const cmd = `command -v curl >/dev/null || { echo 'curl is not installed on the host' >&2; exit 5; }; out=$(mktemp); curl -sS -o "$out" -w '%{http_code}' -X ${args.method} ${args.validate_certs ? '' : '-k'} --max-time ${args.timeout} ${h} ${args.user ? `-u ${shq(`${args.user}:${args.password ?? ''}`)}` : ''} ${body !== undefined ? '--data-binary @-' : ''} ${shq(args.url)}; rc=$?; echo; echo '@@body'; base64 -w0 < "$out"; rm -f "$out"; exit $rc`;
  const r = await remote(ctx, cmd, body);
  const [status, rest] = r.stdout.split('\n@@body\n');
  const code = Number(status?.trim() || 0);
  const content = Buffer.from((rest ?? '').trim(), 'base64').toString('utf8');
  const result: Record<string, unknown> = { changed: false, status: code, url: args.url };
  if (args.return_content) {
    result.content = content;
    try {
      result.json = JSON.parse(content);
    } catch {
      /* not JSON */
    }
  }
  if (r.rc === 5) return { failed: true, msg: 'curl is not installed on the host' };
  if (r.rc !== 0 && !code)
    return { ...result, failed: true, status: -1, msg: `Status code was -1 and not ${args.status_code}: Request failed: ${r.stderr.trim()}` };
  if (!args.status_code.includes(code)) return { ...result, failed: true, msg: `Status code was ${code} and not ${JSON.stringify(args.status_code)}` };
  return { ...result, msg: `OK (${content.length} bytes)` };
}
