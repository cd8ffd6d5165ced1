/**
 * The report page's CSS, inlined into every page. Role colours follow the terminal timeline's (leader green,
 * candidates amber, crashed red); faults are translucent so the bands under them stay readable.
 */
export const PAGE_STYLE = `
:root { --fg: #1d2430; --dim: #6b7480; --line: #d5dae0; --bg: #fff; --panel: #f6f8fa;
  --follower: #dfe6ee; --pre-candidate: #fbe7b5; --candidate: #f6c660; --leader: #5cb85c; --crashed: #d9534f;
  --ok: #5cb85c; --fail: #b8bec6; --info: #f0ad4e; --bad: #d62728; --prefix: #1f77b4; --forcing: #9467bd;
  --voter: #2b6cb0; --learner: #9ecae1; --outgoing: #e6862e; --incoming: #6baed6; --joint: #f6d28b; --conf: #17a589; --transfer: #2ca02c; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 16px; margin: 0 0 4px; }
header .verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; margin-right: 8px; }
header .verdict.ok { background: var(--ok); } header .verdict.bad { background: var(--bad); }
header p { margin: 2px 0; color: var(--dim); } header code { color: var(--fg); }
section { padding: 8px 16px 12px; border-bottom: 1px solid var(--line); }
section h2 { font-size: 14px; margin: 4px 0 6px; }
.controls { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; margin-bottom: 6px; color: var(--dim); }
.controls button { font: inherit; padding: 1px 8px; border: 1px solid var(--line); background: #fff; border-radius: 4px; cursor: pointer; }
.controls label { white-space: nowrap; cursor: pointer; }
.note { color: var(--dim); font-style: italic; }
.reason { border-left: 4px solid var(--bad); background: #fdf0f0; padding: 4px 8px; margin: 4px 0 8px; }
.violation-text { border-left: 4px solid var(--bad); background: #fdf0f0; padding: 4px 8px; margin: 4px 0; }
svg.timeline { display: block; width: 100%; user-select: none; cursor: grab; background: #fff; }
svg.timeline.dragging { cursor: grabbing; }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); pointer-events: none; }
svg .axis line { stroke: var(--line); } svg .axis text { fill: var(--dim); }
svg .lane-label { font-weight: 600; }
svg .lane-bg { fill: #fafbfc; stroke: var(--line); stroke-width: 0.5; }
svg .band.follower { fill: var(--follower); } svg .band.pre-candidate { fill: var(--pre-candidate); }
svg .band.candidate { fill: var(--candidate); } svg .band.busy { fill: #9aa3ad; } svg .band.leader { fill: var(--leader); } svg .band.crashed { fill: var(--crashed); }
svg .span { fill: #7b4fb8; fill-opacity: 0.45; stroke: #7b4fb8; stroke-opacity: 0.8; }
svg .span-shade { fill: #7b4fb8; fill-opacity: 0.12; pointer-events: none; }
svg .span.pause, svg .span-shade.pause { fill: url(#hatch); fill-opacity: 1; }
svg .span.latency-spike, svg .span-shade.latency-spike { fill: #e377c2; } svg .span.clog, svg .span-shade.clog { fill: #8c564b; }
svg .mark { stroke: #333; stroke-width: 1; fill: #fff; }
svg .mark.fault { fill: #9467bd; } svg .mark.crash { fill: var(--crashed); } svg .mark.restart { fill: #f0ad4e; }
svg .mark.client { fill: #17becf; } svg .mark.snapshot { fill: #8c564b; } svg .mark.violation { fill: var(--bad); } svg .mark.phase { fill: #1f77b4; }
svg .mark.join, svg .mark.retire { fill: #333; stroke: #fff; } svg .mark.conf { fill: var(--conf); } svg .mark.transfer { fill: var(--transfer); }
svg .mark.goal { fill: #2ca02c; } svg .mark.goal-failed { fill: var(--bad); }
svg .lane-absent { stroke: #b8bec6; stroke-width: 1; stroke-dasharray: 2 4; }
svg .lane-hit { fill: transparent; }
svg .member-config { fill: #eef3f8; stroke: #c5d3e0; stroke-width: 0.5; } svg .member-config.joint { fill: url(#joint-hatch); stroke: var(--outgoing); }
svg .member-strip.voter { fill: var(--voter); } svg .member-strip.learner { fill: var(--learner); }
svg .member-strip.outgoing { fill: var(--outgoing); } svg .member-strip.incoming { fill: var(--incoming); }
svg .member-strip.none { fill: #b8bec6; } svg .member-strip.uncommitted { fill-opacity: 0.45; }
svg .conf-pending { stroke: var(--conf); stroke-width: 2; } svg .conf-pending.overwritten, svg .conf-pending.pending { stroke: var(--bad); stroke-dasharray: 3 2; }
svg .conf-entry { stroke: var(--conf); stroke-width: 1.2; } svg .conf-entry.appended { fill: #fff; } svg .conf-entry.committed { fill: var(--conf); }
svg .conf-entry.appended.overwritten, svg .conf-entry.appended.pending { stroke: var(--bad); }
svg .transfer-halo { fill: none; stroke: #fff; stroke-width: 6; opacity: 0.85; pointer-events: none; }
svg .transfer { fill: none; stroke: var(--transfer); stroke-width: 2; opacity: 0.9; }
svg .transfer.aborted { stroke: var(--bad); stroke-dasharray: 5 3; } svg .transfer.pending { stroke: #777; stroke-dasharray: 1 3; }
svg .transfer-x { stroke: var(--bad); stroke-width: 2.5; }
svg .commit { fill: none; stroke: #1f3a5f; stroke-width: 1.2; }
svg .msg { stroke: #5a6b7d; stroke-width: 1; fill: none; opacity: 0.75; }
svg .msg.dropped { stroke: var(--bad); stroke-dasharray: 3 2; opacity: 0.9; }
svg .msg.undelivered { stroke: #999; stroke-dasharray: 1 3; }
svg .drop-x { stroke: var(--bad); stroke-width: 2; }
svg .violation-line { stroke: var(--bad); stroke-width: 2; }
svg .violation-band { fill: var(--bad); fill-opacity: 0.18; stroke: var(--bad); stroke-width: 1.5; }
svg .violation-flag { fill: var(--bad); }
svg .violation-flag-text { fill: #fff; font-weight: 600; }
svg .liveness-line { stroke: #1f77b4; stroke-width: 1; stroke-dasharray: 5 3; }
svg .op { stroke: #fff; stroke-width: 0.5; }
svg .op.ok { fill: var(--ok); } svg .op.fail { fill: var(--fail); } svg .op.info { fill: url(#open-ended); }
svg .op.dimmed { opacity: 0.25; }
svg .op.prefix { stroke: var(--prefix); stroke-width: 2; }
svg .op.forcing { stroke: var(--forcing); stroke-width: 3; }
svg .op.failing { fill: var(--bad); stroke: #600; stroke-width: 2; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--dim); margin-top: 4px; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: -1px; border: 1px solid #0002; }
#tooltip { position: fixed; z-index: 10; max-width: 520px; padding: 4px 8px; background: #1d2430; color: #fff; border-radius: 4px;
  font: 12px/1.4 ui-monospace, monospace; pointer-events: none; white-space: pre-wrap; display: none; }
table { border-collapse: collapse; margin: 4px 0; } th, td { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
th { color: var(--dim); font-weight: 500; }
.bars .row { display: grid; grid-template-columns: 220px 1fr 70px; gap: 8px; align-items: center; margin: 1px 0; }
.bars .bar { height: 12px; background: #7b9cc4; border-radius: 2px; min-width: 1px; }
.bars .row.missed .name, .bars .row.missed .count { color: var(--bad); font-weight: 600; }
.bars .row.missed .bar { background: var(--bad); width: 4px; }
code.repro { background: var(--panel); padding: 1px 4px; border-radius: 3px; user-select: all; }
`;
