/** The formats `emolabel export --format` writes (its own module, so help text loads no writer). */
export const EXPORT_FORMATS = ['csv', 'jsonl', 'json', 'label-studio'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
