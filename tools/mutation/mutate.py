#!/usr/bin/env python3
"""Mutation testing of the safety core (daemon/supervisor/): does every rule have a test that
fails when the rule is broken?

Each mutant is one small change to one line — a flipped comparison, && <-> ||, min <-> max, a
changed constant, true <-> false, a deleted statement. For each, the supervisor sources are
rebuilt in a scratch copy of the tree and the supervisor tests run; a mutant the tests do not
notice "survives". Prints the kill rate and every survivor (file:line, the change), and writes
them as JSON. No Debian package does this for C++; this script is ours.

Usage: tools/mutation/mutate.py [--jobs N] [--max N] [--file daemon/supervisor/X.cpp] [--out FILE]
                                [--survivors EARLIER_OUT]   (re-test only an earlier run's survivors)
Takes minutes to an hour (each mutant is a compile, a link and a test run); run it by hand.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = ["daemon/supervisor/supervisor.cpp", "daemon/supervisor/supervisor_commands.cpp",
           "daemon/supervisor/fault_monitor.cpp", "daemon/supervisor/ramp.cpp"]
# The tests that guard the core: scenario, property, controller and adversarial tests.
TEST_BINARIES = ["tests/treadd_unit_tests", "tests/treadd_adversarial_unit_tests"]
TEST_FILTER = "Supervisor*:Bounds*:SpeedCap*:Ramp*:Start*:Direction*:Session*:Pause*:EStop*:Fault*:Presence*:Lock*:Roles*:Program*:Controller*:Adversarial*"

OPERATORS = [
    (r" < ", " <= "), (r" <= ", " < "), (r" > ", " >= "), (r" >= ", " > "),
    (r" == ", " != "), (r" != ", " == "), (r" && ", " || "), (r" \|\| ", " && "),
    (r"std::min\(", "std::max("), (r"std::max\(", "std::min("),
    (r"\btrue\b", "false"), (r"\bfalse\b", "true"),
    (r" \+ ", " - "), (r" - ", " + "), (r" \* ", " / "), (r" / ", " * "),
]
# Comments, preprocessor lines, capacity hints (reserve) and text buffer sizes, whose change no
# behaviour can show.
SKIP_LINE = re.compile(r'^\s*(//|#|\*)|^\s*$|static_assert|namespace|^\s*(case|default)\b|"[^"]*$|reserve\(|char buf\[')
STATEMENT = re.compile(r"^\s+(?!return\b|const\b|auto\b|double\b|int\b|bool\b|std::|Profile\b|Session\b|"
                       r"Reply\b|Status\b|Millis\b|MotionReference\b|char\b|using\b|if\b|else\b|for\b|while\b|"
                       r"switch\b|case\b|default\b|break\b|\}|\{)[A-Za-z_][\w.\->\[\]]*(\s*[-+]?=|\+\+|--|\()[^;]*;\s*$")
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+|\d+)(?![\w.])")


def strip_strings(line):
    """Positions inside string literals are not mutated."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: " " * len(m.group(0)), line)


def mutants_of(path, text):
    out = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if SKIP_LINE.search(line):
            continue
        code = strip_strings(line)
        if "//" in code:
            code = code[: code.index("//")]
        for pattern, repl in OPERATORS:
            for m in re.finditer(pattern, code):
                if pattern in (r" < ", r" > ") and ("template" in code or "<<" in code):
                    continue
                mutated = line[: m.start()] + repl + line[m.end():]
                out.append((path, i, mutated, f"{m.group(0).strip()} -> {repl.strip()}"))
        for m in NUMBER.finditer(code):
            value = m.group(0)
            repl = "1" if value == "0" else ("0" if value == "1" else
                   (str(float(value) * 2) if "." in value else str(int(value) + 1)))
            out.append((path, i, line[: m.start()] + repl + line[m.end():], f"constant {value} -> {repl}"))
        if STATEMENT.match(code):
            out.append((path, i, re.sub(r"\S.*", "/* deleted */", line, count=1), "statement deleted"))
    return out


def run(cmd, cwd, timeout):
    try:
        return subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--max", type=int, default=0, help="at most this many mutants (evenly sampled)")
    ap.add_argument("--file", action="append", help="only this source (repeatable)")
    ap.add_argument("--out", default="mutation-results.json")
    ap.add_argument("--survivors", help="re-run only the survivors listed in this earlier --out file")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="treadd-mutation-")
    src = os.path.join(work, "src")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build*", ".git"))
    build = os.path.join(work, "build")
    print(f"mutation: building a baseline in {build}", flush=True)
    # Ninja (when there) checks a rebuild in milliseconds where make walks the whole tree; no
    # optimisation and no debug info: each mutant is one fast compile and two links.
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    if run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=None", "-DTREADD_WERROR=OFF",
            "-DCMAKE_CXX_FLAGS=-O0 -g0"] + generator, src, 600) != 0:
        sys.exit("mutation: cmake failed")
    targets = ["--target"] + [os.path.basename(b) for b in TEST_BINARIES]
    if run(["cmake", "--build", build, "-j", str(args.jobs)] + targets, src, 1800) != 0:
        sys.exit("mutation: the baseline does not build")

    def tests_pass():
        for b in TEST_BINARIES:
            if run([os.path.join(build, b), f"--gtest_filter={TEST_FILTER}"], build, 120) != 0:
                return False
        return True

    if not tests_pass():
        sys.exit("mutation: the baseline tests fail; fix them first")

    mutants = []
    for rel in args.file or SOURCES:
        with open(os.path.join(src, rel)) as f:
            mutants += mutants_of(rel, f.read())
    if args.survivors:
        # Matched by the line's text (lines move as code changes), by number for older files.
        with open(args.survivors) as f:
            earlier = json.load(f)["survivors"]
        by_text = {(x["file"], x["original"], x["change"]) for x in earlier if "original" in x}
        by_line = {(x["file"], x["line"], x["change"]) for x in earlier if "original" not in x}
        sources = {rel: open(os.path.join(src, rel)).read().split("\n") for rel in {m[0] for m in mutants}}
        mutants = [m for m in mutants
                   if (m[0], sources[m[0]][m[1]].strip(), m[3]) in by_text or (m[0], m[1] + 1, m[3]) in by_line]
    if args.max and len(mutants) > args.max:
        step = len(mutants) / args.max
        mutants = [mutants[int(i * step)] for i in range(args.max)]
    print(f"mutation: {len(mutants)} mutants of {', '.join(args.file or SOURCES)}", flush=True)

    killed, survivors, not_built = 0, [], 0
    started = time.time()
    for n, (rel, line_no, mutated, what) in enumerate(mutants, 1):
        path = os.path.join(src, rel)
        with open(path) as f:
            original = f.read()
        lines = original.split("\n")
        lines[line_no] = mutated
        with open(path, "w") as f:
            f.write("\n".join(lines))
        try:
            if run(["cmake", "--build", build, "-j", str(args.jobs)] + targets, src, 600) != 0:
                not_built += 1  # the compiler caught it: not a test's merit, not counted
                status = "not built"
            elif tests_pass():
                survivors.append({"file": rel, "line": line_no + 1, "change": what, "code": mutated.strip(),
                                  "original": original.split("\n")[line_no].strip()})
                status = "SURVIVED"
            else:
                killed += 1
                status = "killed"
        finally:
            with open(path, "w") as f:
                f.write(original)
            os.utime(path)
        print(f"[{n}/{len(mutants)}] {status:9} {rel}:{line_no + 1}: {what}", flush=True)

    counted = killed + len(survivors)
    rate = 100.0 * killed / counted if counted else 0.0
    result = {"mutants": len(mutants), "not_built": not_built, "killed": killed, "survived": len(survivors),
              "kill_rate_percent": round(rate, 1), "minutes": round((time.time() - started) / 60, 1),
              "survivors": survivors}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"\nmutation: killed {killed} of {counted} built mutants = {rate:.1f} % "
          f"({not_built} did not compile); survivors:")
    for s in survivors:
        print(f"  {s['file']}:{s['line']}: {s['change']}: {s['code']}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
