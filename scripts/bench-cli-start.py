"""How fast `hayon-cli` starts: wall time from spawn to exit and peak memory of `hayon-cli --version`
and of `hayon-cli compose analyze` on a short text, against `/bin/true` in the same run. Runs are
interleaved (one of each per round) so that a busy machine slows every command alike.

Peak memory is the maximum resident set that GNU time reports for the command, in runs of their own:
Linux keeps a process's peak across exec, so a child spawned straight from this Python process
would report Python's own size. Usage: bench-cli-start.py HAYON_CLI [ROUNDS]"""

import os
import statistics
import sys
import tempfile
import time

CLI = sys.argv[1]
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
TEXT = "Hello from Hayon! A short post with a link https://example.com/a and #rust @alice.test\n"
TARGET_MS, TARGET_MIB = 15.0, 20.0


def run(argv, stdin_path):
    """One run: (wall ms, exit status)."""
    stdin = os.open(stdin_path, os.O_RDONLY)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        started = time.perf_counter_ns()
        pid = os.posix_spawn(
            argv[0], argv, os.environ,
            file_actions=[(os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, devnull, 1)],
        )
        _, status = os.waitpid(pid, 0)
        wall = (time.perf_counter_ns() - started) / 1e6
    finally:
        os.close(stdin)
        os.close(devnull)
    return wall, os.waitstatus_to_exitcode(status)


def peak_mib(argv, stdin_path):
    """The command's maximum resident set in MiB, as GNU time measures it."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        wall, code = run(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], stdin_path)
        if code != 0:
            sys.exit(f"{' '.join(argv)} exited with status {code}")
        return int(report.read().split()[-1]) / 1024


def main():
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as text:
        text.write(TEXT)
    commands = {
        "/bin/true": ["/bin/true"],
        "hayon-cli --version": [CLI, "--version"],
        "hayon-cli compose analyze": [CLI, "--json", "compose", "analyze"],
    }
    walls = {name: [] for name in commands}
    peaks = {name: 0.0 for name in commands}
    for round_ in range(ROUNDS + 5):
        for name, argv in commands.items():
            wall, code = run(argv, text.name)
            if code != 0:
                sys.exit(f"{name} exited with status {code}")
            if round_ >= 5:  # the first rounds warm the page cache
                walls[name].append(wall)
    for _ in range(10):
        for name, argv in commands.items():
            peaks[name] = max(peaks[name], peak_mib(argv, text.name))
    os.unlink(text.name)

    base = statistics.median(walls["/bin/true"])
    print(f"{ROUNDS} interleaved rounds after 5 warm-up rounds; wall = spawn to exit;")
    print("peak = the largest maximum resident set of 10 runs under GNU time")
    print(f"{'command':28} {'median ms':>10} {'p90 ms':>8} {'ratio':>7} {'peak MiB':>9}  target")
    failed = False
    for name in commands:
        median = statistics.median(walls[name])
        p90 = statistics.quantiles(walls[name], n=10)[-1]
        verdict = ""
        if name != "/bin/true":
            ok = median <= TARGET_MS and peaks[name] <= TARGET_MIB
            failed |= not ok
            verdict = f"≤ {TARGET_MS:g} ms, ≤ {TARGET_MIB:g} MiB {'✅' if ok else '❌'}"
        print(f"{name:28} {median:10.2f} {p90:8.2f} {median / base:6.1f}× {peaks[name]:9.1f}  {verdict}")
    sys.exit(1 if failed else 0)


main()
