/** The review page's stylesheet (inlined in the page; no external assets). */
export const REVIEW_PAGE_STYLE = `
:root { --line: #d1d5db; --muted: #6b7280; --accent: #2563eb; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; --bg: #f9fafb; }
* { box-sizing: border-box; }
figure { margin: 0; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; background: var(--bg);
  display: grid; grid-template-rows: auto 1fr auto; height: 100vh; }
header { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 8px 16px; background: #fff; border-bottom: 1px solid var(--line); }
header .title { font-size: 15px; }
#run-info { color: var(--muted); margin-left: 6px; }
#progress { display: flex; align-items: center; gap: 8px; }
#progress .bar { width: 160px; height: 8px; background: #e5e7eb; border-radius: 4px; overflow: hidden; }
#progress-fill { height: 100%; width: 0; background: var(--ok); }
#agreement { color: #374151; }
#agreement .classes { color: var(--muted); font-size: 12px; }
#agreement .class { margin-right: 8px; white-space: nowrap; }
#reviewer { margin-left: auto; border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: 3px 8px; cursor: pointer; }
main { display: grid; grid-template-columns: 340px 1fr; min-height: 0; }
aside { border-right: 1px solid var(--line); display: flex; flex-direction: column; min-height: 0; background: #fff; }
#filters { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px; border-bottom: 1px solid var(--line); }
#filters label { font-size: 12px; color: var(--muted); display: flex; flex-direction: column; }
#filters select { font-size: 13px; }
#queue-count { font-size: 12px; color: var(--muted); padding: 4px 8px; }
#queue { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; }
#queue li { padding: 6px 8px; border-bottom: 1px solid #f3f4f6; cursor: pointer; display: grid; grid-template-columns: 6px 1fr auto; gap: 2px 8px; }
#queue li.current { background: #dbeafe; }
#queue li .priority { grid-row: span 2; border-radius: 3px; background: #e5e7eb; position: relative; overflow: hidden; }
#queue li .priority span { position: absolute; bottom: 0; left: 0; right: 0; background: var(--warn); }
#queue li .id { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 500; }
#queue li .labels { white-space: nowrap; }
#queue li .why { grid-column: 2 / span 2; font-size: 12px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#queue li.reviewed .labels { color: var(--ok); }
#queue li.unsure .labels, #queue li.skipped .labels { color: var(--warn); }
.item-id { color: var(--muted); font-size: 12px; word-break: break-all; margin-bottom: 4px; }
.buttons.others button.chosen { background: var(--warn); border-color: var(--warn); }
#note { width: 100%; max-width: 820px; font: inherit; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
.zoomable { cursor: zoom-in; }
.clip video { display: block; max-width: 640px; width: 100%; background: #000; border-radius: 4px; }
.clip .marks { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.clip .marks button { border: 1px solid var(--line); background: #fff; border-radius: 4px; font-size: 12px; cursor: pointer; }
#zoom { position: fixed; inset: 0; background: rgba(17, 24, 39, .88); display: flex; flex-direction: column; z-index: 10; }
#zoom[hidden] { display: none; }
.zoom-bar { display: flex; gap: 8px; align-items: center; padding: 8px 16px; color: #fff; }
.zoom-bar button { background: #374151; color: #fff; border: 0; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
#zoom-caption { flex: 1; }
.zoom-view { flex: 1; overflow: auto; display: flex; align-items: flex-start; justify-content: center; padding: 16px; }
#zoom-stage { position: relative; transform-origin: top center; }
#zoom-stage img { display: block; max-width: 90vw; max-height: 80vh; image-rendering: auto; }
#zoom-stage svg { position: absolute; inset: 0; width: 100%; height: 100%; }
#zoom-stage rect { fill: none; stroke: #22c55e; stroke-width: 2; vector-effect: non-scaling-stroke; }
#detail { overflow-y: auto; padding: 12px 20px 40px; min-width: 0; }
#detail h2 { margin: 0 0 4px; font-size: 18px; word-break: break-all; }
.pill { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e5e7eb; margin-left: 6px; vertical-align: middle; }
.pill.error, .pill.refused { background: #fee2e2; color: var(--bad); }
.pill.no_face, .pill.abstained { background: #fef3c7; color: var(--warn); }
.verdict { margin: 8px 0; font-size: 15px; }
.verdict .decision { color: var(--ok); font-weight: 600; }
.buttons { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 12px; }
.buttons button { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 6px 10px; cursor: pointer; font-size: 14px; }
.buttons button kbd { color: var(--muted); margin-right: 4px; }
.buttons button.model { border-color: var(--accent); }
.buttons button.chosen { background: var(--ok); color: #fff; border-color: var(--ok); }
.buttons button.chosen kbd { color: #d1fae5; }
.buttons button.accept { border-color: var(--accent); color: var(--accent); }
.reasons { margin: 0 0 12px; padding-left: 18px; color: var(--warn); }
h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 16px 0 6px; }
.frames { display: flex; flex-wrap: wrap; gap: 8px; }
.frame { width: 220px; }
.frame .picture { position: relative; background: #e5e7eb; }
.frame img { display: block; width: 100%; height: auto; }
.frame svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.frame rect { fill: none; stroke: #22c55e; stroke-width: 3; vector-effect: non-scaling-stroke; }
.frame figcaption, .crop figcaption { font-size: 12px; color: var(--muted); }
.placeholder { display: flex; align-items: center; justify-content: center; height: 140px; color: var(--muted); background: #e5e7eb; font-size: 13px; }
.crops { display: flex; flex-wrap: wrap; gap: 6px; }
.crop img { display: block; height: 112px; width: auto; border-radius: 4px; }
.crop .placeholder { width: 112px; height: 112px; }
.distribution { display: grid; grid-template-columns: 90px 1fr 48px; gap: 2px 8px; max-width: 420px; align-items: center; }
.distribution .bar { height: 10px; background: #e5e7eb; border-radius: 5px; overflow: hidden; }
.distribution .bar span { display: block; height: 100%; background: var(--accent); }
.text { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; max-width: 820px; }
table.facts { border-collapse: collapse; }
table.facts td { padding: 2px 12px 2px 0; vertical-align: top; }
table.facts td:first-child { color: var(--muted); }
footer { padding: 6px 16px; border-top: 1px solid var(--line); background: #fff; color: var(--muted); font-size: 12px; }
footer kbd, .buttons kbd { font-family: ui-monospace, monospace; }
#toast { position: fixed; bottom: 40px; right: 16px; background: #111827; color: #fff; padding: 8px 12px; border-radius: 6px; opacity: 0; transition: opacity .2s; pointer-events: none; }
#toast.shown { opacity: .92; }
.empty { color: var(--muted); padding: 24px; }
`;
