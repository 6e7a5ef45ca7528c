#!/usr/bin/env python3
"""Launch benchmark: Hayon's release app beside a blank Tauri 2 window built the same way, same run.

For each app, alternating, ROUNDS times: time from spawn to the page-loaded marker the app prints on
stderr ("launch-marker: page-loaded N ms"), then, 5 s after launch, the PSS of the app and all its
descendants (WebKitWebProcess, WebKitNetworkProcess) from /proc/PID/smaps_rollup. Prints medians, the
ratios Hayon / blank, and the release binary sizes, as a Markdown table.

Hayon asks WebKitGTK to paint on the CPU (src-tauri/src/rendering.rs); the blank window keeps WebKit's
default. So the blank window also runs a third time per round with CPU painting switched on, and its
memory is reported beside Hayon's too: that row shows what Hayon costs beyond the painting choice.

Run it through scripts/bench.sh, which builds both apps and provides Xvfb and a D-Bus session.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SETTLE_SECONDS = 5.0


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


CPU_PAINTING = {"WEBKIT_SKIA_ENABLE_CPU_RENDERING": "1"}


def launch_once(binary, extra_env=None):
    env = dict(os.environ, **(extra_env or {}))
    env["HAYON_DATA_DIR"] = tempfile.mkdtemp(prefix="hayon-bench-")
    env["HAYON_KEYCHAIN_SERVICE"] = "hayon-bench"
    # The update check a few seconds after start meets a closed loopback port (as offline): nothing
    # leaves the machine while measuring.
    env["HAYON_UPDATE_MANIFEST_URL"] = "http://127.0.0.1:9/latest.json"
    started = time.monotonic()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    painted = None
    for line in process.stderr:
        if line.startswith("launch-marker: page-loaded"):
            painted = time.monotonic() - started
            break
        if time.monotonic() - started > 60:
            break
    if painted is None:
        process.kill()
        sys.exit(f"{binary} never reported its page as loaded")
    time.sleep(max(0.0, SETTLE_SECONDS - (time.monotonic() - started)))
    pss = sum(pss_kib(pid) for pid in descendants(process.pid))
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    return painted, pss


def main():
    hayon, blank = sys.argv[1], sys.argv[2]
    runs = {"hayon": (hayon, None), "blank": (blank, None), "blank-cpu": (blank, CPU_PAINTING)}
    results = {name: [] for name in runs}
    launch_once(blank)  # warm the page cache so neither app pays for a cold disk
    for _ in range(ROUNDS):
        for name in ("blank", "hayon", "blank-cpu"):
            binary, extra_env = runs[name]
            results[name].append(launch_once(binary, extra_env))

    def median(name, index):
        return statistics.median(run[index] for run in results[name])

    rows = [
        ("launch → page loaded (s)", median("blank", 0), median("hayon", 0), "≤ 1.1×"),
        ("PSS 5 s after launch (MiB)", median("blank", 1) / 1024, median("hayon", 1) / 1024, "≤ 1.15×"),
        (
            "PSS, blank also painting on the CPU (MiB)",
            median("blank-cpu", 1) / 1024,
            median("hayon", 1) / 1024,
            "(for comparison)",
        ),
    ]
    print(f"rounds: {ROUNDS} each, alternating; medians")
    print("| measure | blank Tauri 2 | Hayon | ratio | target |")
    print("|---|---|---|---|---|")
    for name, base, ours, target in rows:
        print(f"| {name} | {base:.3f} | {ours:.3f} | {ours / base:.2f}× | {target} |")
    for name, binary in (("Hayon", hayon), ("blank", blank)):
        print(f"release binary {name}: {os.path.getsize(binary) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
