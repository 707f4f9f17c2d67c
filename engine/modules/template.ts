import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname } from 'node:path';
import { renderHandlebars, renderJinjaFile } from '../template/templar.js';
import { fileArgs } from './copy.js';
import { applyFileChange, type Content, type ContentArgs, contentProbe, planContent } from './lib/content.js';
import { findLocal } from './lib/files.js';
import { defineOperation } from './types.js';

interface Args extends ContentArgs {
  src: string;
  trim_blocks: boolean;
  lstrip_blocks: boolean;
}

/** Remote: sh, coreutils. The template is rendered on the controller with the task's variables. */
export const module = defineOperation({
  name: 'template',
  description: "Renders a template from the role's templates/ (.j2: Jinja2 as Ansible; .hbs: Handlebars) and puts it on the host, atomically.",
  args: {
    src: { type: 'path', required: true },
    dest: { type: 'path', required: true },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    force: { type: 'bool', default: true },
    trim_blocks: { type: 'bool', default: true },
    lstrip_blocks: { type: 'bool', default: false },
    ...fileArgs,
  },
  kind: 'operation',
  /** Rendered on the controller, with the task's variables and Ansible's template_* ones. */
  async prepare(args: Args, ctx): Promise<Content> {
    const dirs = ctx.searchPaths.templates;
    const path = findLocal(dirs, args.src);
    if (!path) throw new Error(`could not find template '${args.src}' in ${dirs.join(', ')}`);
    const text = readFileSync(path, 'utf8');
    const name = basename(path).replace(/\.(hbs|j2|tpl)$/, '');
    if (path.endsWith('.hbs')) return { content: Buffer.from(renderHandlebars(text, ctx.vars)), name };
    const vars = ctx.vars.with({
      ansible_managed: 'Ansible managed',
      template_host: hostname(),
      template_path: path,
      template_fullpath: path,
      template_destpath: args.dest,
      template_uid: userInfo().username,
      template_run_date: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    });
    // {% include %} looks beside the template first, then the role's and playbook's templates/.
    const load = (n: string) => {
      const p = findLocal([dirname(path), ...dirs], n);
      return p ? readFileSync(p, 'utf8') : undefined;
    };
    return { content: Buffer.from(renderJinjaFile(text, vars, { trimBlocks: args.trim_blocks, lstripBlocks: args.lstrip_blocks }, load)), name };
  },
  probe: (a, c, mode) => contentProbe(a, c, mode.diff),
  plan: (f, a, c) => planContent(f, a, c),
  apply: (p, a, ctx) => applyFileChange(p, a, ctx),
});
