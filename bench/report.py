#!/usr/bin/env python3
"""Aggregates bench/run.sh records into tables (stdlib only).

  report.py rate RUNS [--baseline B]          fixed rate for the latency scenario
  report.py render RUNS META OUT_DIR          writes OUT_DIR/latest.json and latest.md
  report.py check LATEST_JSON [--baseline B]  exit 1 if the baseline had errors (sequential
                                              or head-to-head runs)

RUNS holds one JSON record per line, as written by bench/lib/measure.sh,
paired.sh and callgrind.sh. Figures are medians over repetitions with min-max;
rep 0 (rate calibration) is not reported.
"""
import json
import statistics
import sys

THROUGHPUT = ["64b-p1", "64b-p16", "4k-p4", "c1000"]
MEM_FLOOR_KIB = 0.05  # below this a per-connection RSS delta is noise
FAIR_SHARE = (0.35, 0.65)  # head-to-head: baseline's share of the pair's server CPU


def read_runs(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def is_peer(server, baseline):
    return server != baseline and not server.startswith("weft")


def cmd_rate(argv):
    runs = read_runs(argv[0])
    baseline = argv[argv.index("--baseline") + 1] if "--baseline" in argv else "weft"
    by_server = {}
    for r in runs:
        if r["kind"] == "load" and r["scenario"] == "64b-p1" and r.get("result"):
            by_server.setdefault(r["server"], []).append(r["result"]["msgs_per_s"])
    medians = {s: statistics.median(v) for s, v in by_server.items()}
    peers = {s: m for s, m in medians.items() if is_peer(s, baseline)} or medians
    if not peers:
        print(10000)
        return
    print(max(1000, int(min(peers.values()) / 2 / 1000) * 1000))


def load_summary(results, syscall):
    ok = [r for r in results if r is not None]
    lat = lambda key: spread([r["latency_us"][key] for r in ok if r["msgs"] > 0])
    out = {
        "reps": len(results),
        "msgs_per_s": spread([r["msgs_per_s"] for r in ok]),
        "mb_per_s": spread([r["mb_per_s"] for r in ok]),
        "server_cpu_us_per_msg": spread([r.get("server_cpu_us_per_msg") for r in ok
                                         if r["msgs"] > 0]),
        "client_cpu_us_per_msg": spread([r["client_cpu_us_per_msg"] for r in ok
                                         if r["msgs"] > 0]),
        "p50_us": lat("p50"), "p90_us": lat("p90"), "p99_us": lat("p99"),
        "p999_us": lat("p999"), "max_us": lat("max"),
        "errors": sum(r["errors"] for r in ok) + (len(results) - len(ok)),
        "timeouts": sum(r["errors_by_kind"].get("timeout", 0) for r in ok),
        "failed_runs": len(results) - len(ok),
    }
    if syscall:
        res = syscall.get("result") or {}
        msgs = res.get("msgs_total") or 0
        calls = syscall.get("syscalls")
        out["syscalls_per_msg"] = calls / msgs if calls is not None and msgs else None
        out["syscall_method"] = syscall.get("method")
    return out


def idle_summary(results):
    ok = [r for r in results if r is not None]
    return {
        "reps": len(results),
        "rss_kib_per_conn": spread([r.get("server_rss_kib_per_conn") for r in ok]),
        "established": spread([r["established"] for r in ok]),
        "requested": ok[0]["requested"] if ok else None,
        "errors": sum(r["errors"] for r in ok) + (len(results) - len(ok)),
        "timeouts": sum(r["errors_by_kind"].get("timeout", 0) for r in ok),
        "failed_runs": len(results) - len(ok),
    }


def pair_failure(r):
    """Why a head-to-head run does not count, or None."""
    if r.get("failure"):
        return r["failure"]
    for who, rc, res in ((r["baseline"], r.get("base_rc"), r.get("base_result")),
                         (r["server"], r.get("rc"), r.get("result"))):
        if rc != 0:
            errors = f", {res['errors']} error(s)" if res and res.get("errors") else ""
            return f"{who}: weft-load exited with {rc}{errors}"
        if not res or "errors" not in res:
            return f"{who}: no weft-load result"
        if res["errors"]:
            return f"{who}: {res['errors']} error(s)"
        if not res.get("msgs") or res.get("server_cpu_us_per_msg") is None:
            return f"{who}: no messages or no server CPU figure"
    return None


def cpu_s(res):
    """Server CPU seconds per second of window in one weft-load result."""
    return res["server_cpu_us_per_msg"] * res["msgs"] / 1e6 / res["window_s"]


def paired_summary(records):
    """One peer against the baseline in one scenario, over the repetitions."""
    ok = [r for r in records if pair_failure(r) is None]
    side = lambda key, res: spread([r[res][key] for r in ok])
    return {
        "reps": len(records),
        "ok": len(ok),
        "failed": len(records) - len(ok),
        "failures": [f"rep {r['rep']}: {pair_failure(r)}" for r in records if r not in ok],
        "cpu_ratio": spread([r["result"]["server_cpu_us_per_msg"] /
                             r["base_result"]["server_cpu_us_per_msg"] for r in ok]),
        "msgs_ratio": spread([r["base_result"]["msgs_per_s"] / r["result"]["msgs_per_s"]
                              for r in ok]),
        "base_cpu_share": spread([cpu_s(r["base_result"]) /
                                  (cpu_s(r["base_result"]) + cpu_s(r["result"])) for r in ok]),
        "base_cpu_us_per_msg": side("server_cpu_us_per_msg", "base_result"),
        "peer_cpu_us_per_msg": side("server_cpu_us_per_msg", "result"),
        "base_msgs_per_s": side("msgs_per_s", "base_result"),
        "peer_msgs_per_s": side("msgs_per_s", "result"),
        "base_errors": sum((r.get("base_result") or {}).get("errors", 0) for r in records),
        "peer_errors": sum((r.get("result") or {}).get("errors", 0) for r in records),
        "base_integrity_errors": sum(
            (r.get("base_result") or {}).get("errors", 0) -
            (r.get("base_result") or {}).get("errors_by_kind", {}).get("timeout", 0)
            for r in records),
    }


def build_paired(runs, meta):
    paired = meta.get("paired")
    if not paired:
        return None
    pairs = [r for r in runs if r["kind"] == "pair"]
    peers = []
    for r in pairs:
        if r["server"] not in peers:
            peers.append(r["server"])
    scenarios = {}
    for sc in paired["scenarios"]:
        row = {}
        for p in peers:
            records = [r for r in pairs if r["server"] == p and r["scenario"] == sc]
            if records:
                row[p] = paired_summary(records)
        scenarios[sc] = row
    return {"baseline": meta["baseline"], "reps": paired["reps"], "peers": peers,
            "duration_s": meta["duration_s"], "warmup_s": meta["warmup_s"],
            "scenarios": scenarios}


def build_instr(runs, meta):
    info = meta.get("instr")
    if not info:
        return None
    base = meta["baseline"]
    servers, skipped = [], {}
    for r in runs:
        if r["kind"] == "instr" and r["server"] not in servers:
            servers.append(r["server"])
        elif r["kind"] == "instr_skip":
            skipped[r["server"]] = r["reason"]
    scenarios = {}
    for sc in info["scenarios"]:
        row = {}
        for s in servers:
            r = next((r for r in runs if r["kind"] == "instr" and r["server"] == s
                      and r["scenario"] == sc), None)
            if r is None:
                continue
            res = r.get("result") or {}
            msgs = res.get("msgs_total")
            per_msg = None
            if not r.get("failure") and r.get("ir_loaded") is not None and \
                    r.get("ir_idle") is not None and msgs:
                per_msg = (r["ir_loaded"] - r["ir_idle"]) / msgs
            row[s] = {"instr_per_msg": per_msg, "ir_loaded": r.get("ir_loaded"),
                      "ir_idle": r.get("ir_idle"), "msgs": msgs, "rc": r.get("rc"),
                      "errors": res.get("errors"), "failure": r.get("failure") or None}
        b = row.get(base, {}).get("instr_per_msg")
        for s, v in row.items():
            v["ratio"] = ratio(v["instr_per_msg"], b) if s != base else None
        scenarios[sc] = row
    return {"baseline": base, "servers": servers, "skipped": skipped,
            "duration_s": info["duration_s"], "valgrind": info.get("valgrind"),
            "scenarios": scenarios}


def build_headline(paired, instr):
    """The ratios that do not depend on the machine's drift: head-to-head CPU
    per message and callgrind instructions per message (peer/baseline)."""
    metrics = []
    for sc, row in (paired or {}).get("scenarios", {}).items():
        values = {p: med(v, "cpu_ratio") for p, v in row.items()}
        if any(x is not None for x in values.values()):
            metrics.append({"key": f"paired:{sc}:cpu", "label": f"CPU/msg {sc} (paired)",
                            "scenario": sc, "values": values})
    for sc, row in (instr or {}).get("scenarios", {}).items():
        values = {s: v["ratio"] for s, v in row.items() if s != instr["baseline"]}
        if any(x is not None for x in values.values()):
            metrics.append({"key": f"instr:{sc}", "label": f"instr/msg {sc}", "scenario": sc,
                            "values": values})
    return metrics


def errors_cell(v):
    text = str(v["errors"])
    if v.get("timeouts"):
        text += f" ({v['timeouts']} timeout)"
    return text


def med(summary, key):
    s = summary.get(key) if summary else None
    return s["median"] if s else None


def ratio(num, den, floor=0.0):
    if num is None or den is None:
        return None
    num, den = max(num, floor), max(den, floor)
    return num / den if den > 0 else None


def build_ratios(scenarios, baseline, servers):
    """Ratios baseline vs each peer, oriented so that > 1 means the baseline wins."""
    peers = [s for s in servers if s != baseline]
    metrics = []

    def add(key, label, scenario, fn):
        sc = scenarios.get(scenario, {}).get("servers", {})
        if baseline not in sc:
            return
        values = {p: fn(sc[baseline], sc[p]) for p in peers if p in sc}
        if any(v is not None for v in values.values()):
            metrics.append({"key": key, "label": label, "scenario": scenario, "values": values})

    for sc in THROUGHPUT:
        add(f"{sc}:throughput", f"msgs/s {sc}", sc,
            lambda b, p: ratio(med(b, "msgs_per_s"), med(p, "msgs_per_s")))
    for sc in THROUGHPUT + ["rate"]:
        add(f"{sc}:cpu", f"CPU/msg {sc}", sc,
            lambda b, p: ratio(med(p, "server_cpu_us_per_msg"), med(b, "server_cpu_us_per_msg")))
    add("rate:p99", "p99 latency @rate", "rate",
        lambda b, p: ratio(med(p, "p99_us"), med(b, "p99_us")))
    for sc in THROUGHPUT:
        add(f"{sc}:syscalls", f"syscalls/msg {sc}", sc,
            lambda b, p: ratio(p.get("syscalls_per_msg"), b.get("syscalls_per_msg")))
    add("idle:memory", "RSS/idle conn", "idle",
        lambda b, p: ratio(med(p, "rss_kib_per_conn"), med(b, "rss_kib_per_conn"), MEM_FLOOR_KIB))
    return {"baseline": baseline, "peers": peers, "metrics": metrics}


def fmt(v, digits=None):
    if v is None:
        return "–"
    if digits is not None:
        return f"{v:.{digits}f}"
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:.1f}k"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(s, digits=None):
    if not s:
        return "–"
    if s["n"] == 1 or s["min"] == s["max"]:
        return fmt(s["median"], digits)
    return f"{fmt(s['median'], digits)} ({fmt(s['min'], digits)}–{fmt(s['max'], digits)})"


def render_paired_md(paired, lines):
    base, peers = paired["baseline"], paired["peers"]
    lines.append("## Head-to-head (simultaneous) ratios\n")
    lines.append(f"{base} and one peer at a time serve at the same time, both pinned to the "
                 "server CPU, each driven by its own weft-load started together "
                 f"({paired['duration_s']} s windows after {paired['warmup_s']} s warmup, "
                 f"{paired['reps']} rep(s), "
                 + ("alternating which starts first" if paired["reps"] > 1 else
                    f"{base} started first") + "). Both see the same "
                 "machine, so these ratios hold still while absolute figures drift.\n")
    if not peers:
        lines.append("_No head-to-head run._\n")
        return
    lines.append("| scenario | " + " | ".join(peers) + " |")
    lines.append("|---|" + "---:|" * len(peers))
    notes = []
    for sc, row in paired["scenarios"].items():
        cells = []
        for p in peers:
            v = row.get(p)
            if not v:
                cells.append("–")
                continue
            text = cell(v["cpu_ratio"], 3)
            if v["msgs_ratio"]:
                text += f"; msgs/s {fmt(v['msgs_ratio']['median'], 3)}"
            if v["failed"]:
                text += f"; **{v['failed']}/{v['reps']} failed**"
                notes += [f"- {sc} {p}: {f}" for f in v["failures"]]
            share = med(v, "base_cpu_share")
            if share is not None and not FAIR_SHARE[0] <= share <= FAIR_SHARE[1]:
                text += " †"
                notes.append(f"- † {sc} {p}: {base} got {share:.0%} of the CPU the two servers "
                             "used, not about half: the two did not run under equal conditions "
                             "(the msgs/s ratio shows how the CPU was split, not speed).")
            cells.append(text)
        lines.append(f"| {sc} | " + " | ".join(cells) + " |")
    lines.append(f"\nCells: server CPU per message peer/{base}, median (min–max) over the "
                 f"repetitions; then msgs/s {base}/peer (median). > 1 means {base} wins. A run "
                 "counts only if both weft-loads exited cleanly with 0 errors.\n")
    if notes:
        lines += notes + [""]


def render_instr_md(instr, lines):
    base, scs = instr["baseline"], list(instr["scenarios"])
    lines.append("## Instructions per message (callgrind)\n")
    lines.append("Each server under `valgrind --tool=callgrind`, driven by weft-load for "
                 f"{instr['duration_s']} s (no warmup): (Ir loaded − Ir with no load) / messages "
                 "echoed. User-space instructions only (the server and its libraries, not the "
                 f"kernel); repeatable whatever the machine is doing. Ratio: peer/{base}, > 1 "
                 f"means {base} executes fewer instructions.\n")
    lines.append("| server | " + " | ".join(f"{sc} instr/msg | ratio" for sc in scs) + " |")
    lines.append("|---|" + "---:|---:|" * len(scs))
    notes = []
    for s in instr["servers"]:
        cells = []
        for sc in scs:
            v = instr["scenarios"][sc].get(s)
            if not v:
                cells += ["–", "–"]
                continue
            if v["failure"]:
                notes.append(f"- {s} {sc}: {v['failure']}")
            elif v["errors"]:
                notes.append(f"- {s} {sc}: weft-load saw {v['errors']} error(s)")
            cells += [fmt(v["instr_per_msg"]), fmt(v["ratio"], 2)]
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    lines.append("")
    for s, why in instr["skipped"].items():
        notes.append(f"- {s}: not measured: {why}")
    if notes:
        lines += notes + [""]


def render_md(doc):
    meta, lines = doc["meta"], []
    base = doc["ratios"]["baseline"]
    lines.append(f"# weft echo benchmark ({meta['date']})\n")
    lines.append(f"{meta['host']}, {meta['cpus']} CPUs ({meta['cpu_model']}); "
                 f"pinning: {meta['pinning']}; {meta['reps']} rep(s) interleaved, "
                 f"{meta['duration_s']} s windows after {meta['warmup_s']} s warmup; "
                 f"server threads: {meta['threads']}. Versions: "
                 + ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v) + ".\n")
    if doc["scenarios"]:
        lines.append("Cells: median over repetitions (min–max). CPU = server utime+stime over "
                     "the window per echoed message. Syscalls: one separate run per server "
                     f"({meta['syscall_method']}).\n")
    busy = max(meta.get("busy_before_pct", 0), meta.get("busy_after_pct", 0))
    if busy > 10:
        lines.append(f"**Warning:** the machine was {busy}% busy with other work around the run "
                     "(before/after: "
                     f"{meta['busy_before_pct']}%/{meta['busy_after_pct']}%); figures are noisy.\n")
    for s, why in doc["skipped"].items():
        lines.append(f"- skipped **{s}**: {why}")
    if doc["skipped"]:
        lines.append("")

    if doc.get("paired"):
        render_paired_md(doc["paired"], lines)
    if doc.get("instr"):
        render_instr_md(doc["instr"], lines)
    if not doc["scenarios"]:
        return "\n".join(lines)

    lines.append(f"## {base} vs peers, sequential runs (ratio > 1 means {base} wins)\n")
    metrics = doc["ratios"]["metrics"]
    peers = doc["ratios"]["peers"]
    if metrics:
        lines.append("| metric | " + " | ".join(peers) + " |")
        lines.append("|---|" + "---:|" * len(peers))
        for m in metrics:
            lines.append(f"| {m['label']} | " +
                         " | ".join(fmt(m["values"].get(p), 2) for p in peers) + " |")
        lines.append("\nmsgs/s: " + base + "/peer; CPU/msg, p99, syscalls/msg, RSS: peer/" + base +
                     f" (RSS deltas below {MEM_FLOOR_KIB} KiB count as {MEM_FLOOR_KIB}). "
                     "Each server ran on its own, one after another: the machine's drift between "
                     "runs is in these ratios" +
                     (" (the head-to-head table above is not)" if doc.get("paired") else "") +
                     ".\n")
    else:
        lines.append(f"_{base} was not measured: no ratios._\n")

    for key, sc in doc["scenarios"].items():
        title = meta["titles"].get(key, key)
        servers = sc["servers"]
        if key == "idle":
            req = next((v["requested"] for v in servers.values() if v["requested"]), "?")
            lines.append(f"## {title}: {req} connections held {meta['idle_hold_s']} s\n")
            lines.append("| server | established | server RSS KiB/conn | errors |")
            lines.append("|---|---:|---:|---:|")
            for s, v in servers.items():
                lines.append(f"| {s} | {cell(v['established'])} | "
                             f"{cell(v['rss_kib_per_conn'], 2)} | {errors_cell(v)} |")
            lines.append("")
            continue
        extra = f" at {fmt(meta['rate'])} msgs/s" if key == "rate" else ""
        lines.append(f"## {title}{extra}\n")
        lines.append("| server | msgs/s | MB/s | p50 µs | p99 µs | p99.9 µs | server CPU µs/msg "
                     "| syscalls/msg | errors |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s, v in servers.items():
            lines.append(f"| {s} | {cell(v['msgs_per_s'])} | {cell(v['mb_per_s'])} | "
                         f"{cell(v['p50_us'])} | {cell(v['p99_us'])} | {cell(v['p999_us'])} | "
                         f"{cell(v['server_cpu_us_per_msg'], 2)} | "
                         f"{fmt(v.get('syscalls_per_msg'), 2)} | {errors_cell(v)} |")
        lines.append("")
    return "\n".join(lines)


def cmd_render(argv):
    runs_path, meta_path, out_dir = argv[:3]
    runs = read_runs(runs_path)
    with open(meta_path) as f:
        meta = json.load(f)
    skipped, order = {}, []
    for r in runs:
        if r["kind"] == "skip":
            skipped[r["server"]] = r["reason"]
        elif r["kind"] == "pair":
            order += [s for s in (r["baseline"], r["server"]) if s not in order]
        elif r["kind"] != "instr_skip" and r["server"] not in order:
            order.append(r["server"])
    scenarios = {}
    for sc in meta["scenarios"]:
        servers = {}
        for s in order:
            results = [r.get("result") for r in runs
                       if r["kind"] in ("load", "idle") and r["server"] == s
                       and r["scenario"] == sc and r["rep"] >= 1]
            if not results:
                continue
            if sc == "idle":
                servers[s] = idle_summary(results)
            else:
                sys_run = next((r for r in runs if r["kind"] == "syscalls" and r["server"] == s
                                and r["scenario"] == sc), None)
                servers[s] = load_summary(results, sys_run)
        scenarios[sc] = {"title": meta["titles"].get(sc, sc), "servers": servers}
    measured = [s for s in order if s not in skipped]
    paired, instr = build_paired(runs, meta), build_instr(runs, meta)
    doc = {"meta": meta, "servers": measured, "skipped": skipped, "scenarios": scenarios,
           "ratios": build_ratios(scenarios, meta["baseline"], measured),
           "paired": paired, "instr": instr}
    doc["ratios"]["headline"] = build_headline(paired, instr)
    with open(f"{out_dir}/latest.json", "w") as f:
        json.dump(doc, f, indent=1)
    md = render_md(doc)
    with open(f"{out_dir}/latest.md", "w") as f:
        f.write(md + "\n")
    print(md)


def cmd_check(argv):
    """Exit 1 if the baseline had integrity errors (wrong, lost, duplicated bytes,
    dropped connections, failed runs). Echoes over --response-timeout only warn:
    on a loaded machine loopback retransmission back-off alone can cause them."""
    with open(argv[0]) as f:
        doc = json.load(f)
    baseline = argv[argv.index("--baseline") + 1] if "--baseline" in argv else "weft"
    integrity = set()
    for key, sc in doc["scenarios"].items():
        for s, v in sc["servers"].items():
            if v["errors"]:
                print(f"warning: {s} had errors in {key}: {errors_cell(v)}", file=sys.stderr)
            if v["errors"] - v.get("timeouts", 0) > 0:
                integrity.add(s)
    for key, row in ((doc.get("paired") or {}).get("scenarios") or {}).items():
        for p, v in row.items():
            for f in v["failures"]:
                print(f"warning: head-to-head {key} {baseline} vs {p} failed, {f}",
                      file=sys.stderr)
            if v["base_integrity_errors"]:
                integrity.add(baseline)
    return 1 if baseline in integrity else 0


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("rate", "render", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    return {"rate": cmd_rate, "render": cmd_render, "check": cmd_check}[sys.argv[1]](sys.argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main())
