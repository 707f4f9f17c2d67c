import { defineModule } from './types.js';
import { commandArgs, runCommand, type CommandArgs } from './command.js';

export const module = defineModule<CommandArgs & { executable?: string }>({
  name: 'shell',
  description: 'Runs a command through the shell (pipes, redirects, globs). Remote: POSIX sh.',
  args: commandArgs,
  freeForm: true,
  checkMode: 'skip',
  run: (args, ctx) => runCommand(args, ctx, true),
});
