import { setMaxListeners } from 'node:events';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, type RunCliOptions, runCommand } from './run.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];
const commaList = (v: string, prev: string[]): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
};

export function buildCli(handlers: { run: (pb: string, o: RunCliOptions) => Promise<number>; extra?: (program: Command) => void }): Command {
  const program = new Command('tsplay')
    .description('An Ansible-style playbook engine: YAML inventories, playbooks and roles, run over SSH in parallel.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  program
    .command('run')
    .description('Run a playbook against an inventory, like ansible-playbook.')
    .argument('<playbook>', 'playbook file (YAML list of plays)')
    .option('-i, --inventory <path>', 'inventory file, directory or comma-separated host list (repeatable)', collect, [])
    .option('-C, --check', 'predict changes without making them')
    .option('-D, --diff', 'show differences in changed files')
    .option('-t, --tags <tags>', 'only run tasks and plays with these tags (comma-separated, repeatable)', commaList, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', commaList, [])
    .option('-l, --limit <pattern>', 'further limit the hosts with a pattern')
    .option('-e, --extra-vars <vars>', 'key=value, @file.yml or JSON; highest precedence (repeatable)', collect, [])
    .option('-f, --forks <n>', 'hosts worked on at once', positiveInt, 5)
    .addOption(new Option('-c, --connection <type>', 'connection type for every host').choices(['local', 'ssh']))
    .option('-v, --verbose', 'more output: -v results, -vv task paths, -vvv commands', (_v: string, prev: number) => prev + 1, 0)
    .option('-u, --user <name>', 'remote user, where the inventory sets none')
    .option('--private-key <file>', 'SSH private key file')
    .option('-k, --ask-pass', 'prompt for the SSH password')
    .option('-K, --ask-become-pass', 'prompt for the become (sudo) password')
    .option('-b, --become', 'run operations with become')
    .option('--become-user <name>', 'become this user (default root)')
    .option('--host-key-checking <bool>', 'verify SSH host keys (default true)')
    .option('-T, --timeout <seconds>', 'SSH connect timeout', positiveInt)
    .option('--roles-path <dir>', 'extra directory to search for roles (repeatable)', collect, [])
    .option('--list-hosts', 'list the hosts each play would run on, then stop')
    .option('--list-tasks', 'list the tasks that would run, then stop')
    .option('--list-tags', 'list all tags, then stop')
    .option('--syntax-check', 'load and validate everything, then stop')
    .option('--start-at-task <name>', 'start at the task with this name')
    .option('--force-handlers', 'run notified handlers even when a host failed')
    .option('--json', 'print one JSON document of the whole run instead of the stream')
    .addHelpText(
      'after',
      `
Exit codes (as ansible-playbook 2.14): 0 ok, 1 error, 2 a host failed,
4 a host unreachable or a playbook/inventory error, 5 bad options, 99 interrupted.

Examples:
  tsplay run playbooks/setup.yml -i inventories/prod
  tsplay run playbooks/setup.yml -i inventories/prod --tags containerd
  tsplay run playbooks/setup.yml -i inventories/prod --check --diff`,
    )
    .action(async (pb: string, o: RunCliOptions) => {
      process.exitCode = await handlers.run(pb, o);
    });
  handlers.extra?.(program);
  return program;
}

export async function main(argv: string[], extend?: (program: Command, run: (playbook: string, args: string[]) => Promise<number>) => void): Promise<void> {
  const ac = new AbortController();
  // Every running remote command listens for the interrupt: forks x MaxSessions of them is normal.
  setMaxListeners(0, ac.signal);
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\n [ERROR]: User interrupted execution\n');
    ac.abort();
  };
  // A closed pipe (`tsplay run ... | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  // Interrupts are caught only once a run starts: until then (loading, validating) the
  // default action ends the process at once, since synchronous loading could not notice.
  let armed = false;
  const io = {
    out: (s: string) => process.stdout.write(s),
    err: (s: string) => process.stderr.write(s),
    color: !!process.stdout.isTTY && !process.env.NO_COLOR,
    signal: ac.signal,
    armInterrupts: () => {
      if (armed) return;
      armed = true;
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
  };
  const { registerModuleCommands } = await import('./commands.js');
  // Commands beside the engine's (cluster shortcuts) re-enter it as `run PLAYBOOK ARGS...`, so they take every run option.
  const runArgs = async (pb: string, args: string[]): Promise<number> => {
    let code = 0;
    const inner = buildCli({ run: async (p, o) => (code = await runCommand(p, o, io)) });
    await inner.parseAsync(['node', 'tsplay', 'run', pb, ...args]);
    return code;
  };
  const program = buildCli({
    run: (pb, o) => runCommand(pb, o, io),
    extra: (p) => {
      registerModuleCommands(p);
      extend?.(p, runArgs);
    },
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT.options;
      return;
    }
    throw e;
  }
  if (ac.signal.aborted) process.exitCode = EXIT.interrupted;
}
