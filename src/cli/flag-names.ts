/**
 * Library parameters as the CLI spells them. Library messages name parameters in backticks
 * (`maxCostUsd`); the CLI shows its flag instead, so a user reads what to type.
 */
const FLAG_OF_PARAMETER: Readonly<Record<string, string>> = {
  maxCostUsd: '--max-cost',
  batch: '--batch',
  timeoutMs: '--timeout',
  apiKeyEnv: '--api-key-env',
  baseUrl: '--base-url',
  priceTable: '--price-table',
  maxImagesPerRequest: '--max-images',
  imageSize: '--image-size',
  prompt: '--prompt',
  detail: '--detail',
  concurrency: '--concurrency',
  workers: '--workers',
  frames: '--frames',
  faceMargin: '--face-margin',
  rpm: '--rpm',
  tpm: '--tpm',
  clipFolders: '--clip-folders',
  manifestPathColumn: '--path-column',
  manifestIdColumn: '--id-column',
  pathColumn: '--path-column',
  idColumn: '--id-column',
  truth: '--truth',
  maxOutputTokens: '--max-output-tokens',
  reasoningEffort: '--reasoning-effort',
  takeOver: '--take-over',
  queue: '--queue',
  pathMap: '--path-map',
};

/** `message` with each backticked library parameter replaced by its CLI flag. */
export function withFlagNames(message: string): string {
  return message.replace(/`([A-Za-z]+)`/g, (whole, name: string) => FLAG_OF_PARAMETER[name] ?? whole);
}
