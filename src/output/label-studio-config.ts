import { controlNames } from './label-studio-tasks.js';

export interface LabelStudioConfigOptions {
  /** `image` tasks (`<Image value="$image">`) or `video` tasks (`<Video value="$video">`). */
  readonly shownAs: 'image' | 'video';
  /** The taxonomy's labels, in order. */
  readonly labels: readonly string[];
  /** Face numbers with results (`--faces all`): one timeline each. @default [0] */
  readonly faceIndexes?: readonly number[];
  /** @default 'emotion' */
  readonly fromName?: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const labelTags = (tag: 'Choice' | 'Label', labels: readonly string[], indent: string) => labels.map((label) => `${indent}<${tag} value="${escape(label)}"/>`).join('\n');

/**
 * The labelling config that matches {@link toLabelStudioTasks}: the same control names, the
 * taxonomy's labels, and for clips `frameRate="$fps"` so each video is timed by its own frame rate
 * (a fixed rate that differs from a video's misplaces every frame label and box).
 */
export function labelStudioConfig(options: LabelStudioConfigOptions): string {
  const names = controlNames(options.fromName ?? 'emotion');
  const target = options.shownAs;
  /** A control tag holding one child per label of the taxonomy. */
  const control = (tag: string, attributes: string, child: 'Choice' | 'Label') => [`  <${tag} ${attributes}>`, labelTags(child, options.labels, '    '), `  </${tag}>`];
  const choices = control('Choices', `name="${names.choices}" toName="${target}" choice="single" showInline="true"`, 'Choice');
  const shapes = target === 'image'
    ? ['  <Image name="image" value="$image" zoom="true"/>', ...choices, ...control('RectangleLabels', `name="${names.box}" toName="image"`, 'Label')]
    : [
      '  <Video name="video" value="$video" frameRate="$fps" timelineHeight="120"/>',
      ...choices,
      ...control('Labels', `name="${names.trackLabels}" toName="video"`, 'Label'),
      `  <VideoRectangle name="${names.box}" toName="video"/>`,
      ...[...new Set(options.faceIndexes ?? [0])].sort((a, b) => a - b).flatMap((face) => [
        `  <Header value="${face === 0 ? 'Frame labels' : `Frame labels, face ${face}`}"/>`,
        ...control('TimelineLabels', `name="${names.timeline(face)}" toName="video"`, 'Label'),
      ]),
    ];
  return ['<View>', ...shapes, '</View>', ''].join('\n');
}
