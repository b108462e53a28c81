using System.Collections.Frozen;
using System.Runtime.InteropServices;

namespace Phoenix.Executor.Sandbox.Seccomp;

/// <summary>
/// What the seccomp filter needs to know about one Linux architecture: its <c>AUDIT_ARCH_*</c>
/// value, the x32 syscall bit if it has one, and the numbers of the syscalls the filter names.
/// </summary>
/// <remarks>
/// Numbers are hard-coded from the kernel headers (<c>asm/unistd_64.h</c> for x86_64,
/// <c>asm-generic/unistd.h</c> for aarch64); they are part of the kernel ABI and never change.
/// A syscall missing from an architecture's table does not exist there and needs no rule.
/// </remarks>
internal sealed class SeccompArchitecture
{
    private readonly FrozenDictionary<string, uint> _syscalls;

    private SeccompArchitecture(string name, uint auditArch, uint? x32SyscallBit, IEnumerable<KeyValuePair<string, uint>> syscalls)
    {
        Name = name;
        AuditArch = auditArch;
        X32SyscallBit = x32SyscallBit;
        _syscalls = syscalls.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>x86_64 (<c>AUDIT_ARCH_X86_64</c>), whose x32 ABI sets bit 30 of the syscall number.</summary>
    public static SeccompArchitecture X86_64 { get; } = new("x86_64", 0xC000003E, 0x40000000, new Dictionary<string, uint>
    {
        ["ioctl"] = 16,
        ["socket"] = 41,
        ["socketpair"] = 53,
        ["clone"] = 56,
        ["ptrace"] = 101,
        ["syslog"] = 103,
        ["uselib"] = 134,
        ["personality"] = 135,
        ["vhangup"] = 153,
        ["pivot_root"] = 155,
        ["adjtimex"] = 159,
        ["acct"] = 163,
        ["settimeofday"] = 164,
        ["mount"] = 165,
        ["umount2"] = 166,
        ["swapon"] = 167,
        ["swapoff"] = 168,
        ["reboot"] = 169,
        ["iopl"] = 172,
        ["ioperm"] = 173,
        ["init_module"] = 175,
        ["delete_module"] = 176,
        ["quotactl"] = 179,
        ["nfsservctl"] = 180,
        ["lookup_dcookie"] = 212,
        ["clock_settime"] = 227,
        ["kexec_load"] = 246,
        ["add_key"] = 248,
        ["request_key"] = 249,
        ["keyctl"] = 250,
        ["unshare"] = 272,
        ["perf_event_open"] = 298,
        ["name_to_handle_at"] = 303,
        ["open_by_handle_at"] = 304,
        ["clock_adjtime"] = 305,
        ["setns"] = 308,
        ["process_vm_readv"] = 310,
        ["process_vm_writev"] = 311,
        ["finit_module"] = 313,
        ["kexec_file_load"] = 320,
        ["bpf"] = 321,
        ["userfaultfd"] = 323,
        ["io_uring_setup"] = 425,
        ["io_uring_enter"] = 426,
        ["io_uring_register"] = 427,
        ["open_tree"] = 428,
        ["move_mount"] = 429,
        ["fsopen"] = 430,
        ["fsconfig"] = 431,
        ["fsmount"] = 432,
        ["fspick"] = 433,
        ["clone3"] = 435,
        ["pidfd_getfd"] = 438,
        ["process_madvise"] = 440,
        ["mount_setattr"] = 442,
        ["quotactl_fd"] = 443,
    });

    /// <summary>aarch64 (<c>AUDIT_ARCH_AARCH64</c>); it has no x32-style ABI, and no iopl, ioperm or uselib.</summary>
    public static SeccompArchitecture Aarch64 { get; } = new("aarch64", 0xC00000B7, null, new Dictionary<string, uint>
    {
        ["lookup_dcookie"] = 18,
        ["ioctl"] = 29,
        ["umount2"] = 39,
        ["mount"] = 40,
        ["pivot_root"] = 41,
        ["nfsservctl"] = 42,
        ["vhangup"] = 58,
        ["quotactl"] = 60,
        ["acct"] = 89,
        ["personality"] = 92,
        ["unshare"] = 97,
        ["kexec_load"] = 104,
        ["init_module"] = 105,
        ["delete_module"] = 106,
        ["clock_settime"] = 112,
        ["syslog"] = 116,
        ["ptrace"] = 117,
        ["reboot"] = 142,
        ["settimeofday"] = 170,
        ["adjtimex"] = 171,
        ["socket"] = 198,
        ["socketpair"] = 199,
        ["add_key"] = 217,
        ["request_key"] = 218,
        ["keyctl"] = 219,
        ["clone"] = 220,
        ["swapon"] = 224,
        ["swapoff"] = 225,
        ["perf_event_open"] = 241,
        ["name_to_handle_at"] = 264,
        ["open_by_handle_at"] = 265,
        ["clock_adjtime"] = 266,
        ["setns"] = 268,
        ["process_vm_readv"] = 270,
        ["process_vm_writev"] = 271,
        ["finit_module"] = 273,
        ["bpf"] = 280,
        ["userfaultfd"] = 282,
        ["kexec_file_load"] = 294,
        ["io_uring_setup"] = 425,
        ["io_uring_enter"] = 426,
        ["io_uring_register"] = 427,
        ["open_tree"] = 428,
        ["move_mount"] = 429,
        ["fsopen"] = 430,
        ["fsconfig"] = 431,
        ["fsmount"] = 432,
        ["fspick"] = 433,
        ["clone3"] = 435,
        ["pidfd_getfd"] = 438,
        ["process_madvise"] = 440,
        ["mount_setattr"] = 442,
        ["quotactl_fd"] = 443,
    });

    /// <summary>The architecture's conventional name (<c>uname -m</c>).</summary>
    public string Name { get; }

    /// <summary>The <c>AUDIT_ARCH_*</c> value the kernel puts in <c>seccomp_data.arch</c>.</summary>
    public uint AuditArch { get; }

    /// <summary>The bit that marks a syscall of a secondary ABI sharing this <see cref="AuditArch"/> (x32), or null.</summary>
    public uint? X32SyscallBit { get; }

    /// <summary>Looks up the number of <paramref name="name"/>; false when the syscall does not exist on this architecture.</summary>
    public bool TryGetSyscallNumber(string name, out uint number) => _syscalls.TryGetValue(name, out number);

    /// <summary>The architecture of the running process.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux, not little-endian, or neither x86_64 nor aarch64.</exception>
    public static SeccompArchitecture Current
    {
        get
        {
            if (!OperatingSystem.IsLinux() || !BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException(
                    "The seccomp filter is only built for little-endian Linux (x86_64 or aarch64).");
            }

            return RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => X86_64,
                Architecture.Arm64 => Aarch64,
                var other => throw new PlatformNotSupportedException(
                    $"The seccomp filter supports x86_64 and aarch64 only; this process runs on {other}. " +
                    "Without the filter the sandbox must not start."),
            };
        }
    }
}
