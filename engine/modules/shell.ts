import { type CommandArgs, checkCommand, commandArgs, runCommand } from './command.js';
import { defineAction } from './types.js';

export const module = defineAction<CommandArgs & { executable?: string }>({
  kind: 'action',
  name: 'shell',
  description: 'Runs a command through the shell (pipes, redirects, globs). Remote: POSIX sh.',
  args: commandArgs,
  freeForm: true,
  check: 'skip',
  checkMsg: 'Command would have run if not in check mode',
  checkRun: (args, ctx) => checkCommand(args, ctx, true),
  run: (args, ctx) => runCommand(args, ctx, true),
});
