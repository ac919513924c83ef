#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks of scheduling and interrupts (scenario bench5): semaphore wake-ups, IRQ to user.
#
# To be merged into scripts/bench, which this checkout does not have yet. QEMU runs with
# -icount shift=0,sleep=off, so the guest's TSC counts instructions and the figures do not
# depend on the host. Only the "bench: NAME N instructions" lines go to stdout.
source "$(dirname "$0")/common.sh"

TIMEOUT=${BENCH_TIMEOUT:-120}
KERNEL=$BUILD/hypervisor/hypervisor.elf32
ROOT=$BUILD/roottask/roottask.elf

install_packages >&2
configure_and_build >&2
[ -f "$KERNEL" ] && [ -f "$ROOT" ] || die "$KERNEL or $ROOT was not built"

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
status=0
timeout "$TIMEOUT" qemu-system-x86_64 -machine pc -cpu EPYC -smp 2 -m 256M \
    -icount shift=0,sleep=off -display none -vga none -no-reboot -monitor none \
    -serial "file:$LOG" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$KERNEL" -append exit=qemu \
    -initrd "$ROOT roottask.elf test=bench5 exit=qemu" </dev/null >&2 || status=$?

# What was measured goes out even if a later figure failed; isa-debug-exit 33 is the root
# task's PASS, 124 is timeout's own verdict.
grep '^bench: ' "$LOG" | tr -d '\r' || true
if [ "$status" -ne 33 ]; then
    tail -n 20 "$LOG" >&2
    [ "$status" -eq 124 ] && die "bench5 did not finish within $TIMEOUT s"
    die "bench5 failed (QEMU exit status $status)"
fi
