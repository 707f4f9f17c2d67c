import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { renderText } from '../template/templar.js';
import { fileArgs } from './copy.js';
import { defineModule } from './types.js';
import { ensureContent, findLocal } from './util.js';

/** Remote: sh, coreutils. The template is rendered on the controller with the task's variables. */
export const module = defineModule<{ src: string; dest: string; mode?: string; owner?: string; group?: string; backup: boolean; validate?: string; force: boolean }>({
  name: 'template',
  description: "Renders a Handlebars template from the role's templates/ and puts it on the host, atomically.",
  args: {
    src: { type: 'path', required: true },
    dest: { type: 'path', required: true },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    force: { type: 'bool', default: true },
    ...fileArgs,
  },
  checkMode: 'predict',
  async run(args, ctx) {
    const path = await findLocal(ctx.searchPaths.templates, args.src);
    if (!path) return { failed: true, msg: `could not find template '${args.src}' in ${ctx.searchPaths.templates.join(', ')}` };
    const text = renderText(readFileSync(path, 'utf8'), ctx.vars);
    return ensureContent(ctx, args, Buffer.from(text), basename(path).replace(/\.(hbs|j2|tpl)$/, ''));
  },
});
