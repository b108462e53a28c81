using System.Collections.Immutable;

namespace Phoenix.Executor.Sandbox.Seccomp;

/// <summary>
/// Generates the classic-BPF seccomp program that bubblewrap installs (<c>--seccomp FD</c>)
/// before it executes the command of a run. No libseccomp: the program is assembled here.
/// </summary>
/// <remarks>
/// <para>The program, in order:</para>
/// <list type="number">
/// <item><c>seccomp_data.arch</c> other than the running architecture (e.g. the i386
/// <c>int 0x80</c> ABI on x86_64) → <c>SECCOMP_RET_KILL_PROCESS</c>.</item>
/// <item>x86_64 only: a syscall number with the x32 bit (<c>nr &gt;= 0x40000000</c>, which also
/// covers <c>nr == -1</c>) → <c>SECCOMP_RET_KILL_PROCESS</c>. Killing rather than failing with an
/// errno: nothing legitimate in the sandbox uses the x32 ABI, so reaching it is an escape attempt
/// and the process should not get to try the next trick.</item>
/// <item><c>clone3</c> → <c>ENOSYS</c>: its flags live in memory and cannot be inspected, and
/// <c>ENOSYS</c> makes libc fall back to <c>clone</c> (what Docker and Flatpak do).</item>
/// <item><c>clone</c> with any <c>CLONE_NEW*</c> namespace flag → <c>EPERM</c> (the requirement
/// is <c>CLONE_NEWUSER</c>; the others need capabilities the sandbox does not have anyway, and
/// are refused for consistency with <c>unshare</c>).</item>
/// <item><c>ioctl</c> with request <c>TIOCSTI</c> or <c>TIOCLINUX</c> (terminal input injection)
/// → <c>EPERM</c>.</item>
/// <item><c>socket</c> / <c>socketpair</c> with family <c>AF_NETLINK</c>, <c>AF_PACKET</c> or
/// <c>AF_VSOCK</c> → <c>EAFNOSUPPORT</c>. <c>AF_UNIX</c> and <c>AF_INET*</c> stay allowed: the
/// network namespace has no route out.</item>
/// <item><c>personality</c> with anything but <c>PER_LINUX</c> (0) or the query <c>0xffffffff</c>
/// → <c>EPERM</c> (no <c>ADDR_NO_RANDOMIZE</c>, <c>READ_IMPLIES_EXEC</c>, ...).</item>
/// <item>Every syscall of <see cref="UnconditionallyDeniedSyscallNames"/> → <c>EPERM</c>.</item>
/// <item>Everything else → <c>SECCOMP_RET_ALLOW</c>.</item>
/// </list>
/// <para>Arguments are compared on their low 32 bits only, which is exactly what the kernel reads
/// for these <c>int</c> / <c>unsigned int</c> parameters, so setting high bits cannot bypass a rule.</para>
/// </remarks>
internal static class SeccompFilter
{
    /// <summary><c>SECCOMP_RET_KILL_PROCESS</c>.</summary>
    internal const uint KillProcess = 0x80000000;

    /// <summary><c>SECCOMP_RET_ALLOW</c>.</summary>
    internal const uint Allow = 0x7FFF0000;

    /// <summary><c>SECCOMP_RET_ERRNO</c>; the errno goes in the low 16 bits.</summary>
    internal const uint ErrnoAction = 0x00050000;

    /// <summary><c>EPERM</c>.</summary>
    internal const int Eperm = 1;

    /// <summary><c>ENOSYS</c>.</summary>
    internal const int Enosys = 38;

    /// <summary><c>EAFNOSUPPORT</c>.</summary>
    internal const int Eafnosupport = 97;

    /// <summary>Offset of <c>nr</c> in <c>struct seccomp_data</c>.</summary>
    internal const uint NrOffset = 0;

    /// <summary>Offset of <c>arch</c> in <c>struct seccomp_data</c>.</summary>
    internal const uint ArchOffset = 4;

    /// <summary>The largest program the kernel accepts (<c>BPF_MAXINSNS</c>).</summary>
    internal const int MaxInstructions = 4096;

    private const uint Tiocsti = 0x5412;
    private const uint Tioclinux = 0x541C;
    private const uint AfNetlink = 16;
    private const uint AfPacket = 17;
    private const uint AfVsock = 40;
    private const uint PerLinux = 0;
    private const uint PersonalityQuery = 0xFFFFFFFF;

    /// <summary>CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.</summary>
    private const uint CloneNamespaceFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    private const string KillLabel = "kill";
    private const string AllowLabel = "allow";
    private const string EpermLabel = "eperm";
    private const string EnosysLabel = "enosys";
    private const string EafnosupportLabel = "eafnosupport";
    private const string IoctlLabel = "ioctl";
    private const string SocketLabel = "socket";
    private const string CloneLabel = "clone";
    private const string PersonalityLabel = "personality";

    /// <summary>
    /// Syscalls refused whatever their arguments: with <c>EPERM</c>, except <c>clone3</c> which
    /// gets <c>ENOSYS</c>. Names that do not exist on an architecture (iopl on aarch64) are skipped there.
    /// </summary>
    internal static ImmutableArray<string> UnconditionallyDeniedSyscallNames { get; } =
    [
        // Inspecting or writing other processes.
        "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "process_madvise",
        // Kernel keyrings.
        "keyctl", "add_key", "request_key",
        // Large, bug-prone kernel attack surface.
        "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "userfaultfd", "perf_event_open",
        // Mounts and namespaces.
        "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
        "fspick", "mount_setattr", "unshare", "setns",
        // Kernel, modules and the machine.
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "acct",
        "swapon", "swapoff", "reboot", "syslog", "quotactl", "quotactl_fd", "lookup_dcookie",
        "iopl", "ioperm", "vhangup", "uselib", "nfsservctl",
        // File handles bypass path-based checks.
        "name_to_handle_at", "open_by_handle_at",
        // The clock.
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        // Flags in memory, cannot be inspected: ENOSYS so that libc falls back to clone.
        "clone3",
    ];

    /// <summary>Syscalls refused only for some arguments (see the remarks of <see cref="SeccompFilter"/>).</summary>
    internal static ImmutableArray<string> RestrictedSyscallNames { get; } =
        ["ioctl", "socket", "socketpair", "clone", "personality"];

    /// <summary>
    /// Every syscall the filter can refuse, sorted, for documentation and logs: the unconditional
    /// denials plus <see cref="RestrictedSyscallNames"/>, which are refused only for some arguments.
    /// </summary>
    public static IReadOnlyList<string> DeniedSyscallNames { get; } =
        [.. UnconditionallyDeniedSyscallNames.Concat(RestrictedSyscallNames).Order(StringComparer.Ordinal)];

    /// <summary>Builds the program for the architecture of the running process.</summary>
    /// <returns>The raw <c>struct sock_filter</c> array, 8 little-endian bytes per instruction.</returns>
    /// <exception cref="PlatformNotSupportedException">The process is not x86_64 or aarch64 Linux.</exception>
    public static byte[] Build() => Build(SeccompArchitecture.Current);

    /// <summary>Builds the program for <paramref name="architecture"/>.</summary>
    internal static byte[] Build(SeccompArchitecture architecture)
    {
        var program = Assemble(architecture);
        var bytes = new byte[program.Length * BpfInstruction.Size];
        for (var i = 0; i < program.Length; i++)
        {
            program[i].WriteTo(bytes.AsSpan(i * BpfInstruction.Size, BpfInstruction.Size));
        }

        return bytes;
    }

    /// <summary>
    /// Writes the program for the running architecture to <paramref name="path"/> with mode 0600,
    /// replacing any existing file (and resetting its mode).
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process is not x86_64 or aarch64 Linux.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The seccomp filter exists only on Linux.");
        }

        var bytes = Build();
        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = ownerReadWrite,
        });

        // UnixCreateMode only applies to a new file: an existing one keeps its mode otherwise.
        File.SetUnixFileMode(stream.SafeFileHandle, ownerReadWrite);
        stream.Write(bytes);
    }

    /// <summary>Assembles the program for <paramref name="architecture"/> as instructions.</summary>
    internal static BpfInstruction[] Assemble(SeccompArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var asm = new BpfAssembler();

        // 1. Wrong ABI (i386 on x86_64, AArch32 on aarch64): kill.
        asm.LoadWord(ArchOffset)
           .JumpIfEqual(architecture.AuditArch, ifTrue: null, ifFalse: KillLabel)
           .LoadWord(NrOffset);

        // 2. x32 ABI: kill.
        if (architecture.X32SyscallBit is { } x32Bit)
        {
            asm.JumpIfGreaterOrEqual(x32Bit, KillLabel);
        }

        // 3. Syscalls whose arguments decide.
        JumpIfSyscall(asm, architecture, "ioctl", IoctlLabel);
        JumpIfSyscall(asm, architecture, "socket", SocketLabel);
        JumpIfSyscall(asm, architecture, "socketpair", SocketLabel);
        JumpIfSyscall(asm, architecture, "clone", CloneLabel);
        JumpIfSyscall(asm, architecture, "personality", PersonalityLabel);
        JumpIfSyscall(asm, architecture, "clone3", EnosysLabel);

        // 4. Syscalls refused whatever the arguments.
        foreach (var name in UnconditionallyDeniedSyscallNames)
        {
            if (name != "clone3" && architecture.TryGetSyscallNumber(name, out var nr))
            {
                asm.JumpIfEqual(nr, EpermLabel);
            }
        }

        asm.Return(Allow);

        // ioctl(fd, request, ...): request is an unsigned int.
        asm.Label(IoctlLabel)
           .LoadWord(ArgumentLowWord(1))
           .JumpIfEqual(Tiocsti, EpermLabel)
           .JumpIfEqual(Tioclinux, EpermLabel)
           .Return(Allow);

        // socket(domain, ...) and socketpair(domain, ...): domain is an int.
        asm.Label(SocketLabel)
           .LoadWord(ArgumentLowWord(0))
           .JumpIfEqual(AfNetlink, EafnosupportLabel)
           .JumpIfEqual(AfPacket, EafnosupportLabel)
           .JumpIfEqual(AfVsock, EafnosupportLabel)
           .Return(Allow);

        // clone(flags, ...): all CLONE_NEW* flags are in the low word.
        asm.Label(CloneLabel)
           .LoadWord(ArgumentLowWord(0))
           .JumpIfAnySet(CloneNamespaceFlags, EpermLabel)
           .Return(Allow);

        // personality(persona): persona is an unsigned int.
        asm.Label(PersonalityLabel)
           .LoadWord(ArgumentLowWord(0))
           .JumpIfEqual(PerLinux, AllowLabel)
           .JumpIfEqual(PersonalityQuery, AllowLabel)
           .Return(Errno(Eperm));

        asm.Label(KillLabel).Return(KillProcess);
        asm.Label(EpermLabel).Return(Errno(Eperm));
        asm.Label(EafnosupportLabel).Return(Errno(Eafnosupport));
        asm.Label(EnosysLabel).Return(Errno(Enosys));
        asm.Label(AllowLabel).Return(Allow);

        var program = asm.Assemble();
        if (program.Length > MaxInstructions)
        {
            throw new InvalidOperationException(
                $"The seccomp program has {program.Length} instructions; the kernel accepts at most {MaxInstructions}.");
        }

        return program;
    }

    /// <summary>The seccomp action that fails the syscall with <paramref name="errno"/>.</summary>
    internal static uint Errno(int errno) => ErrnoAction | ((uint)errno & 0xFFFF);

    /// <summary>Offset of the low 32 bits of <c>seccomp_data.args[index]</c> (little-endian).</summary>
    internal static uint ArgumentLowWord(int index) => 16 + (8 * (uint)index);

    private static void JumpIfSyscall(BpfAssembler asm, SeccompArchitecture architecture, string name, string label)
    {
        if (architecture.TryGetSyscallNumber(name, out var nr))
        {
            asm.JumpIfEqual(nr, label);
        }
    }
}
