import { defineAction } from './types.js';

export const module = defineAction<{ seconds?: number; minutes?: number; prompt?: string }>({
  kind: 'action',
  name: 'pause',
  description: 'Waits a number of seconds or minutes. Runs on the controller; a prompt without a terminal is not supported.',
  args: { seconds: { type: 'float' }, minutes: { type: 'float' }, prompt: { type: 'str' }, echo: { type: 'bool' } },
  check: 'run',
  // Ansible's pause bypasses the host loop: one wait for the whole batch, not one per host.
  runOnce: true,
  preflight: (a) => (a.seconds === undefined && a.minutes === undefined ? ['expected seconds or minutes (prompting is not supported)'] : []),
  async run(args) {
    const ms = ((args.seconds ?? 0) + (args.minutes ?? 0) * 60) * 1000;
    const start = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    return {
      changed: false,
      delta: Math.round((Date.now() - start) / 1000),
      echo: true,
      start: new Date(start).toISOString(),
      stop: new Date().toISOString(),
      user_input: '',
    };
  },
});
