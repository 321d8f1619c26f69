import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node, without a browser or canvas
 * (Vega's headless `renderer: 'none'` view and its SVG string renderer).
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile(spec);
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return withTooltips(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * A static SVG has no tooltips: each mark Vega labelled for screen readers (a `description`
 * encoding, written as `aria-label`) also gets a `<title>`, which browsers show on hover.
 */
export function withTooltips(svg: string): string {
  return svg.replace(/<(path|rect|circle)(\s[^>]*?aria-label="([^"]*)"[^>]*?)\/>/g, (_match, tag: string, attributes: string, label: string) =>
    `<${tag}${attributes}><title>${label}</title></${tag}>`);
}
