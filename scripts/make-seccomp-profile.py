#!/usr/bin/env python3
"""Writes deploy/seccomp.json, the seccomp profile the Threadline image runs under in Docker.

Docker's default profile refuses the calls that bubblewrap makes to build a run's sandbox
(`clone` with namespace flags, `unshare`, `mount`, `umount2`, `pivot_root`) unless the
container has CAP_SYS_ADMIN, which would be far worse than allowing the calls. This profile
follows the same rule as Docker's (deny by default, then allow by name) and differs where the
sandbox needs it: it allows those namespace calls, which the kernel grants an unprivileged
process only inside a user namespace of its own, where they give no power over the host.

Every system call that the kernel headers of this machine name (x86-64 and the generic table
that arm64 uses), plus those newer than the headers, is allowed, except the ones in DENIED.
A call the profile does not know answers ENOSYS, so that libraries fall back as they do on an
older kernel. Run again after changing DENIED:

    python3 scripts/make-seccomp-profile.py            # needs Debian's linux-libc-dev
"""

import json
import re
import sys
from pathlib import Path

HEADERS = [
    Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
    Path("/usr/include/asm-generic/unistd.h"),
]
# Calls added to Linux after the 6.1 headers of Debian 12 (up to 6.18).
NEWER = [
    "cachestat",
    "fchmodat2",
    "map_shadow_stack",
    "futex_wake",
    "futex_wait",
    "futex_requeue",
    "statmount",
    "listmount",
    "lsm_get_self_attr",
    "lsm_set_self_attr",
    "lsm_list_modules",
    "mseal",
    "setxattrat",
    "getxattrat",
    "listxattrat",
    "removexattrat",
    "open_tree_attr",
    "file_getattr",
    "file_setattr",
    "uretprobe",
]

# What no learner program or web server needs, and what could reach beyond the container.
DENIED = {
    # The kernel itself: modules, kexec, reboot, swap, accounting, clocks of the whole system.
    "init_module finit_module delete_module create_module query_module get_kernel_syms "
    "kexec_load kexec_file_load reboot swapon swapoff acct settimeofday clock_settime "
    "clock_adjtime adjtimex stime syslog vhangup sysfs _sysctl ustat uselib nfsservctl "
    "quotactl quotactl_fd lookup_dcookie": "system-wide state",
    # Hardware and legacy x86 modes.
    "iopl ioperm vm86 vm86old modify_ldt": "direct hardware or legacy modes",
    # The kernel keyring is not namespaced.
    "add_key request_key keyctl": "the keyring is shared with the host",
    # Reading or steering other processes, and kernel instrumentation.
    "ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd perf_event_open bpf "
    "userfaultfd fanotify_init uretprobe": "inspecting other processes or the kernel",
    # File handles bypass the mount namespace (the "shocker" escape).
    "open_by_handle_at name_to_handle_at": "file handles escape the mount namespace",
    # Memory placement of other processes and NUMA policy (Docker: CAP_SYS_NICE only).
    "mbind set_mempolicy move_pages migrate_pages set_mempolicy_home_node": "NUMA placement",
    # io_uring has had many privilege escalations; Docker refuses it too.
    "io_uring_setup io_uring_enter io_uring_register": "io_uring",
    # Joining existing namespaces and the new mount API: bubblewrap needs neither.
    "setns fsopen fsconfig fsmount fspick move_mount open_tree open_tree_attr mount_setattr "
    "statmount listmount": "not needed by the sandbox",
}


def known_calls() -> set[str]:
    names = set(NEWER)
    for header in HEADERS:
        if not header.exists():
            sys.exit(f"error: {header} is missing (Debian package linux-libc-dev)")
        names |= set(re.findall(r"#define __NR(?:3264)?_([a-z0-9_]+)\s", header.read_text()))
    names -= {"syscalls", "arch_specific_syscall"}  # counters in the generic table, not calls
    return names


def profile() -> dict[str, object]:
    denied = {name for group in DENIED for name in group.split()}
    allowed = sorted(known_calls() - denied)
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 38,  # ENOSYS
        "archMap": [
            {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []},
            {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []},
        ],
        "syscalls": [{"names": allowed, "action": "SCMP_ACT_ALLOW"}],
    }


def main() -> None:
    target = Path(__file__).resolve().parent.parent / "deploy" / "seccomp.json"
    target.write_text(json.dumps(profile(), indent=1) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
