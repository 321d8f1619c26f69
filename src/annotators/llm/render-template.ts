import { EmolabelError } from '../../errors.js';

/** Values a prompt template can use: text and numbers are inserted, booleans switch sections. */
export type TemplateValues = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Fills a prompt template: `{{name}}` inserts a value, `{{#name}}…{{/name}}` keeps its text when the
 * value is truthy and `{{^name}}…{{/name}}` when it is not. Sections nest when their names differ
 * (`{{#multi}}…{{#faces}}…{{/faces}}…{{/multi}}`). A name the values lack fails naming the
 * template, so a typo in a prompt file is caught on its first use.
 * @example renderTemplate('{{#multi}}{{frameCount}} frames{{/multi}}', { multi: true, frameCount: 4 }, 'x.md') // '4 frames'
 */
export function renderTemplate(template: string, values: TemplateValues, source: string): string {
  const check = (name: string) => {
    if (!(name in values)) {
      throw new EmolabelError(
        'invalid_option',
        `Prompt ${source} uses {{${name}}}, which is not a known value. Known values: ${Object.keys(values).join(', ')}.`,
        { path: source },
      );
    }
  };
  const section = /\{\{([#^])([\w-]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g;
  let withSections = template;
  // Outer sections first; each pass opens the next level of nesting, until none is left.
  for (let previous = ''; previous !== withSections;) {
    previous = withSections;
    withSections = withSections.replace(section, (_match, kind: string, name: string, body: string) => {
      check(name);
      const truthy = Boolean(values[name]);
      return (kind === '#' ? truthy : !truthy) ? body : '';
    });
  }
  const filled = withSections.replace(/\{\{([\w-]+)\}\}/g, (_match, name: string) => {
    check(name);
    return String(values[name] ?? '');
  });
  return filled.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
