import { shq } from '../connection/commands.js';
import { commandResult, run } from './lib/remote.js';
import { shlexSplit } from './lib/text.js';
import { defineAction, type ModuleContext, type ModuleResult } from './types.js';

export interface CommandArgs {
  _raw_params?: string;
  cmd?: string;
  argv?: string[];
  creates?: string;
  removes?: string;
  chdir?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  strip_empty_ends: boolean;
}

export const commandArgs = {
  cmd: { type: 'str', description: 'The command to run (instead of free-form text).' },
  argv: { type: 'list', elements: 'str', description: 'The command as a list of arguments.' },
  creates: { type: 'path', description: 'Skip when this path exists.' },
  removes: { type: 'path', description: 'Run only when this path exists.' },
  chdir: { type: 'path', description: 'Change into this directory first.' },
  stdin: { type: 'str', description: 'Text fed to the command on standard input.' },
  stdin_add_newline: { type: 'bool', default: true },
  strip_empty_ends: { type: 'bool', default: true },
  executable: { type: 'path', description: 'Shell to use (shell module).' },
} as const;

/**
 * command and shell share one implementation; shell passes the text to sh,
 * command splits it into words and quotes each (no pipes, no globbing).
 * One round trip: the creates/removes test and the command run in one script.
 */
/** The command's words (command) or text (shell), and its creates/removes guard, as shell lines. */
function commandParts(args: CommandArgs, shell: boolean) {
  const text = args.cmd ?? args._raw_params;
  const words = args.argv?.length ? args.argv : shell || !text ? [] : shlexSplit(text);
  const body = shell ? (text ?? '') : words.map(shq).join(' ');
  const guard: string[] = [];
  if (args.creates) guard.push(`if [ -e ${shq(args.creates)} ]; then echo __TSPLAY_SKIP_CREATES__; exit 0; fi`);
  if (args.removes) guard.push(`if [ ! -e ${shq(args.removes)} ]; then echo __TSPLAY_SKIP_REMOVES__; exit 0; fi`);
  return { text, words, body, guard, display: shell ? (text ?? '') : words };
}

/** Check mode runs nothing; creates and removes still decide, as in Ansible (one probe). */
export async function checkCommand(args: CommandArgs, ctx: ModuleContext, shell: boolean): Promise<ModuleResult | undefined> {
  const { guard, display } = commandParts(args, shell);
  if (!guard.length) return undefined;
  const probe = await run(ctx, `${guard.join('\n')}\necho __TSPLAY_WOULD_RUN__`);
  if (probe.stdout.includes('__TSPLAY_SKIP_CREATES__'))
    return { changed: false, rc: 0, stdout: `skipped, since ${args.creates} exists`, msg: 'Did not run command since path exists' };
  if (probe.stdout.includes('__TSPLAY_SKIP_REMOVES__'))
    return { changed: false, rc: 0, stdout: `skipped, since ${args.removes} does not exist`, msg: 'Did not run command since path does not exist' };
  return { changed: true, msg: 'Command would have run if not in check mode', cmd: display };
}

export async function runCommand(args: CommandArgs & { executable?: string }, ctx: ModuleContext, shell: boolean): Promise<ModuleResult> {
  const { text, body, guard, display } = commandParts(args, shell);
  if (!text && !args.argv?.length) return { failed: true, msg: 'no command given', rc: 256 };
  const cd = args.chdir ? `cd ${shq(args.chdir)} || exit 1\n` : '';
  const exe = shell && args.executable ? `exec ${shq(args.executable)} -c ${shq(body)}` : shell ? body : `exec ${body}`;
  const script = `${guard.join('\n')}${guard.length ? '\n' : ''}${cd}${exe}`;
  let stdin = args.stdin;
  if (stdin !== undefined && args.stdin_add_newline) stdin += '\n';
  const start = new Date();
  const r = await run(ctx, script, stdin);
  if (r.stdout.startsWith('__TSPLAY_SKIP_CREATES__'))
    return {
      changed: false,
      rc: 0,
      stdout: `skipped, since ${args.creates} exists`,
      stdout_lines: [`skipped, since ${args.creates} exists`],
      msg: 'Did not run command since path exists',
      cmd: display,
    };
  if (r.stdout.startsWith('__TSPLAY_SKIP_REMOVES__'))
    return {
      changed: false,
      rc: 0,
      stdout: `skipped, since ${args.removes} does not exist`,
      msg: 'Did not run command since path does not exist',
      cmd: display,
    };
  return commandResult(shell ? body : display, r.rc, r.stdout, r.stderr, start, true);
}

export const module = defineAction<CommandArgs>({
  kind: 'action',
  name: 'command',
  description: 'Runs a command without a shell. Remote: POSIX sh.',
  args: commandArgs,
  freeForm: true,
  check: 'skip',
  checkMsg: 'Command would have run if not in check mode',
  checkRun: (args, ctx) => checkCommand(args, ctx, false),
  run: (args, ctx) => runCommand(args, ctx, false),
});
