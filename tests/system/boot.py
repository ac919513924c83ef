#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# System-test harness: boots the kernel in QEMU, bounded in time, and checks its serial output.
"""Boots one scenario and asserts on the serial log and on QEMU's exit status.

Patterns given with --expect must all appear in the log, in the given order; patterns
given with --reject must not appear at all. The log of every run is kept in --logdir;
a failing run prints where it is and its last lines.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import mkiso  # noqa: E402

# isa-debug-exit: the kernel writes 0x10 (pass) or 0x11 (fail); QEMU exits with (v << 1) | 1.
EXIT_PASS, EXIT_FAIL = 33, 35


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--name", required=True)
    p.add_argument("--loader", choices=["iso", "kernel"], default="iso")
    p.add_argument("--kernel", required=True, help="ELF64 for iso, ELF32 for kernel")
    p.add_argument("--cmdline", default="")
    p.add_argument("--module", action="append", default=[], metavar="PATH[=CMDLINE]")
    p.add_argument("--cpu", default="EPYC")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--memory", default="256M")
    p.add_argument("--qemu-arg", action="append", default=[])
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--exit", type=int, default=EXIT_PASS, dest="want_exit")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--logdir", default=".")
    return p.parse_args()


def split_module(spec):
    path, _, args = spec.partition("=")
    return path, args or os.path.basename(path)


def qemu_command(a, tmp, log):
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-cpu", a.cpu,
           "-smp", str(a.smp), "-m", a.memory, "-display", "none", "-vga", "none",
           "-no-reboot", "-serial", f"file:{log}", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    mods = [split_module(m) for m in a.module]
    if a.loader == "iso":
        iso = os.path.join(tmp, "boot.iso")
        mkiso.make_iso(iso, a.kernel, a.cmdline, mods)
        cmd += ["-cdrom", iso, "-boot", "d"]
    else:
        cmd += ["-kernel", a.kernel, "-append", a.cmdline]
        if mods:
            cmd += ["-initrd", ",".join(f"{p} {args}" for p, args in mods)]
    return cmd + a.qemu_arg


def check_log(text, expects, rejects):
    """Returns a list of problems; empty when the log is as expected."""
    problems, pos = [], 0
    for pat in expects:
        m = re.compile(pat, re.M).search(text, pos)
        if not m:
            where = "anywhere" if not re.search(pat, text, re.M) else "after the previous match"
            problems.append(f"expected /{pat}/ not found {where}")
            continue
        pos = m.end()
    for pat in rejects:
        if re.search(pat, text, re.M):
            problems.append(f"rejected /{pat}/ found")
    return problems


def main():
    a = parse_args()
    os.makedirs(a.logdir, exist_ok=True)
    log = os.path.join(a.logdir, a.name + ".log")
    if os.path.exists(log):
        os.unlink(log)
    with tempfile.TemporaryDirectory(prefix="nova-test-") as tmp:
        cmd = qemu_command(a, tmp, log)
        start = time.monotonic()
        try:
            res = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=a.timeout)
            status, qemu_out = res.returncode, res.stdout
        except subprocess.TimeoutExpired as e:
            status, qemu_out = None, str(e.stdout or "")
        elapsed = time.monotonic() - start
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    problems = check_log(text, a.expect, a.reject)
    if status is None:
        problems.append(f"QEMU did not exit within {a.timeout:.0f} s")
    elif status != a.want_exit:
        problems.append(f"QEMU exit status {status}, expected {a.want_exit}")
    if problems:
        print(f"FAIL {a.name} ({elapsed:.1f} s): " + "; ".join(problems))
        print("command: " + " ".join(cmd))
        if qemu_out.strip():
            print("qemu said:\n" + qemu_out.strip())
        print(f"serial log kept in {log}; its last lines:")
        print("\n".join(text.splitlines()[-40:]))
        return 1
    print(f"PASS {a.name} ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
