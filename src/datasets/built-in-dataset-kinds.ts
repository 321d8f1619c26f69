/**
 * The dataset layouts the CLI reads, for `emolabel dataset --help`: the built-in loaders' kinds and
 * descriptions (dataset-registry.ts holds the loaders; a test keeps the two in step). Its own
 * module so help text loads no CSV parser.
 */
export const BUILT_IN_DATASET_KINDS =
  'folder (root/<Label>/<images, videos or frame folders>); manifest (a CSV with path,label columns (paths relative to the CSV)); ferv39k (a FERV39k split list: lines "…/<Scene>/<Emotion>/<clip> <frames> <index>")';
