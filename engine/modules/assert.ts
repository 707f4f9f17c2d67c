import { evalCondition } from '../template/expr.js';
import { defineAction } from './types.js';

export const module = defineAction<{ that: unknown[]; fail_msg?: unknown; msg?: unknown; success_msg?: unknown; quiet: boolean }>({
  kind: 'action',
  name: 'assert',
  description: 'Fails unless every condition in `that` holds. Runs on the controller.',
  args: {
    that: { type: 'list', required: true, description: 'Conditions, all of which must hold.' },
    fail_msg: { type: 'raw', aliases: ['msg'] },
    success_msg: { type: 'raw' },
    quiet: { type: 'bool', default: false },
  },
  check: 'run',
  async run(args, ctx) {
    for (const cond of args.that) {
      if (!evalCondition(cond, ctx.vars)) {
        return { failed: true, changed: false, assertion: cond, evaluated_to: false, msg: args.fail_msg ?? 'Assertion failed' };
      }
    }
    return { changed: false, msg: args.success_msg ?? 'All assertions passed' };
  },
});
