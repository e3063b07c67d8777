// The panel's stylesheet. It lives in the panel's shadow root: the app's CSS cannot reach in and
// the panel's cannot leak out. Light and dark follow the system (prefers-color-scheme).

export const STYLES = `
:host { all: initial; }
* { box-sizing: border-box; }
.root {
  --bg: #ffffff; --bg-alt: #f5f6f8; --bg-hover: #eceef2; --fg: #1d2026; --muted: #667085; --border: #d9dde3;
  --accent: #4f46e5; --accent-fg: #ffffff; --ok: #16803c; --warn: #b45309; --error: #c0262d; --flash: #fde68a;
  --string: #0a7d45; --number: #1d4ed8; --boolean: #9333ea; --null: #667085; --key: #8a3ffc;
  font: 12px/1.45 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg);
}
@media (prefers-color-scheme: dark) {
  .root {
    --bg: #16181d; --bg-alt: #1e2128; --bg-hover: #272b33; --fg: #e6e8ec; --muted: #9aa3b2; --border: #2f343d;
    --accent: #818cf8; --accent-fg: #111827; --ok: #4ade80; --warn: #fbbf24; --error: #f87171; --flash: #5b4a12;
    --string: #86efac; --number: #93c5fd; --boolean: #d8b4fe; --null: #9aa3b2; --key: #c4b5fd;
  }
}
button, input, select { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.toggle {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483646;
  width: 40px; height: 40px; border-radius: 50%; border: 1px solid var(--border);
  background: var(--bg); color: var(--accent); cursor: pointer; padding: 0;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.18); display: grid; place-items: center;
}
.toggle:hover { background: var(--bg-hover); }
.toggle .dot { position: absolute; top: 4px; right: 4px; width: 8px; height: 8px; border-radius: 50%; border: 1px solid var(--bg); }
.panel {
  position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483647;
  display: flex; flex-direction: column; background: var(--bg); border-top: 1px solid var(--border);
  box-shadow: 0 -4px 16px rgba(0, 0, 0, 0.12);
}
.panel[hidden], .toggle[hidden] { display: none; }
.resize { height: 6px; margin-top: -3px; cursor: ns-resize; flex: none; }
.resize:hover, .resize:focus-visible { background: var(--accent); outline: none; }
header { display: flex; align-items: center; gap: 12px; padding: 0 8px 0 12px; border-bottom: 1px solid var(--border); background: var(--bg-alt); flex: none; }
.brand { font-weight: 600; display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--muted); }
.dot.connected { background: var(--ok); } .dot.reconnecting { background: var(--warn); } .dot.closed { background: var(--error); }
[role=tablist] { display: flex; gap: 2px; flex: 1; overflow-x: auto; }
[role=tab] { border: 0; background: none; padding: 8px 10px; cursor: pointer; color: var(--muted); border-bottom: 2px solid transparent; white-space: nowrap; }
[role=tab]:hover { color: var(--fg); }
[role=tab][aria-selected=true] { color: var(--fg); border-bottom-color: var(--accent); }
.count { margin-left: 4px; padding: 0 5px; border-radius: 8px; background: var(--bg-hover); font-size: 11px; }
.icon-button { border: 0; background: none; cursor: pointer; padding: 4px 8px; border-radius: 4px; color: var(--muted); font-size: 16px; line-height: 1; }
.icon-button:hover { background: var(--bg-hover); color: var(--fg); }
[role=tabpanel] { flex: 1; overflow: auto; min-height: 0; }
.toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 12px; border-bottom: 1px solid var(--border); position: sticky; top: 0; background: var(--bg); z-index: 1; }
.toolbar input[type=search] { flex: 0 1 260px; padding: 3px 8px; border: 1px solid var(--border); border-radius: 4px; background: var(--bg-alt); }
.toolbar select { padding: 2px 4px; border: 1px solid var(--border); border-radius: 4px; background: var(--bg-alt); }
.muted { color: var(--muted); }
.empty { padding: 16px 12px; color: var(--muted); }
.rows { margin: 0; padding: 0; list-style: none; }
.row { border-bottom: 1px solid var(--border); }
.row > summary { display: grid; gap: 12px; padding: 4px 12px; cursor: pointer; align-items: baseline; list-style: none; }
.row > summary::-webkit-details-marker { display: none; }
.row > summary:hover { background: var(--bg-hover); }
.row[open] > summary { background: var(--bg-alt); }
.queries .row > summary { grid-template-columns: minmax(140px, 1.2fr) minmax(80px, 1.5fr) 36px 76px 64px 72px 44px; }
.requests .row > summary { grid-template-columns: 18px 60px minmax(120px, 1fr) minmax(80px, 1.4fr) 64px 44px 48px minmax(80px, 1.4fr); }
.heading { display: grid; gap: 12px; padding: 4px 12px; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.03em; border-bottom: 1px solid var(--border); }
.queries .heading { grid-template-columns: minmax(140px, 1.2fr) minmax(80px, 1.5fr) 36px 76px 64px 72px 44px; }
.requests .heading { grid-template-columns: 18px 60px minmax(120px, 1fr) minmax(80px, 1.4fr) 64px 44px 48px minmax(80px, 1.4fr); }
.name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.mono, .tree, .args { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; }
.args { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; background: var(--bg-hover); white-space: nowrap; }
.badge.success, .badge.ok { color: var(--ok); } .badge.loading, .badge.pending { color: var(--warn); } .badge.error { color: var(--error); }
.badge.optimistic { color: var(--accent); }
.row[data-flash] > summary { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: var(--flash); } to { background: transparent; } }
.detail { padding: 6px 12px 10px 24px; display: grid; gap: 8px; }
.detail h4 { margin: 0; font-size: 11px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; }
.tree details > summary { cursor: pointer; }
.tree details > :not(summary) { margin-left: 16px; }
.tree .leaf { padding-left: 13px; white-space: pre-wrap; word-break: break-word; }
.tree .key { color: var(--key); }
.v-string { color: var(--string); } .v-number, .v-bigint { color: var(--number); } .v-boolean { color: var(--boolean); } .v-null, .v-undefined, .v-bytes { color: var(--null); }
.inline-preview { color: var(--muted); }
details[open] > summary > .inline-preview { display: none; }
.error-text { color: var(--error); white-space: pre-wrap; }
.log { display: grid; grid-template-columns: 88px 52px minmax(120px, 220px) 1fr; gap: 12px; padding: 2px 12px; border-bottom: 1px solid var(--border); align-items: baseline; }
.log .message { white-space: pre-wrap; word-break: break-word; }
.log.warn { background: color-mix(in srgb, var(--warn) 8%, transparent); } .log.error { background: color-mix(in srgb, var(--error) 10%, transparent); }
.level { font-size: 11px; text-transform: uppercase; } .lv-warn { color: var(--warn); } .lv-error { color: var(--error); } .lv-debug { color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; padding: 10px 12px; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; word-break: break-all; }
.section { padding: 4px 12px 2px; font-size: 11px; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); border-top: 1px solid var(--border); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-weight: 500; color: var(--muted); font-size: 11px; }
.button { border: 1px solid var(--border); background: var(--bg-alt); border-radius: 4px; padding: 3px 10px; cursor: pointer; }
.button:hover { background: var(--bg-hover); }
.button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
.button:disabled { opacity: 0.45; cursor: default; }
dd[data-state] { font-weight: 600; }
dd[data-state=connected] { color: var(--ok); } dd[data-state=reconnecting], dd[data-state=connecting] { color: var(--warn); } dd[data-state=closed] { color: var(--error); }
.note { padding: 8px 12px; color: var(--muted); }
`;
