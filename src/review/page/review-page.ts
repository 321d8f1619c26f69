import { REVIEW_PAGE_SCRIPT } from './review-page-script.js';
import { REVIEW_PAGE_STYLE } from './review-page-style.js';
import { REVIEW_PAGE_VIEWER_SCRIPT } from './review-page-viewer-script.js';

/**
 * The review page: one self-contained HTML document (style and script inline, no CDN). `nonce`
 * marks the inline style and script as the only ones the Content-Security-Policy lets run.
 */
export function renderReviewPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>emolabel review</title>
<style nonce="${nonce}">${REVIEW_PAGE_STYLE}</style>
</head>
<body data-pending="0">
<header>
  <div class="title"><strong>emolabel review</strong><span id="run-info"></span></div>
  <div id="progress" data-testid="progress"><div class="bar"><div id="progress-fill"></div></div><span id="progress-text">Loading…</span></div>
  <div id="agreement" data-testid="agreement"></div>
  <button id="reviewer" type="button" title="Change the name recorded with your decisions"></button>
</header>
<main>
  <aside>
    <div id="filters">
      <label>Label <select id="filter-label" data-testid="filter-label"></select></label>
      <label>Status <select id="filter-status" data-testid="filter-status">
        <option value="*">any</option><option value="ok">ok</option><option value="no_face">no face</option>
        <option value="abstained">abstained</option><option value="refused">refused</option><option value="error">error</option></select></label>
      <label>Reviewed <select id="filter-reviewed" data-testid="filter-reviewed">
        <option value="all">all</option><option value="unreviewed">unreviewed</option><option value="reviewed">reviewed</option></select></label>
    </div>
    <div id="queue-count"></div>
    <ol id="queue" data-testid="queue"></ol>
  </aside>
  <section id="detail" data-testid="detail"></section>
</main>
<footer><kbd>1</kbd>–<kbd>9</kbd> choose a label and save · <kbd>Enter</kbd> accept the model's label · <kbd>q</kbd> unsure · <kbd>s</kbd> skip · <kbd>n</kbd> no face / not a face · <kbd>e</kbd> note · <kbd>z</kbd> zoom (<kbd>+</kbd><kbd>-</kbd>, <kbd>Esc</kbd>) · <kbd>p</kbd> play the clip · <kbd>←</kbd><kbd>→</kbd>/<kbd>↑</kbd><kbd>↓</kbd> move · <kbd>u</kbd> undo your last decision</footer>
<div id="zoom" data-testid="zoom" hidden><div class="zoom-bar"><button type="button" id="zoom-out">−</button><span id="zoom-scale">100%</span><button type="button" id="zoom-in">+</button><span id="zoom-caption"></span><button type="button" id="zoom-close">close (Esc)</button></div><div class="zoom-view"><div id="zoom-stage"></div></div></div>
<div id="toast" role="status" aria-live="polite"></div>
<script nonce="${nonce}">${REVIEW_PAGE_SCRIPT}${REVIEW_PAGE_VIEWER_SCRIPT}</script>
</body>
</html>
`;
}
