import { shq } from '../connection/commands.js';
import { run } from './lib/remote.js';
import { defineAction } from './types.js';

/**
 * The waiting happens on the host in one command (a shell loop), so a slow
 * service costs one round trip. Remote: sh, coreutils; bash for TCP ports.
 */
export const module = defineAction<{
  host: string;
  port?: number;
  path?: string;
  state: 'started' | 'stopped' | 'present' | 'absent';
  timeout: number;
  delay: number;
  sleep: number;
  search_regex?: string;
  msg?: string;
}>({
  kind: 'action',
  name: 'wait_for',
  description: 'Waits for a TCP port to open or close, or a file to appear, disappear or contain a regexp.',
  args: {
    host: { type: 'str', default: '127.0.0.1' },
    port: { type: 'int' },
    path: { type: 'path' },
    state: { type: 'str', default: 'started', choices: ['started', 'stopped', 'present', 'absent'] },
    timeout: { type: 'int', default: 300 },
    delay: { type: 'int', default: 0 },
    sleep: { type: 'int', default: 1 },
    search_regex: { type: 'str' },
    msg: { type: 'str' },
  },
  check: 'ok',
  checkMsg: 'not waited for in check mode',
  preflight: (a) => (a.port === undefined && a.path === undefined ? ["one of 'port' or 'path' is required"] : []),
  async run(args, ctx) {
    let test: string;
    if (args.port !== undefined) {
      const open = `timeout 2 bash -c ${shq(`exec 3<>/dev/tcp/${args.host}/${args.port}`)} 2>/dev/null`;
      test = args.state === 'stopped' || args.state === 'absent' ? `! ${open}` : open;
    } else {
      const p = shq(args.path!);
      test =
        args.state === 'absent' || args.state === 'stopped'
          ? `[ ! -e ${p} ]`
          : args.search_regex
            ? `grep -qE ${shq(args.search_regex)} ${p} 2>/dev/null`
            : `[ -e ${p} ]`;
    }
    const script = `sleep ${args.delay}; start=$(date +%s); while :; do if ${test}; then echo "elapsed=$(( $(date +%s) - start ))"; exit 0; fi; [ $(( $(date +%s) - start )) -ge ${args.timeout} ] && exit 7; sleep ${args.sleep}; done`;
    const r = await run(ctx, script);
    const what = args.port !== undefined ? `${args.host}:${args.port}` : args.path;
    if (r.rc === 7) return { failed: true, elapsed: args.timeout, msg: args.msg ?? `Timeout when waiting for ${what} to be ${args.state}` };
    if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() };
    return { changed: false, elapsed: Number(/elapsed=(\d+)/.exec(r.stdout)?.[1] ?? 0), state: args.state, port: args.port, path: args.path };
  },
});
