#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Mutation testing of the safety core: does every rule have a test that fails when the rule is
broken?

What is mutated and what must notice it are read from the build, not kept by hand here (a list
kept here went stale when ramp.cpp moved to core/ and the scenario tests moved binary):
- the sources: every .cpp of every pure library (the targets treadd_pure_library makes, known
  by their <name>_purity check) — today core/ and daemon/supervisor/;
- the tests: the programs tests/CMakeLists.txt declares with treadd_mutation_tests() beside
  their targets (build/mutation-tests.json): every in-process test program that links the core
  and runs in seconds — not the end-to-end ones, which start programs a mutant of one library
  does not rebuild, or twin drives in real time. Each program runs whole, no filter.

Each mutant is one small change to one line — a flipped comparison, && <-> ||, min <-> max, a
changed constant, true <-> false, a deleted statement. For each, the test programs are rebuilt in
a scratch copy of the tree and run fastest first until one fails; a mutant none of them notices
"survives". Prints the kill rate and every survivor (file:line, the change), and writes them as
JSON. No Debian package does this for C++; this script is ours.

Usage: tools/mutation/mutate.py [--jobs N] [--max N] [--file core/X.cpp] [--out FILE]
                                [--survivors EARLIER_OUT]   (re-test only an earlier run's survivors)
                                [--min-kill-rate PCT]       (exit 1 below it: CI runs a sample)
The whole core takes about an hour (each mutant is a compile, links and test runs); CI runs an
even sample.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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


def pure_core_from_build(build):
    """(sources, programs) read from the configured build: the pure libraries' .cpp files (relative
    to the tree, from CMake's file API) and the test programs declared for mutation testing by
    treadd_mutation_tests() in tests/CMakeLists.txt, each {target, argv}."""
    reply = os.path.join(build, ".cmake", "api", "v1", "reply")
    with open(sorted(glob.glob(os.path.join(reply, "index-*.json")))[-1]) as f:
        index = json.load(f)
    codemodel = next(o for o in index["objects"] if o["kind"] == "codemodel")
    with open(os.path.join(reply, codemodel["jsonFile"])) as f:
        configuration = json.load(f)["configurations"][0]
    targets = {}
    for t in configuration["targets"]:
        with open(os.path.join(reply, t["jsonFile"])) as f:
            targets[t["id"]] = json.load(f)
    names = {t["name"] for t in targets.values()}
    pure = {i for i, t in targets.items() if t["type"] == "STATIC_LIBRARY" and t["name"] + "_purity" in names}
    sources = sorted({s["path"] for i in pure for s in targets[i]["sources"] if s["path"].endswith(".cpp")})

    with open(os.path.join(build, "mutation-tests.json")) as f:  # declared in tests/CMakeLists.txt
        programs = json.load(f)
    return sources, programs


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
    ap.add_argument("--min-kill-rate", type=float, default=0.0, help="exit 1 when fewer are killed (percent)")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="treadd-mutation-")
    src = os.path.join(work, "src")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build*", ".git"))
    build = os.path.join(work, "build")
    print(f"mutation: building a baseline in {build}", flush=True)
    # Ninja (when there) checks a rebuild in milliseconds where make walks the whole tree; no
    # optimisation and no debug info: each mutant is one fast compile and two links.
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    query = os.path.join(build, ".cmake", "api", "v1", "query")
    os.makedirs(query)
    open(os.path.join(query, "codemodel-v2"), "w").close()  # ask CMake's file API for the targets
    if run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=None", "-DTREADD_WERROR=OFF",
            "-DCMAKE_CXX_FLAGS=-O0 -g0"] + generator, src, 600) != 0:
        sys.exit("mutation: cmake failed")

    def build_target(target):
        return run(["cmake", "--build", build, "-j", str(args.jobs), "--target", target], src, 1800) == 0

    sources, programs = pure_core_from_build(build)
    if not sources or not programs:
        sys.exit(f"mutation: the build names no pure sources ({len(sources)}) or no in-process tests of them")

    for p in programs:
        if not build_target(p["target"]):
            sys.exit(f"mutation: the baseline does not build {p['target']}")
        started = time.time()
        if run(p["argv"], build, 600) != 0:
            sys.exit(f"mutation: the baseline tests fail in {p['target']}; fix them first")
        p["seconds"] = time.time() - started
    programs.sort(key=lambda p: p["seconds"])  # the fastest first: most mutants die there
    print("mutation: tests " + ", ".join(f"{p['target']} ({p['seconds']:.1f} s)" for p in programs), flush=True)

    def noticed():
        """Killed when a program fails, hangs (10x its baseline) or a mutant stops it building
        only after another built — None when none notices; 'not built' when the first cannot build."""
        for i, p in enumerate(programs):
            if not build_target(p["target"]):
                return "not built" if i == 0 else "killed"
            if run(p["argv"], build, 10 * p["seconds"] + 10) != 0:
                return "killed"
        return None

    mutants = []
    for rel in args.file or sources:
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
    print(f"mutation: {len(mutants)} mutants of {', '.join(args.file or sources)}", flush=True)

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
            status = noticed() or "SURVIVED"
            if status == "not built":
                not_built += 1  # the compiler caught it: not a test's merit, not counted
            elif status == "SURVIVED":
                survivors.append({"file": rel, "line": line_no + 1, "change": what, "code": mutated.strip(),
                                  "original": original.split("\n")[line_no].strip()})
            else:
                killed += 1
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
    if args.min_kill_rate and (counted == 0 or rate < args.min_kill_rate):
        sys.exit(f"mutation: {rate:.1f} % killed is below the required {args.min_kill_rate:.1f} %")


if __name__ == "__main__":
    main()
