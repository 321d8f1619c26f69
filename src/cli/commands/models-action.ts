import { resolve } from 'node:path';
import { type CliIo, EXIT } from '../cli-io.js';
import { listProviders } from '../../annotators/annotator-registry.js';
import { genaiPricesData } from '../../annotators/cost/genai-prices-lookup.js';
import { type ListModelPricesOptions, listModelPrices, type ModelPriceListing } from '../../annotators/cost/list-model-prices.js';
import { loadPriceTable, type PriceTable } from '../../annotators/cost/price-table.js';
import { EmolabelError } from '../../errors.js';
import { formatTable } from '../../eval/format-metrics.js';

/** One listed model as `--json` prints it: unknown prices are null, never 0. */
export interface ModelListingJson {
  readonly id: string;
  readonly provider: string;
  readonly inputPerMillion: number | null;
  readonly outputPerMillion: number | null;
  readonly cachedInputPerMillion: number | null;
  readonly batchInputPerMillion: number | null;
  readonly batchOutputPerMillion: number | null;
  readonly imageRule: string;
  readonly imageTokens: unknown;
  /** `genai-prices`, `bundled` or `user`. */
  readonly source: string | null;
  /** The date of the price. */
  readonly checked: string | null;
  readonly effectiveFrom: string | null;
  readonly changesOn: string | null;
  /** Input tokens above which a request pays long-context rates, when the model has them. */
  readonly longContextAbove: number | null;
  readonly status: string;
  readonly note: string | null;
}

/** Parsed flags of `emolabel models`. */
export interface ModelsFlags {
  readonly provider?: string;
  readonly json?: boolean;
  readonly priceTable?: string;
  readonly all?: boolean;
}

const batchOf = (rate: number | undefined, multiplier: number | undefined) => (rate === undefined || multiplier === undefined ? undefined : rate * multiplier);

/** A listing as JSON, with null for what is unknown. */
export function listingAsJson(listing: ModelPriceListing): ModelListingJson {
  const { price } = listing;
  return {
    id: listing.id, provider: listing.provider,
    inputPerMillion: price.inputPerMillion ?? null, outputPerMillion: price.outputPerMillion ?? null, cachedInputPerMillion: price.cachedInputPerMillion ?? null,
    batchInputPerMillion: batchOf(price.inputPerMillion, price.batchMultiplier) ?? null, batchOutputPerMillion: batchOf(price.outputPerMillion, price.batchMultiplier) ?? null,
    imageRule: listing.imageRule, imageTokens: price.imageTokens ?? null,
    source: price.source ?? null, checked: price.checked ?? null, effectiveFrom: price.effectiveFrom ?? null, changesOn: price.changesOn ?? null,
    longContextAbove: price.longContext?.[0]?.aboveInputTokens ?? null, status: listing.status, note: price.note ?? null,
  };
}

function dollars(value: number | undefined): string {
  if (value === undefined) return '-';
  const text = value.toFixed(value < 0.1 ? 4 : 3).replace(/0+$/, '').replace(/\.$/, '');
  return `$${text.includes('.') && text.split('.')[1]!.length === 1 ? `${text}0` : text}`;
}

function sourceOf(listing: ModelPriceListing, table: PriceTable): string {
  switch (listing.price.source) {
    case 'genai-prices':
      return `genai-prices ${genaiPricesData().version}`;
    case 'user':
      return `your table${table.userFile ? ` (${table.userFile})` : ''}`;
    case 'bundled':
      return 'bundled table';
    default:
      return '-';
  }
}

function dateOf(listing: ModelPriceListing): string {
  const { checked, effectiveFrom, changesOn } = listing.price;
  const notes = [effectiveFrom ? `since ${effectiveFrom}` : '', changesOn ? `changes ${changesOn}` : ''].filter(Boolean).join(', ');
  return `${checked ?? '-'}${notes ? ` (${notes})` : ''}`;
}

/** The listing as a text table, with where the prices come from. */
export function formatModelListings(listings: readonly ModelPriceListing[], table: PriceTable): string {
  const header = ['model', 'input', 'output', 'cached', 'batch in/out', 'image rule', 'price from', 'price date', 'status'];
  const rows = listings.map((listing) => {
    const { price } = listing;
    const longContext = price.longContext?.[0] ? '*' : '';
    return [
      `${listing.id}${longContext}`, dollars(price.inputPerMillion), dollars(price.outputPerMillion), dollars(price.cachedInputPerMillion),
      price.batchMultiplier === undefined ? '-' : `${dollars(batchOf(price.inputPerMillion, price.batchMultiplier))}/${dollars(batchOf(price.outputPerMillion, price.batchMultiplier))}`,
      listing.imageRule, sourceOf(listing, table), dateOf(listing), listing.status,
    ];
  });
  const data = genaiPricesData();
  const lines = [
    'US dollars per million tokens. Token prices: genai-prices ' +
      `${data.version}${data.published ? ` (${data.published})` : ''} where it knows the model, else emolabel's bundled table (checked ${table.checked ?? 'n/a'})` +
      `${table.userFile ? `; entries of ${table.userFile} first` : ''}. Image rules: the bundled table${table.userFile ? ' or yours' : ''}.`,
    '',
    formatTable([header, ...rows]),
    '',
  ];
  if (listings.some((listing) => listing.price.longContext)) lines.push('* long prompts (above about 200-272k input tokens) are billed at higher rates; see --json.');
  lines.push('Models with an unknown image rule are priced from the usage a provider reports; a dry run cannot estimate their images. OpenAI-compatible servers have no price: give theirs with --price-table.');
  lines.push("Prices change: check the provider's page before a large run.");
  return `${lines.join('\n')}\n`;
}

/** What `emolabel models` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runModelsCommand(flags: ModelsFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
  const providers = listProviders().map((provider) => provider.name);
  if (flags.provider !== undefined && !providers.includes(flags.provider)) {
    throw new EmolabelError('invalid_option', `Unknown provider "${flags.provider}" for --provider: expected one of ${providers.join(', ')}.`);
  }
  const file = flags.priceTable ?? io.env.EMOLABEL_PRICE_TABLE;
  const table = loadPriceTable(file === undefined || file === '' ? undefined : resolve(io.cwd, file));
  const options: ListModelPricesOptions = { ...(flags.provider === undefined ? {} : { provider: flags.provider }), all: flags.all ?? false };
  const listings = listModelPrices(table, options);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(listings.map(listingAsJson), null, 2)}\n`);
  } else if (listings.length === 0) {
    const reason = flags.provider === 'local' ? 'local models are free: no tokens, no cost' : `no priced models${flags.provider ? ` for ${flags.provider}` : ''}`;
    io.stdout.write(`${reason}${flags.provider === 'openai-compatible' ? '; give your server\'s prices with --price-table' : ''}.\n`);
  } else {
    io.stdout.write(formatModelListings(listings, table));
  }
  setExitCode(EXIT.ok);
}
