import { evaluate } from '../template/expr.js';
import { TemplateError, Undefined } from '../template/filters.js';
import { defineAction } from './types.js';

export const module = defineAction<{ msg?: unknown; var?: string; verbosity: number }>({
  kind: 'action',
  name: 'debug',
  description: 'Prints a message or a variable. Runs on the controller.',
  args: {
    msg: { type: 'raw', description: 'Message to print.' },
    var: { type: 'str', description: 'Expression whose value is printed.' },
    verbosity: { type: 'int', default: 0, description: 'Print only at this -v level or above.' },
  },
  check: 'run',
  preflight: (a) => (a.msg !== undefined && a.var !== undefined ? ["'msg' and 'var' are mutually exclusive"] : []),
  async run(args, ctx) {
    if (ctx.verbosity < args.verbosity) return { skipped: true, skipped_reason: 'Verbosity threshold not met.', changed: false };
    if (args.var !== undefined) {
      let v: unknown;
      try {
        v = evaluate(args.var, ctx.vars);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        v = new Undefined(args.var);
      }
      return { [args.var]: v instanceof Undefined ? 'VARIABLE IS NOT DEFINED!' : v, changed: false };
    }
    return { msg: args.msg ?? 'Hello world!', changed: false };
  },
});
