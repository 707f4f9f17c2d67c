import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';

/** `tsplay lab up|down|status`: local hosts to try playbooks on. */
export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('A lab of real local Linux hosts (root needed): boot mode runs systemd in each, light mode only sshd.');
  lab
    .command('up')
    .description('Start N fresh hosts (lab1..labN), wait until each answers over SSH, write inventories/lab/hosts.yml')
    .argument(
      '[count]',
      'number of hosts',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
        return n;
      },
      3,
    )
    .addOption(
      new Option('--mode <mode>', 'boot: systemd as PID 1 (apt, systemctl, sysctl work); light: sshd only, for scale')
        .choices(['boot', 'light'])
        .default('boot'),
    )
    .option('--masters <n>', 'how many of the first hosts go in kube_master', (v: string) => Number(v), 1)
    .option('--lb <n>', 'how many of the last hosts go in lb (HAProxy, keepalived) instead of kube_node', (v: string) => Number(v), 0)
    .action(async (count: number, o: { mode: 'boot' | 'light'; masters: number; lb: number }) => {
      const { labUp } = await import('./lab.js');
      await labUp({ count, mode: o.mode, masters: o.masters, lbs: o.lb });
    });
  lab
    .command('down')
    .description('Stop every lab process, unmount everything and remove the lab network (harmless when nothing runs)')
    .action(async () => {
      const { labDown } = await import('./lab.js');
      await labDown((s) => process.stderr.write(s));
    });
  lab
    .command('status')
    .description('Show the lab hosts and whether they run')
    .action(async () => {
      const { labStatus } = await import('./lab.js');
      process.stdout.write(await labStatus());
    });
}
