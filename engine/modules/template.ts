import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { renderText } from '../template/templar.js';
import { fileArgs } from './copy.js';
import { applyFileChange, type Content, type ContentArgs, contentProbe, planContent } from './lib/content.js';
import { findLocal } from './lib/files.js';
import { defineOperation } from './types.js';

interface Args extends ContentArgs {
  src: string;
}

/** Remote: sh, coreutils. The template is rendered on the controller with the task's variables. */
export const module = defineOperation({
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
  kind: 'operation',
  /** Rendered on the controller, with the task's variables. */
  async prepare(args: Args, ctx): Promise<Content> {
    const path = findLocal(ctx.searchPaths.templates, args.src);
    if (!path) throw new Error(`could not find template '${args.src}' in ${ctx.searchPaths.templates.join(', ')}`);
    return { content: Buffer.from(renderText(readFileSync(path, 'utf8'), ctx.vars)), name: basename(path).replace(/\.(hbs|j2|tpl)$/, '') };
  },
  probe: (a, c, mode) => contentProbe(a, c, mode.diff),
  plan: (f, a, c) => planContent(f, a, c),
  apply: (p, a, ctx) => applyFileChange(p, a, ctx),
});
