import { defineModule } from './types.js';

export const module = defineModule<{ msg: unknown }>({
  name: 'fail',
  description: 'Fails the task with a message. Runs on the controller.',
  args: { msg: { type: 'raw', default: 'Failed as requested from task' } },
  checkMode: 'controller',
  async run(args) {
    return { failed: true, changed: false, msg: args.msg };
  },
});
