/**
 * The review page's script (inlined in the page; plain browser JavaScript, no build step). Every
 * value from the run is put into the page with `textContent` or attributes, never as HTML.
 * Written without template literals so it can live in this TypeScript string.
 */
export const REVIEW_PAGE_SCRIPT = String.raw`
'use strict';
var state = { run: null, labels: [], queue: [], index: -1, detail: null, reviewer: '', pending: 0, chain: Promise.resolve() };
var $ = function (id) { return document.getElementById(id); };

function el(tag, attributes, children) {
  var node = document.createElement(tag);
  Object.keys(attributes || {}).forEach(function (name) {
    if (name === 'text') node.textContent = attributes[name];
    else if (name === 'className') node.className = attributes[name];
    else node.setAttribute(name, attributes[name]);
  });
  (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child); });
  return node;
}
function svg(tag, attributes) {
  var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  Object.keys(attributes).forEach(function (name) { node.setAttribute(name, String(attributes[name])); });
  return node;
}
function fixed(value, digits) { return value === null || value === undefined ? '-' : Number(value).toFixed(digits); }
function percent(value) { return value === null || value === undefined ? '-' : Math.round(value * 100) + '%'; }
function toast(text) {
  var node = $('toast');
  node.textContent = text;
  node.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(function () { node.classList.remove('shown'); }, 2500);
}

function api(path, body) {
  var init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  return fetch(path, init).then(function (response) {
    return response.json().then(function (data) {
      if (!response.ok) throw new Error(data && data.error ? data.error : 'HTTP ' + response.status);
      return data;
    });
  });
}
// Actions run one after another, so fast key presses are saved in the order they were made.
function enqueue(action) {
  state.pending += 1;
  document.body.dataset.pending = String(state.pending);
  state.chain = state.chain.then(action).catch(function (error) { toast(error.message); }).then(function () {
    state.pending -= 1;
    document.body.dataset.pending = String(state.pending);
  });
}

function renderProgress(progress) {
  $('progress-fill').style.width = (progress.total ? (100 * progress.reviewed) / progress.total : 0) + '%';
  $('progress-text').textContent = 'Reviewed ' + progress.reviewed + ' / ' + progress.total;
  var agreement = $('agreement');
  agreement.textContent = '';
  if (!progress.reviewed) { agreement.textContent = 'Agreement: no reviews yet'; return; }
  agreement.appendChild(el('div', { text: 'Model vs reviewers on ' + progress.reviewed + ': accuracy ' + percent(progress.accuracy) + ' \u00b7 kappa ' + fixed(progress.kappa, 2) }));
  var classes = el('div', { className: 'classes' });
  progress.perClass.forEach(function (entry) {
    if (!entry.reviewed && !entry.predicted) return;
    var agreed = Math.round((entry.recall || 0) * entry.reviewed);
    classes.appendChild(el('span', { className: 'class', 'data-label': entry.label, title: 'recall ' + fixed(entry.recall, 2) + ', precision ' + fixed(entry.precision, 2),
      text: entry.label + ' ' + agreed + '/' + entry.reviewed }));
  });
  agreement.appendChild(classes);
}

function queueRow(item, position) {
  var bar = el('div', { className: 'priority' }, [el('span')]);
  bar.firstChild.style.height = Math.round(item.priority.score * 100) + '%';
  var labels = (item.label || '\u2014') + (item.confidence === undefined ? '' : ' ' + fixed(item.confidence, 2));
  if (item.review) labels += ' \u2192 ' + decisionWord(item.review);
  var why = item.priority.reasons.map(function (reason) { return reason.text; }).join('; ');
  var rowClass = !item.review ? '' : item.review.decision === 'skip' ? 'skipped' : item.review.decision === 'unsure' ? 'reviewed unsure' : 'reviewed';
  var row = el('li', { 'data-key': item.key, 'data-testid': 'queue-item', className: rowClass, title: item.itemId },
    [bar, el('span', { className: 'id', 'data-testid': 'queue-name', text: middleTruncate(item.name || item.itemId, 26) + (item.faceIndex ? ' \u00b7 face ' + item.faceIndex : '') }), el('span', { className: 'labels', text: labels }), el('span', { className: 'why', text: why || 'likely right' })]);
  row.addEventListener('click', function () { enqueue(function () { return select(position); }); });
  return row;
}
function renderQueue() {
  var list = $('queue');
  list.textContent = '';
  state.queue.forEach(function (item, position) { list.appendChild(queueRow(item, position)); });
  $('queue-count').textContent = state.queue.length + ' item(s), most likely wrong first';
  markCurrent();
}
function markCurrent() {
  Array.prototype.forEach.call($('queue').children, function (row, position) {
    row.classList.toggle('current', position === state.index);
    if (position === state.index) row.scrollIntoView({ block: 'nearest' });
  });
}
function refreshRow(position) {
  var old = $('queue').children[position];
  if (old) $('queue').replaceChild(queueRow(state.queue[position], position), old);
  markCurrent();
}

/** What a decision says in a few words: the label, or unsure (leaning), skipped, no face. */
function decisionWord(review) {
  if (!review.decision || review.decision === 'label') return review.label;
  if (review.decision === 'unsure') return 'unsure' + (review.label ? ' (' + review.label + '?)' : '');
  return review.decision === 'skip' ? 'skipped' : 'no face';
}
function picture(url, missing, className) {
  var box = el('div', { className: className });
  function placeholder() { box.textContent = ''; box.appendChild(el('div', { className: 'placeholder', 'data-testid': 'placeholder', text: 'media file missing' })); }
  if (missing) { placeholder(); return box; }
  var image = el('img', { src: url, alt: '' });
  image.addEventListener('error', placeholder);
  box.appendChild(image);
  return box;
}
function frameFigure(frame) {
  var holder = picture(frame.frameUrl, frame.missing, 'picture');
  var image = holder.querySelector('img');
  if (image && frame.box) {
    image.addEventListener('load', function () {
      // The box is in the pixels of the frame it was found in; the served image may be bigger.
      var width = frame.width || image.naturalWidth, height = frame.height || image.naturalHeight;
      var x = Math.max(0, Math.min(width, frame.box.x)), y = Math.max(0, Math.min(height, frame.box.y));
      var right = Math.max(x, Math.min(width, frame.box.x + frame.box.width)), bottom = Math.max(y, Math.min(height, frame.box.y + frame.box.height));
      var overlay = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, preserveAspectRatio: 'none' });
      overlay.appendChild(svg('rect', { x: x, y: y, width: right - x, height: bottom - y, 'data-testid': 'face-box' }));
      holder.appendChild(overlay);
    });
  }
  var caption = 'frame ' + frame.sourceIndex + (frame.timeSec === undefined ? '' : ' \u00b7 ' + fixed(frame.timeSec, 2) + ' s') + (frame.label ? ' \u00b7 ' + frame.label : '') + (frame.box ? '' : ' \u00b7 no face');
  if (!frame.missing) {
    holder.classList.add('zoomable');
    holder.title = 'zoom (z)';
    holder.addEventListener('click', function () { openZoom(frame.frameUrl, frame.box, caption); });
  }
  return el('figure', { className: 'frame', 'data-testid': 'frame' }, [holder, el('figcaption', { text: caption })]);
}
function facts(rows) {
  return el('table', { className: 'facts' }, rows.filter(function (row) { return row[1] !== undefined && row[1] !== ''; }).map(function (row) {
    return el('tr', {}, [el('td', { text: row[0] }), el('td', { text: String(row[1]) })]);
  }));
}

function renderDetail(detail) {
  var root = $('detail');
  root.textContent = '';
  if (!detail) { root.appendChild(el('div', { className: 'empty', text: 'Nothing to review with these filters.' })); return; }
  root.appendChild(el('h2', { 'data-testid': 'current-id', text: detail.name + (detail.faceIndex ? ' \u00b7 face ' + detail.faceIndex : '') }, [el('span', { className: 'pill ' + detail.status, text: detail.status }), el('span', { className: 'pill', text: detail.kind })]));
  if (detail.name !== detail.itemId) root.appendChild(el('div', { className: 'item-id', text: detail.itemId }));
  var verdict = el('div', { className: 'verdict' }, ['Model: ', el('strong', { 'data-testid': 'model-label', text: detail.label || 'no label' }), detail.confidence === undefined ? '' : ' (' + fixed(detail.confidence, 2) + ')', ' \u00b7 ']);
  verdict.appendChild(detail.review
    ? el('span', { className: 'decision ' + (detail.review.decision || 'label'), 'data-testid': 'decision', text: 'Reviewed: ' + decisionWord(detail.review) + ' by ' + detail.review.reviewer + ' at ' + new Date(detail.review.decidedAt).toLocaleString() })
    : el('span', { 'data-testid': 'decision', text: 'Not reviewed' }));
  root.appendChild(verdict);
  var buttons = el('div', { className: 'buttons' });
  state.labels.forEach(function (label, position) {
    var classes = (label === detail.label ? 'model ' : '') + (detail.review && detail.review.label === label ? 'chosen' : '');
    var button = el('button', { className: classes, 'data-label': label }, [position < 9 ? el('kbd', { text: String(position + 1) }) : null, label]);
    button.addEventListener('click', function () { decide({ decision: 'label', label: label }); });
    buttons.appendChild(button);
  });
  if (detail.label) {
    var accept = el('button', { className: 'accept' }, [el('kbd', { text: 'Enter' }), 'accept ' + detail.label]);
    accept.addEventListener('click', acceptModel);
    buttons.appendChild(accept);
  }
  root.appendChild(buttons);
  var others = el('div', { className: 'buttons others' });
  [['unsure', 'q', 'unsure'], ['skip', 's', 'skip'], ['no_face', 'n', 'no face / not a face']].forEach(function (entry) {
    var chosen = detail.review && detail.review.decision === entry[0] ? ' chosen' : '';
    var button = el('button', { className: 'decide-' + entry[0] + chosen, 'data-decision': entry[0] }, [el('kbd', { text: entry[1] }), entry[2]]);
    button.addEventListener('click', function () { decide({ decision: entry[0] }); });
    others.appendChild(button);
  });
  root.appendChild(others);
  var note = el('textarea', { id: 'note', 'data-testid': 'note', rows: '2', maxlength: '2000', placeholder: 'Note, saved with your next decision on this item (e to write, Esc to leave)' });
  note.value = detail.review && detail.review.note ? detail.review.note : '';
  root.appendChild(note);
  if (detail.clip) { root.appendChild(el('h3', { text: 'Video around the sampled frames' })); root.appendChild(clipPlayer(detail)); }
  if (detail.priority.reasons.length) root.appendChild(el('ul', { className: 'reasons' }, detail.priority.reasons.map(function (reason) { return el('li', { text: reason.text }); })));
  root.appendChild(el('h3', { text: 'Frames used' }));
  root.appendChild(el('div', { className: 'frames' }, detail.frames.map(frameFigure)));
  var crops = detail.frames.filter(function (frame) { return frame.cropUrl; });
  if (crops.length) {
    root.appendChild(el('h3', { text: 'Face crops' }));
    root.appendChild(el('div', { className: 'crops' }, crops.map(function (frame) {
      var holder = picture(frame.cropUrl, frame.missing, 'zoomable');
      holder.title = 'zoom';
      holder.addEventListener('click', function () { openZoom(frame.cropUrl, undefined, 'face crop, frame ' + frame.sourceIndex); });
      return el('figure', { className: 'crop', 'data-testid': 'crop' }, [holder, el('figcaption', { text: frame.label || '' })]);
    })));
  }
  if (detail.distribution) {
    root.appendChild(el('h3', { text: 'Distribution' }));
    var grid = el('div', { className: 'distribution' });
    Object.keys(detail.distribution).sort(function (a, b) { return detail.distribution[b] - detail.distribution[a]; }).forEach(function (label) {
      var bar = el('div', { className: 'bar' }, [el('span')]);
      bar.firstChild.style.width = Math.round(detail.distribution[label] * 100) + '%';
      grid.appendChild(el('span', { text: label }));
      grid.appendChild(bar);
      grid.appendChild(el('span', { text: fixed(detail.distribution[label], 2) }));
    });
    root.appendChild(grid);
  }
  if (detail.rationale) { root.appendChild(el('h3', { text: 'Rationale' })); root.appendChild(el('div', { className: 'text', 'data-testid': 'rationale', text: detail.rationale })); }
  if (detail.actionUnits) {
    root.appendChild(el('h3', { text: 'Action units' }));
    root.appendChild(facts(detail.actionUnits.map(function (unit) { return [unit.unit, (unit.name || '') + (unit.intensity ? ' (intensity ' + unit.intensity + ')' : '')]; })));
  }
  if (detail.opinions.length) {
    root.appendChild(el('h3', { text: 'Other annotators' }));
    root.appendChild(facts(detail.opinions.map(function (opinion) { return [opinion.model, opinion.label + (opinion.confidence === undefined ? '' : ' (' + fixed(opinion.confidence, 2) + ')')]; })));
  }
  if (detail.error) { root.appendChild(el('h3', { text: 'Error' })); root.appendChild(el('div', { className: 'text', text: detail.error })); }
  root.appendChild(el('h3', { text: 'Model and cost' }));
  root.appendChild(facts([['file', detail.name], ['model', detail.model], ['strategy', detail.strategy], ['prompt', detail.promptVersion],
    ['tokens', detail.usage.inputTokens + ' in, ' + detail.usage.outputTokens + ' out'], ['cost', detail.costUsd === null ? 'unknown (unpriced model)' : '$' + Number(detail.costUsd).toFixed(5)],
    ['warnings', detail.warnings.join('; ')]]));
  if (detail.rawText && detail.rawText !== detail.rationale) {
    root.appendChild(el('details', {}, [el('summary', { text: 'Raw model answer' }), el('div', { className: 'text', text: detail.rawText })]));
  }
}

function select(position) {
  if (!state.queue.length) { state.index = -1; state.detail = null; renderDetail(null); markCurrent(); return; }
  state.index = Math.max(0, Math.min(state.queue.length - 1, position));
  markCurrent();
  var item = state.queue[state.index];
  return api('/api/item?' + new URLSearchParams({ item: item.itemId, face: String(item.faceIndex) })).then(function (detail) {
    if (state.queue[state.index] !== item) return;
    state.detail = detail;
    document.body.dataset.current = item.key;
    renderDetail(detail);
  });
}
function move(step) { if (state.queue.length) enqueue(function () { return select(state.index + step); }); }
function applyReview(key, review) {
  var position = state.queue.findIndex(function (item) { return item.key === key; });
  if (position < 0) return -1;
  if (review) state.queue[position].review = review; else delete state.queue[position].review;
  refreshRow(position);
  return position;
}
function decide(choice) {
  var noteBox = $('note');
  var note = noteBox ? noteBox.value : '';
  enqueue(function () {
    var item = state.queue[state.index];
    if (!item) return;
    var body = { itemId: item.itemId, faceIndex: item.faceIndex, decision: choice.decision, reviewer: state.reviewer, note: note };
    if (choice.label) body.label = choice.label;
    return api('/api/decisions', body).then(function (data) {
      applyReview(item.key, data.decision);
      renderProgress(data.progress);
      return select(state.index + 1 < state.queue.length ? state.index + 1 : state.index);
    });
  });
}
function acceptModel() {
  var item = state.queue[state.index];
  if (item && item.label) decide({ decision: 'label', label: item.label }); else toast('No model label to accept; choose one with the number keys.');
}
function undo() {
  enqueue(function () {
    return api('/api/undo', { reviewer: state.reviewer }).then(function (data) {
      renderProgress(data.progress);
      if (!data.undone) { toast('Nothing to undo.'); return; }
      var position = applyReview(data.undone.itemId + '#' + data.undone.faceIndex, data.undone.restored);
      toast('Undid ' + data.undone.undoneLabel + ' on ' + data.undone.itemId);
      return select(position < 0 ? state.index : position);
    });
  });
}

function loadQueue() {
  var filter = { label: $('filter-label').value, status: $('filter-status').value, reviewed: $('filter-reviewed').value };
  var query = new URLSearchParams();
  Object.keys(filter).forEach(function (name) { if (filter[name] !== '*') query.set(name, filter[name]); });
  return api('/api/queue?' + query).then(function (data) {
    state.queue = data.items;
    renderQueue();
    var first = state.queue.findIndex(function (item) { return !item.review; });
    return select(first < 0 ? 0 : first);
  });
}
document.addEventListener('keydown', function (event) {
  var target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (zoomOpen()) { if (zoomKey(event)) event.preventDefault(); return; }
  // A held key repeats: moving may repeat, deciding may not.
  if (event.repeat && event.key.indexOf('Arrow') !== 0) return;
  if (target && (target.tagName === 'SELECT' || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) { if (event.key === 'Escape') target.blur(); return; }
  if (/^[1-9]$/.test(event.key)) { var label = state.labels[Number(event.key) - 1]; if (label) decide({ decision: 'label', label: label }); }
  else if (event.key === 'Enter') acceptModel();
  else if (event.key === 'q' || event.key === '?') decide({ decision: 'unsure' });
  else if (event.key === 's') decide({ decision: 'skip' });
  else if (event.key === 'n') decide({ decision: 'no_face' });
  else if (event.key === 'z') zoomFirstFrame();
  else if (event.key === 'p') toggleClip();
  else if (event.key === 'e') { var box = $('note'); if (box) box.focus(); }
  else if (event.key === 'ArrowDown' || event.key === 'ArrowRight' || event.key === 'j') move(1);
  else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft' || event.key === 'k') move(-1);
  else if (event.key === 'u') undo();
  else return;
  event.preventDefault();
});
['filter-label', 'filter-status', 'filter-reviewed'].forEach(function (id) { $(id).addEventListener('change', function () { enqueue(loadQueue); $(id).blur(); }); });
$('reviewer').addEventListener('click', function () {
  var name = prompt('Your name, recorded with each decision:', state.reviewer);
  if (name && name.trim()) { state.reviewer = name.trim(); localStorage.setItem('emolabel.reviewer', state.reviewer); $('reviewer').textContent = 'Reviewer: ' + state.reviewer; }
});

enqueue(function () {
  return Promise.all([api('/api/run'), api('/api/progress')]).then(function (data) {
    state.run = data[0];
    state.labels = data[0].labels;
    state.reviewer = localStorage.getItem('emolabel.reviewer') || data[0].reviewer;
    $('reviewer').textContent = 'Reviewer: ' + state.reviewer;
    $('run-info').textContent = data[0].id + ' \u00b7 ' + data[0].model + ' \u00b7 ' + data[0].taxonomy;
    var labelFilter = $('filter-label');
    [['*', 'any'], ['', '(none)']].concat(state.labels.map(function (label) { return [label, label]; })).forEach(function (entry) {
      labelFilter.appendChild(el('option', { value: entry[0], text: entry[1] }));
    });
    renderProgress(data[1]);
    return loadQueue();
  });
});
`;
