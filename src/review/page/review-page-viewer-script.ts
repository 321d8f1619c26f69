/**
 * The review page's viewer (inlined after the main script): zoom on a frame or crop, and the
 * video clip around the sampled frames. Plain browser JavaScript, no template literals.
 */
export const REVIEW_PAGE_VIEWER_SCRIPT = String.raw`
// "clip_0042_subject_07_take_3.mp4" → "clip_0042_su…_take_3.mp4": the start and the end (with the
// extension) stay readable, where ids truncated from the end all read the same.
function middleTruncate(text, max) {
  if (!text || text.length <= max) return text;
  var tail = Math.ceil((max - 1) / 2);
  return text.slice(0, max - 1 - tail) + '\u2026' + text.slice(text.length - tail);
}

var zoom = { scale: 1 };
function openZoom(url, box, caption) {
  var overlay = $('zoom');
  var stage = $('zoom-stage');
  stage.textContent = '';
  var image = el('img', { src: url, alt: '', 'data-testid': 'zoom-image' });
  stage.appendChild(image);
  if (box) {
    image.addEventListener('load', function () {
      var frameBox = svg('svg', { viewBox: '0 0 ' + image.naturalWidth + ' ' + image.naturalHeight, preserveAspectRatio: 'none' });
      frameBox.appendChild(svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height }));
      stage.appendChild(frameBox);
    });
  }
  $('zoom-caption').textContent = caption || '';
  zoom.scale = 1;
  applyZoom();
  overlay.hidden = false;
  document.body.dataset.zoom = 'open';
}
function applyZoom() { $('zoom-stage').style.transform = 'scale(' + zoom.scale + ')'; $('zoom-scale').textContent = Math.round(zoom.scale * 100) + '%'; }
function zoomBy(factor) { zoom.scale = Math.max(0.5, Math.min(8, zoom.scale * factor)); applyZoom(); }
function closeZoom() { $('zoom').hidden = true; delete document.body.dataset.zoom; }
function zoomOpen() { return !$('zoom').hidden; }
function zoomKey(event) {
  if (event.key === 'Escape' || event.key === 'z') closeZoom();
  else if (event.key === '+' || event.key === '=') zoomBy(1.25);
  else if (event.key === '-') zoomBy(0.8);
  else if (event.key === '0') { zoom.scale = 1; applyZoom(); }
  else return false;
  return true;
}
/** Opens the zoom on the detail's first frame with a face (or its first frame): the z key. */
function zoomFirstFrame() {
  var detail = state.detail;
  if (!detail || !detail.frames.length) return;
  var frame = detail.frames.find(function (each) { return each.box; }) || detail.frames[0];
  openZoom(frame.frameUrl, frame.box, 'frame ' + frame.sourceIndex);
}

/** The clip's player: plays the stretch around the sampled frames; a frame's button seeks to it. */
function clipPlayer(detail) {
  var video = el('video', { src: detail.clip.url, controls: '', muted: '', preload: 'auto', playsinline: '', 'data-testid': 'clip' });
  video.muted = true;
  var marks = el('div', { className: 'marks' }, detail.frames.filter(function (frame) { return frame.timeSec !== undefined; }).map(function (frame) {
    var button = el('button', { type: 'button', 'data-testid': 'seek', title: 'play from this sampled frame' }, ['\u25b6 ' + fixed(frame.timeSec, 2) + ' s' + (frame.label ? ' ' + frame.label : '')]);
    button.addEventListener('click', function () { seekClip(frame.timeSec); });
    return button;
  }));
  return el('div', { className: 'clip' }, [video, marks]);
}
function seekClip(timeSec) {
  var video = document.querySelector('[data-testid=clip]');
  if (!video || !state.detail || !state.detail.clip) return;
  video.currentTime = Math.max(0, timeSec - state.detail.clip.startSec);
  video.play().catch(function () {});
}
function toggleClip() {
  var video = document.querySelector('[data-testid=clip]');
  if (!video) { toast('No video for this item.'); return; }
  if (video.paused) video.play().catch(function () {}); else video.pause();
}

$('zoom').addEventListener('click', function (event) { if (event.target === $('zoom')) closeZoom(); });
$('zoom-close').addEventListener('click', closeZoom);
$('zoom-in').addEventListener('click', function () { zoomBy(1.25); });
$('zoom-out').addEventListener('click', function () { zoomBy(0.8); });
$('zoom').addEventListener('wheel', function (event) { event.preventDefault(); zoomBy(event.deltaY < 0 ? 1.1 : 0.9); }, { passive: false });
`;
