import { defineAction } from './types.js';

export const module = defineAction<{ msg: unknown }>({
  kind: 'action',
  name: 'fail',
  description: 'Fails the task with a message. Runs on the controller.',
  args: { msg: { type: 'raw', default: 'Failed as requested from task' } },
  check: 'run',
  async run(args) {
    return { failed: true, changed: false, msg: args.msg };
  },
});
