#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds a GRUB BIOS ISO that boots the kernel by multiboot2 with the given modules.
"""usage: mkiso.py OUT.iso KERNEL "KERNEL-CMDLINE" [MODULE "MODULE-CMDLINE"]..."""
import os
import shutil
import subprocess
import sys
import tempfile


def grub_cfg(kernel_args, modules):
    lines = ["set timeout=0", "set default=0", 'menuentry "NOVA-x86" {',
             f"  multiboot2 /boot/hypervisor.elf {kernel_args}".rstrip()]
    for i, (_, args) in enumerate(modules):
        lines.append(f"  module2 /boot/mod{i} {args}".rstrip())
    lines += ["  boot", "}"]
    return "\n".join(lines) + "\n"


def make_iso(out, kernel, kernel_args, modules):
    """modules: list of (path, command line). Raises on failure."""
    with tempfile.TemporaryDirectory(prefix="nova-iso-") as root:
        os.makedirs(os.path.join(root, "boot", "grub"))
        shutil.copy(kernel, os.path.join(root, "boot", "hypervisor.elf"))
        for i, (path, _) in enumerate(modules):
            shutil.copy(path, os.path.join(root, "boot", f"mod{i}"))
        with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(grub_cfg(kernel_args, modules))
        res = subprocess.run(["grub-mkrescue", "-o", out, root],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"grub-mkrescue failed:\n{res.stdout}")


def main(argv):
    if len(argv) < 4 or len(argv) % 2:
        sys.exit(__doc__)
    mods = list(zip(argv[4::2], argv[5::2]))
    try:
        make_iso(argv[1], argv[2], argv[3], mods)
    except (OSError, RuntimeError) as e:
        sys.exit(f"mkiso: {e}")


if __name__ == "__main__":
    main(sys.argv)
