/** Stands for a variable that is not defined; only `default`, `is defined` and the like may touch it. */
export class Undefined {
  constructor(
    public readonly name: string,
    /** Jinja's own wording when a key is missing: "'dict object' has no attribute 'x'". */
    public readonly hint?: string,
  ) {}
}

export class TemplateError extends Error {
  constructor(
    message: string,
    public readonly variable?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function undefinedError(u: Undefined): TemplateError {
  return new TemplateError(u.hint ?? `'${u.name}' is undefined`, u.name);
}
