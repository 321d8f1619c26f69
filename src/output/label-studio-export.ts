import { basename, dirname, extname, join } from 'node:path';
import { labelStudioConfig } from './label-studio-config.js';
import { inputMedia, type LabelStudioMedia, prepareLabelStudioMedia } from './label-studio-media.js';
import { type LabelStudioOptions, type LabelStudioTask, toLabelStudioTasks } from './label-studio-tasks.js';
import { writeOutputFile } from './write-output-file.js';
import type { ClipResult } from '../pipeline/clip-result.js';

/** Builds tasks from results (the reviewed export adds the reviewer's annotations). */
export type LabelStudioTaskBuilder<R extends ClipResult = ClipResult> = (results: readonly R[], options: LabelStudioOptions) => LabelStudioTask[];

export interface LabelStudioExportOptions<R extends ClipResult = ClipResult> {
  /** The run's inputs (absolute): media URLs are made from paths relative to them. */
  readonly inputs: readonly string[];
  /** The taxonomy's labels, for the labelling config. */
  readonly labels: readonly string[];
  /**
   * Prefix of media URLs, followed by the path relative to the input root
   * (`https://cdn/faces/` + `happy/a.jpg`). @default Label Studio's local-files URL of the absolute path
   */
  readonly mediaUrlPrefix?: string;
  /** Turn GIFs and frame folders into H.264 MP4 beside the export. @default true */
  readonly convertMedia?: boolean;
  /** Frame rate of a frame folder made into MP4. @default 25 */
  readonly folderFps?: number;
  readonly onWarning?: (message: string) => void;
  readonly toTasks?: LabelStudioTaskBuilder<R>;
}

/** One Label Studio project's files: its tasks and the labelling config that shows them. */
export interface LabelStudioProjectFiles {
  readonly shownAs: 'image' | 'video';
  readonly tasksFile: string;
  readonly configFile: string;
  readonly tasks: number;
}

export interface LabelStudioExport {
  readonly projects: LabelStudioProjectFiles[];
  /** The folder GIFs and frame folders were converted into, when any were. */
  readonly mediaFolder?: string;
  readonly converted: number;
}

/** The URL builder for a `--media-url` prefix: the prefix, then the input-relative path, URL-encoded. */
export function mediaUrlFromPrefix(prefix: string | undefined): LabelStudioOptions['mediaUrl'] {
  if (prefix === undefined) return undefined;
  return (media: LabelStudioMedia) => `${prefix}${encodeURI(media.relativePath)}`;
}

/** Tasks as text, without reading media (no timing, no conversion): what `exportRun` returns. */
export function labelStudioTasksText<R extends ClipResult>(results: readonly R[], options: Pick<LabelStudioExportOptions<R>, 'inputs' | 'mediaUrlPrefix' | 'toTasks'>): string {
  const mediaUrl = mediaUrlFromPrefix(options.mediaUrlPrefix);
  const tasks = (options.toTasks ?? toLabelStudioTasks)(results, { media: inputMedia(results, options.inputs), ...(mediaUrl ? { mediaUrl } : {}) });
  return `${JSON.stringify(tasks, null, 2)}\n`;
}

/**
 * Writes a Label Studio import: the tasks at `out` and `config.xml` beside it; GIFs and frame
 * folders made into MP4 under `<out name>-media/` (their input-relative layout kept, so they can
 * be served from the same root as the other media). A run of both images and clips needs two
 * projects (a config has one object tag): clips go to `out` + `config.xml`, images to
 * `<out name>-images.json` + `config-images.xml`.
 */
export async function writeLabelStudioExport<R extends ClipResult>(results: readonly R[], out: string, options: LabelStudioExportOptions<R>): Promise<LabelStudioExport> {
  const stem = basename(out, extname(out));
  const mediaFolder = join(dirname(out), `${stem}-media`);
  const convert = options.convertMedia ?? true;
  const media = await prepareLabelStudioMedia(results, {
    inputs: options.inputs, ...(convert ? { convertInto: mediaFolder } : {}),
    ...(options.folderFps === undefined ? {} : { folderFps: options.folderFps }), ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const mediaUrl = mediaUrlFromPrefix(options.mediaUrlPrefix);
  const build = options.toTasks ?? toLabelStudioTasks;
  const groups: Record<'video' | 'image', R[]> = { video: [], image: [] };
  for (const result of results) groups[media.get(result.id)?.shownAs ?? 'image'].push(result);
  const both = groups.video.length > 0 && groups.image.length > 0;
  const projects: LabelStudioProjectFiles[] = [];
  for (const shownAs of ['video', 'image'] as const) {
    const group = groups[shownAs];
    if (group.length === 0 && !(shownAs === 'image' && groups.video.length === 0)) continue;
    const separate = both && shownAs === 'image';
    const tasksFile = separate ? join(dirname(out), `${stem}-images.json`) : out;
    const configFile = join(dirname(out), separate ? 'config-images.xml' : 'config.xml');
    const tasks = build(group, { media, ...(mediaUrl ? { mediaUrl } : {}) });
    const faceIndexes = [...new Set(group.map((result) => result.faceIndex))];
    await writeOutputFile(tasksFile, `${JSON.stringify(tasks, null, 2)}\n`);
    await writeOutputFile(configFile, labelStudioConfig({ shownAs, labels: options.labels, faceIndexes }));
    projects.push({ shownAs, tasksFile, configFile, tasks: tasks.length });
  }
  const converted = [...media.values()].filter((each) => each.path.startsWith(`${mediaFolder}/`)).length;
  return { projects, converted, ...(converted > 0 ? { mediaFolder } : {}) };
}
