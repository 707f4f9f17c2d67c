import { registerBundleCommands } from './bundle/commands.js';
import { registerClusterCommands } from './cluster/commands.js';
import { main } from './engine/cli/main.js';
import { registerLabCommands } from './lab/commands.js';

/**
 * The tsplay command: the engine's CLI (run, modules) with the commands that ship
 * beside it, each from its own folder: the lab, the offline bundle, and kubeasz's
 * cluster shortcuts.
 */
export function tsplay(argv: string[]): Promise<void> {
  return main(argv, (program, run) => {
    registerClusterCommands(program, run);
    registerLabCommands(program);
    registerBundleCommands(program);
  });
}
