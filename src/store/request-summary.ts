/** What was sent, without the image bytes: hashes and sizes identify the images. */
export interface RequestSummary {
  readonly model: string;
  readonly images: ReadonlyArray<{ sha256: string; width: number; height: number }>;
  readonly taxonomy: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}
