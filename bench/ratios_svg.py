#!/usr/bin/env python3
"""Draws the baseline-vs-peer ratios of latest.json as an SVG bar chart (stdlib only).

  ratios_svg.py LATEST_JSON OUT_SVG

One group of bars per metric, one bar per peer, on a log2 axis centred on 1
(bars above the line: the baseline wins). Values beyond 1/8..8 are clipped and
marked with a caret; each bar's exact value is in its tooltip.

The headline metrics come first: head-to-head (simultaneous) CPU per message
and callgrind instructions per message, which do not move with the machine's
drift. The sequential-run ratios follow, paler, after a separator.
"""
import json
import math
import sys
from xml.sax.saxutils import escape

COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
          "#9c755f"]
LIMIT = 3  # log2 range: 1/8 .. 8
BAR, GAP, LEFT, TOP, PLOT_H, BOTTOM = 11, 18, 70, 76, 300, 130
SECTION_GAP = 24
SEQUENTIAL_OPACITY = 0.45


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    ratios = doc["ratios"]
    base, peers = ratios["baseline"], list(ratios["peers"])
    headline = ratios.get("headline") or []
    sections = [("head-to-head CPU/msg, callgrind instr/msg", headline, 1.0),
                ("sequential runs (drift included)", ratios["metrics"], SEQUENTIAL_OPACITY)]
    sections = [sec for sec in sections if sec[1]]
    if len(sections) == 1 and not headline:
        sections = [("", ratios["metrics"], 1.0)]
    metrics = [m for sec in sections for m in sec[1]]
    for m in metrics:  # callgrind may name a peer the sequential list lacks
        peers += [p for p in m["values"] if p not in peers]
    group_w = max(1, len(peers)) * BAR + GAP
    width = LEFT + max(1, len(metrics)) * group_w + (len(sections) - 1) * SECTION_GAP + 30
    height = TOP + PLOT_H + BOTTOM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">'
           f'{escape(base)} vs peers: ratio &gt; 1 means {escape(base)} wins (log scale)</text>']
    if not metrics:
        out.append(f'<text x="{LEFT}" y="{TOP + 40}">{escape(base)} was not measured: '
                   f'no ratios.</text></svg>')
        write(out)
        return

    def y_of(log2v):
        return TOP + PLOT_H / 2 - log2v / LIMIT * (PLOT_H / 2)

    for i, p in enumerate(peers):  # legend
        x = LEFT + i * 90
        out.append(f'<rect x="{x}" y="32" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>'
                   f'<text x="{x + 14}" y="41">{escape(p)}</text>')
    for k in range(-LIMIT, LIMIT + 1):  # grid and axis labels
        y = y_of(k)
        label = f"{2 ** k:g}" if k >= 0 else f"1/{2 ** -k}"
        stroke = "#333" if k == 0 else "#ddd"
        out.append(f'<line x1="{LEFT}" x2="{width - 20}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{stroke}"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    zero = y_of(0)
    groups, x0 = [], LEFT  # (x of the group, metric, opacity)
    for n, (caption, ms, opacity) in enumerate(sections):
        if n:
            sx = x0 + SECTION_GAP / 2
            out.append(f'<line x1="{sx:.1f}" x2="{sx:.1f}" y1="{TOP - 30}" y2="{TOP + PLOT_H}" '
                       f'stroke="#888" stroke-dasharray="4 3"/>')
            x0 += SECTION_GAP
        if caption:
            out.append(f'<text x="{x0 + 4:.1f}" y="{TOP - 21}" fill="#555" '
                       f'font-style="italic">{escape(caption)}</text>')
        for m in ms:
            groups.append((x0 + GAP / 2, m, opacity))
            x0 += group_w
    for gx, m, opacity in groups:
        for i, p in enumerate(peers):
            v = m["values"].get(p)
            if v is None or v <= 0:
                continue
            lv = math.log2(v)
            clipped = abs(lv) > LIMIT
            lv = max(-LIMIT, min(LIMIT, lv))
            y = y_of(lv)
            x = gx + i * BAR
            top, h = min(y, zero), max(abs(zero - y), 1)
            out.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{BAR - 2}" height="{h:.1f}" '
                       f'fill="{COLORS[i % len(COLORS)]}" fill-opacity="{opacity}">'
                       f'<title>{escape(m["label"])}: '
                       f'{escape(base)}/{escape(p)} = {v:.3g}</title></rect>')
            if clipped:  # caret just beyond the top, or inside the bottom end
                cy, fill = (y - 4, "black") if lv > 0 else (y - 3, "white")
                out.append(f'<text x="{x + (BAR - 2) / 2:.1f}" y="{cy:.1f}" fill="{fill}" '
                           f'text-anchor="middle">{"^" if lv > 0 else "v"}</text>')
        lx, ly = gx + len(peers) * BAR / 2, TOP + PLOT_H + 12
        out.append(f'<text x="{lx:.1f}" y="{ly}" text-anchor="end" '
                   f'transform="rotate(-40 {lx:.1f} {ly})">{escape(m["label"])}</text>')
    meta = doc["meta"]
    out.append(f'<text x="{LEFT}" y="{height - 8}" fill="#555">{escape(meta["date"])}: medians of '
               f'{meta["reps"]} rep(s), {meta["duration_s"]} s windows; figures in latest.md</text>')
    out.append("</svg>")
    write(out)


def write(parts):
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
