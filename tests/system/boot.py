#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# System-test harness: boots the kernel in QEMU or Bochs, bounded in time, checks the serial log.
"""Boots one scenario and asserts on the serial log and on the emulator's verdict.

Patterns given with --expect must all appear in the log, in the given order; patterns
given with --reject must not appear at all. The log of every run is kept in --logdir;
a failing run prints where it is and its last lines.

QEMU reports the verdict in its exit status (isa-debug-exit). Bochs exits with status 1
whatever the verdict, so under Bochs the last "exit: pass" or "exit: fail" line of the log,
printed by the kernel or the root task just before its shutdown, stands for 33 or 35.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import mkiso  # noqa: E402

# isa-debug-exit: the kernel writes 0x10 (pass) or 0x11 (fail); QEMU exits with (v << 1) | 1.
EXIT_PASS, EXIT_FAIL = 33, 35
DEFAULT_CPU = {"qemu": "EPYC", "bochs": "corei7_skylake_x"}
# The Debian packages each emulator needs (scripts/common.sh installs them).
PACKAGES = {"qemu": "qemu-system-x86", "bochs": "bochs bochsbios vgabios"}

# The ROMs from Debian's bochsbios and vgabios packages.
BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
BOCHS_VGABIOS = "/usr/share/vgabios/vgabios.bin"
# Guest instructions per emulated second: the guest's TSC runs at this rate (clock sync=none).
BOCHS_IPS = 50_000_000
# Bochs's exit status after the guest wrote "Shutdown" to port 0x8900 (and after its panics).
BOCHS_SHUTDOWN_STATUS = 1
BOCHS_SHUTDOWN_MESSAGE = "Shutdown port: shutdown requested"  # in its log, as a panic


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--name", required=True)
    p.add_argument("--loader", choices=["iso", "kernel"], default="iso")
    p.add_argument("--kernel", required=True, help="ELF64 for iso, ELF32 for kernel")
    p.add_argument("--cmdline", default="")
    p.add_argument("--module", action="append", default=[], metavar="PATH[=CMDLINE]")
    p.add_argument("--emulator", choices=["qemu", "bochs"], default="qemu")
    p.add_argument("--cpu", help="QEMU -cpu model (default EPYC) or Bochs cpu model "
                   "(default corei7_skylake_x)")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--memory", default="256M")
    p.add_argument("--qemu-arg", action="append", default=[])
    p.add_argument("--bochs-line", action="append", default=[], help="extra bochsrc line")
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--exit", type=int, default=EXIT_PASS, dest="want_exit",
                   help="QEMU's exit status: 33 pass, 35 fail (Bochs: its exit: line)")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--logdir", default=".")
    a = p.parse_args()
    if a.emulator == "bochs" and a.loader != "iso":
        p.error("Bochs has no multiboot loader: use --loader iso")
    a.cpu = a.cpu or DEFAULT_CPU[a.emulator]
    return a


def split_module(spec):
    path, _, args = spec.partition("=")
    return path, args or os.path.basename(path)


def memory_mib(size):
    m = re.fullmatch(r"([0-9]+)([MG]?)", size.upper())
    if not m:
        sys.exit(f"boot.py: bad --memory {size!r}")
    return int(m.group(1)) << (10 if m.group(2) == "G" else 0)


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


def bochs_command(a, tmp, log, bochs_log):
    """Writes the bochsrc and the debugger's start-up commands into tmp."""
    for rom in (BOCHS_BIOS, BOCHS_VGABIOS):
        if not os.path.exists(rom):
            sys.exit(f"FAIL {a.name}: {rom} missing; install {PACKAGES['bochs']}")
    iso = os.path.join(tmp, "boot.iso")
    mkiso.make_iso(iso, a.kernel, a.cmdline, [split_module(m) for m in a.module])
    rc = [
        f"cpu: model={a.cpu}, count={a.smp}, ips={BOCHS_IPS}, reset_on_triple_fault=0",
        f"memory: guest={memory_mib(a.memory)}, host={memory_mib(a.memory)}",
        f"romimage: file={BOCHS_BIOS}, options=fastboot",
        f"vgaromimage: file={BOCHS_VGABIOS}",
        f"ata0-master: type=cdrom, path={iso}, status=inserted",
        "boot: cdrom",
        f"com1: enabled=1, mode=file, dev={log}",
        # Headless: the RFB server never waits for a viewer and takes the next free port.
        'display_library: rfb, options="timeout=0"',
        "sound: driver=dummy",
        "speaker: enabled=0",
        # Emulated time follows the instruction count: fast, and the same on a busy machine.
        "clock: sync=none, time0=local",
        f"log: {bochs_log}",
        "panic: action=fatal",
        "error: action=report",
        "info: action=report",
        "debug: action=ignore",
    ] + a.bochs_line
    rcfile = os.path.join(tmp, "bochsrc")
    with open(rcfile, "w") as f:
        f.write("\n".join(rc) + "\n")
    cmds = os.path.join(tmp, "cmds")
    with open(cmds, "w") as f:
        f.write("c\n")  # the built-in debugger starts stopped: continue
    return ["bochs", "-q", "-f", rcfile, "-rc", cmds]


def run_bounded(cmd, cwd, timeout):
    """Runs cmd in a process group of its own, killed whole at the timeout.

    Returns (exit status or None after a timeout, its output)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace",
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
        return None, out


def bochs_verdict(status, text, bochs_log):
    """Maps a finished Bochs run to QEMU's exit status by the log's last "exit:" line.

    None unless the guest ended Bochs through port 0x8900 (a Bochs panic, such as a triple
    fault, also exits with status 1)."""
    verdicts = re.findall(r"^exit: (pass|fail)\s*$", text, re.M)
    if status != BOCHS_SHUTDOWN_STATUS or not verdicts or not os.path.exists(bochs_log):
        return None
    with open(bochs_log, errors="replace") as f:
        if BOCHS_SHUTDOWN_MESSAGE not in f.read():
            return None
    return EXIT_PASS if verdicts[-1] == "pass" else EXIT_FAIL


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


def bochs_problems(path, n):
    """The last n error and panic lines of a Bochs log (its level letter e or p)."""
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return [line for line in f.read().splitlines() if re.match(r"[0-9]+[ep]\[", line)][-n:]


def main():
    a = parse_args()
    os.makedirs(a.logdir, exist_ok=True)
    log = os.path.join(a.logdir, a.name + ".log")
    bochs_log = os.path.join(a.logdir, a.name + ".bochs.log")
    for path in (log, bochs_log):
        if os.path.exists(path):
            os.unlink(path)
    emu = "QEMU" if a.emulator == "qemu" else "Bochs"
    with tempfile.TemporaryDirectory(prefix="nova-test-") as tmp:
        if a.emulator == "qemu":
            cmd = qemu_command(a, tmp, log)
        else:
            cmd = bochs_command(a, tmp, log, bochs_log)
        start = time.monotonic()
        try:
            # Bochs in the temporary directory, where it may leave files; paths are absolute.
            cwd = tmp if a.emulator == "bochs" else None
            status, emu_out = run_bounded(cmd, cwd, a.timeout)
        except FileNotFoundError:
            print(f"FAIL {a.name}: {cmd[0]} not found; install {PACKAGES[a.emulator]}")
            return 1
        elapsed = time.monotonic() - start
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    problems = check_log(text, a.expect, a.reject)
    if status is None:
        problems.append(f"{emu} did not exit within {a.timeout:.0f} s")
    elif a.emulator == "bochs":
        verdict = bochs_verdict(status, text, bochs_log)
        if verdict is None:
            problems.append(f"Bochs exit status {status} without an \"exit: pass|fail\" line "
                            "and the shutdown port: it stopped for another reason (see its log)")
        elif verdict != a.want_exit:
            problems.append(f"verdict \"exit: {'pass' if verdict == EXIT_PASS else 'fail'}\" "
                            f"({verdict}), expected {a.want_exit}")
    elif status != a.want_exit:
        problems.append(f"QEMU exit status {status}, expected {a.want_exit}")
    if problems:
        print(f"FAIL {a.name} ({elapsed:.1f} s): " + "; ".join(problems))
        print("command: " + " ".join(cmd))
        if emu_out.strip():
            print(f"{emu} said:\n" + "\n".join(emu_out.strip().splitlines()[-20:]))
        if a.emulator == "bochs":
            print(f"Bochs log kept in {bochs_log}; its last errors and panics:")
            print("\n".join(bochs_problems(bochs_log, 10)))
        print(f"serial log kept in {log}; its last lines:")
        print("\n".join(text.splitlines()[-40:]))
        return 1
    print(f"PASS {a.name} ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
