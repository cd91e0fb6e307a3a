#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scrapes Debian's prometheus-node-exporter once, its textfile collector reading DIR, on loopback.

Usage: node_exporter_scrape.py NODE_EXPORTER DIR
Prints the scrape on stdout; exit 0 when it came, 1 when node-exporter never answered (10 s).
The port is one node-exporter could bind, below the ephemeral range; the process is always stopped.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    base = 10000 if low > 11000 else 1024
    for i in range(200):
        port = base + (os.getpid() + i * 37) % (low - base)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit("no free loopback port")


def main():
    binary, textfile_dir = sys.argv[1], sys.argv[2]
    port = free_port()
    exporter = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}",
                                 f"--collector.textfile.directory={textfile_dir}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=3) as reply:
                    sys.stdout.write(reply.read().decode())
                    return 0
            except OSError:
                if exporter.poll() is not None:
                    break
                time.sleep(0.1)
        sys.stderr.write("node-exporter did not answer:\n" + (exporter.stderr.read().decode() if exporter.poll() is not None else ""))
        return 1
    finally:
        exporter.kill()
        exporter.wait()


if __name__ == "__main__":
    sys.exit(main())
