using System.Globalization;
using System.Text.RegularExpressions;
using Phoenix.Executor.Sandbox.Seccomp;

namespace Phoenix.Executor.Tests.Sandbox.Seccomp;

// Integration with the real bubblewrap: the filter is loaded by the kernel and raw syscalls are
// made from Debian's /usr/bin/python3 through ctypes.
public sealed partial class SeccompFilterTests
{
    private const string Python = "/usr/bin/python3";
    private const int SigsysExitCode = 128 + 31;
    private const int EpermErrno = 1;
    private const int EnosysErrno = 38;
    private const int EafnosupportErrno = 97;

    // s(nr, *args) makes a raw syscall with every int widened to a long and returns (result, errno).
    // A raw clone that succeeds returns 0 in a forked copy of the interpreter: that copy exits at once.
    private const string PythonPrelude = """
        import ctypes, os, sys
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        PID = os.getpid()
        def s(nr, *args):
            ctypes.set_errno(0)
            r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
            e = ctypes.get_errno()
            if os.getpid() != PID:
                os._exit(0)
            return r, e
        def buf(n):
            return ctypes.create_string_buffer(n)
        """;

    private static readonly Regex ResultLine = new(@"^RESULT (-?\d+) (\d+)$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>
    /// Case, syscall, Python call ("{nr}" is replaced by the syscall number), expected errno, and
    /// whether the same call without the filter gives a different result (some syscalls are
    /// refused with EPERM by the kernel anyway, because the sandbox has no capabilities).
    /// </summary>
    public static TheoryData<string, string, string, int, bool> DeniedCalls => new()
    {
        { "ptrace TRACEME", "ptrace", "s({nr}, 0, 0, 0, 0)", EpermErrno, true },
        { "process_vm_readv self", "process_vm_readv", "s({nr}, os.getpid(), 0, 0, 0, 0, 0)", EpermErrno, true },
        { "process_vm_writev self", "process_vm_writev", "s({nr}, os.getpid(), 0, 0, 0, 0, 0)", EpermErrno, true },
        { "pidfd_getfd", "pidfd_getfd", "s({nr}, -1, 0, 0)", EpermErrno, true },
        { "keyctl session keyring", "keyctl", "s({nr}, 0, -3, 1)", EpermErrno, true },
        { "add_key", "add_key", "s({nr}, b'user', b'phoenix', b'v', 1, -2)", EpermErrno, true },
        { "request_key", "request_key", "s({nr}, b'user', b'phoenix-missing', 0, 0)", EpermErrno, true },
        { "io_uring_setup", "io_uring_setup", "s({nr}, 4, buf(120))", EpermErrno, true },
        { "io_uring_enter", "io_uring_enter", "s({nr}, -1, 0, 0, 0, 0, 0)", EpermErrno, true },
        { "io_uring_register", "io_uring_register", "s({nr}, -1, 0, 0, 0)", EpermErrno, true },
        { "bpf", "bpf", "s({nr}, 0, 0, 0)", EpermErrno, true },
        { "userfaultfd user mode", "userfaultfd", "s({nr}, 1)", EpermErrno, true },
        { "perf_event_open", "perf_event_open", "s({nr}, 0, 0, -1, -1, 0)", EpermErrno, true },
        { "mount", "mount", "s({nr}, 0, 0, 0, 0, 0)", EpermErrno, true },
        { "umount2", "umount2", "s({nr}, 0, 0)", EpermErrno, true },
        { "pivot_root", "pivot_root", "s({nr}, b'/tmp', b'/tmp')", EpermErrno, false },
        { "open_tree", "open_tree", "s({nr}, -100, b'/', 0)", EpermErrno, true },
        { "fsopen", "fsopen", "s({nr}, b'tmpfs', 0)", EpermErrno, false },
        { "unshare user", "unshare", "s({nr}, 0x10000000)", EpermErrno, true },
        { "setns", "setns", "s({nr}, -1, 0)", EpermErrno, true },
        { "kexec_load", "kexec_load", "s({nr}, 0, 0, 0, 0)", EpermErrno, true },
        { "init_module", "init_module", "s({nr}, 0, 0, b'')", EpermErrno, true },
        { "reboot bad magic", "reboot", "s({nr}, 0, 0, 0, 0)", EpermErrno, false },
        { "syslog size", "syslog", "s({nr}, 10, 0, 0)", EpermErrno, false },
        { "name_to_handle_at", "name_to_handle_at", "s({nr}, -100, b'/', buf(136), buf(4), 0)", EpermErrno, true },
        { "personality no ASLR", "personality", "s({nr}, 0x0040000)", EpermErrno, true },
        { "iopl", "iopl", "s({nr}, 3)", EpermErrno, true },
        { "settimeofday null", "settimeofday", "s({nr}, 0, 0)", EpermErrno, false },
        { "adjtimex read", "adjtimex", "s({nr}, buf(208))", EpermErrno, true },
        { "process_madvise", "process_madvise", "s({nr}, -1, 0, 0, 0, 0)", EpermErrno, true },
        { "fsconfig", "fsconfig", "s({nr}, -1, 0, 0, 0, 0)", EpermErrno, true },
        { "fsmount", "fsmount", "s({nr}, -1, 0, 0)", EpermErrno, false },
        { "fspick", "fspick", "s({nr}, -100, b'/', 0)", EpermErrno, false },
        { "move_mount", "move_mount", "s({nr}, -1, b'', -1, b'', 0)", EpermErrno, false },
        { "mount_setattr", "mount_setattr", "s({nr}, -1, b'', 0, 0, 0)", EpermErrno, true },
        { "kexec_file_load", "kexec_file_load", "s({nr}, -1, -1, 0, 0, 0)", EpermErrno, true },
        { "finit_module", "finit_module", "s({nr}, -1, b'', 0)", EpermErrno, true },
        { "delete_module", "delete_module", "s({nr}, b'nonexistent', 0)", EpermErrno, true },
        { "acct", "acct", "s({nr}, 0)", EpermErrno, false },
        { "swapon", "swapon", "s({nr}, 0, 0)", EpermErrno, false },
        { "swapoff", "swapoff", "s({nr}, 0)", EpermErrno, false },
        { "quotactl", "quotactl", "s({nr}, 0, 0, 0, 0)", EpermErrno, true },
        { "quotactl_fd", "quotactl_fd", "s({nr}, -1, 0, 0, 0)", EpermErrno, true },
        { "open_by_handle_at", "open_by_handle_at", "s({nr}, -1, 0, 0)", EpermErrno, true },
        { "lookup_dcookie", "lookup_dcookie", "s({nr}, 0, 0, 0)", EpermErrno, true },
        { "ioperm", "ioperm", "s({nr}, 0, 1, 1)", EpermErrno, true },
        { "vhangup", "vhangup", "s({nr})", EpermErrno, false },
        { "uselib", "uselib", "s({nr}, 0)", EpermErrno, true },
        { "nfsservctl", "nfsservctl", "s({nr}, 0, 0, 0)", EpermErrno, true },
        { "clock_settime", "clock_settime", "s({nr}, 0, 0)", EpermErrno, true },
        { "clock_adjtime read", "clock_adjtime", "s({nr}, 0, buf(208))", EpermErrno, true },
        { "ioctl TIOCSTI", "ioctl", "s({nr}, os.pipe()[0], 0x5412, b'x')", EpermErrno, true },
        { "ioctl TIOCSTI high bits", "ioctl", "s({nr}, os.pipe()[0], 0x7F00000000005412, b'x')", EpermErrno, true },
        { "ioctl TIOCLINUX", "ioctl", "s({nr}, os.pipe()[0], 0x541C, b'x')", EpermErrno, true },
        { "socket AF_NETLINK", "socket", "s({nr}, 16, 3, 0)", EafnosupportErrno, true },
        { "socket AF_PACKET", "socket", "s({nr}, 17, 3, 0)", EafnosupportErrno, true },
        { "socket AF_VSOCK", "socket", "s({nr}, 40, 1, 0)", EafnosupportErrno, true },
        { "socketpair AF_NETLINK", "socketpair", "s({nr}, 16, 3, 0, buf(8))", EafnosupportErrno, true },
        { "clone CLONE_NEWUSER", "clone", "s({nr}, 0x10000000 | 17, 0, 0, 0, 0)", EpermErrno, true },
        { "clone CLONE_NEWNET", "clone", "s({nr}, 0x40000000 | 17, 0, 0, 0, 0)", EpermErrno, false },
        { "clone3", "clone3", "s({nr}, 0, 0)", EnosysErrno, true },
    };

    // getpid through the x32 ABI (bit 30 of the number). The i386 ABI (int 0x80) cannot be probed on
    // these machines: the kernel answers int 0x80 with SIGSEGV even outside any sandbox (checked with
    // and without the filter), so only the BPF interpreter tests cover the architecture check.
    private const string X32Script = "r = s(0x40000000 | 39); print('survived', r, flush=True)";

    [Fact]
    public void DeniedCalls_Always_ProbeEveryDeniedSyscall()
    {
        var probed = DeniedCalls.Select(row => (string)row[1]).ToHashSet(StringComparer.Ordinal);

        Assert.Subset(probed, SeccompFilter.DeniedSyscallNames.ToHashSet(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DeniedCalls))]
    public async Task Build_DeniedSyscallInsideSandbox_FailsWithExpectedErrno(string @case, string syscall, string call, int errno, bool controlDiffers)
    {
        _ = (@case, controlDiffers);

        var (result, actualErrno) = await RunSyscallAsync(withFilter: true, syscall, call);

        Assert.Equal(-1, result);
        Assert.Equal(errno, actualErrno);
    }

    [Theory]
    [MemberData(nameof(DeniedCalls))]
    public async Task Build_DeniedSyscallWithoutFilter_DoesNotFailTheSameWay(string @case, string syscall, string call, int errno, bool controlDiffers)
    {
        _ = @case;
        if (!controlDiffers)
        {
            return; // The kernel refuses this one without capabilities anyway: nothing to compare.
        }

        var (result, actualErrno) = await RunSyscallAsync(withFilter: false, syscall, call);

        Assert.False(result == -1 && actualErrno == errno, $"without the filter {syscall} also failed with errno {errno}: the test proves nothing");
    }

    [Fact]
    public async Task Build_X32SyscallInsideSandbox_KillsProcessWithSigsys()
    {
        RequireX86_64();

        var run = await sandbox.RunAsync(Python, "-c", PythonPrelude + "\nprint('started', flush=True)\n" + X32Script);

        Assert.Contains("started", run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("survived", run.StandardOutput, StringComparison.Ordinal);
        Assert.True(run.ExitCode == SigsysExitCode, $"expected death by SIGSYS ({SigsysExitCode}); {run}");
    }

    [Fact]
    public async Task Build_X32SyscallWithoutFilter_Survives()
    {
        RequireX86_64();

        var run = await sandbox.RunAsync(withFilter: false, Python, "-c", PythonPrelude + "\n" + X32Script);

        Assert.True(run.StandardOutput.Contains("survived", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public async Task Build_ShellEchoInsideSandbox_Works()
    {
        var run = await sandbox.RunAsync("/bin/sh", "-c", "echo ok");

        AssertSucceeded(run);
        Assert.Equal("ok\n", run.StandardOutput);
    }

    [Fact]
    public async Task Build_PythonSubprocessInsideSandbox_Works()
    {
        var run = await sandbox.RunAsync(
            Python, "-c", "import os,subprocess; print(subprocess.run(['/bin/echo','x'],capture_output=True).stdout)");

        AssertSucceeded(run);
        Assert.Equal("b'x\\n'\n", run.StandardOutput);
    }

    [Fact]
    public async Task Build_LsAndSortInsideSandbox_Work()
    {
        var run = await sandbox.RunAsync("/bin/sh", "-c", "ls / | sort -r | tr '\\n' ' '; printf 'b\\na\\n' | sort | tr '\\n' ' '");

        AssertSucceeded(run);
        Assert.Contains("usr tmp proc", run.StandardOutput, StringComparison.Ordinal);
        Assert.EndsWith("a b ", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ThreadPoolInsideSandbox_Works()
    {
        const string script = """
            from concurrent.futures import ThreadPoolExecutor
            import threading
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = list(pool.map(lambda i: (i * i, threading.get_ident()), range(200)))
            print(sum(r for r, _ in results), len({t for _, t in results}) >= 1)
            """;

        var run = await sandbox.RunAsync(Python, "-c", script);

        AssertSucceeded(run);
        Assert.Equal("2646700 True\n", run.StandardOutput);
    }

    [Fact]
    public async Task Build_TcpSocketInsideSandbox_IsCreatedButCannotConnect()
    {
        const string script = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            print('created', flush=True)
            s.settimeout(5)
            try:
                s.connect(('192.0.2.1', 80))
                print('connected')
            except OSError as e:
                print('connect failed', e.errno)
            """;

        var run = await sandbox.RunAsync(Python, "-c", script);

        AssertSucceeded(run);
        Assert.StartsWith("created\nconnect failed", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_AllowedArgumentsInsideSandbox_Succeed()
    {
        var script = PythonPrelude + "\n" + $$"""
            import socket
            r, e = s({{Nr("personality")}}, 0xffffffff)
            print('personality query', r >= 0, e)
            r, e = s({{Nr("personality")}}, 0)
            print('personality linux', r >= 0, e)
            rd, wr = os.pipe()
            os.write(wr, b'abc')
            n = ctypes.c_int(0)
            r, e = s({{Nr("ioctl")}}, rd, 0x541B, ctypes.byref(n))
            print('FIONREAD', r, n.value)
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            a.sendall(b'hi')
            print('unix', b.recv(2))
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            print('fork', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            """;

        var run = await sandbox.RunAsync(Python, "-c", script);

        AssertSucceeded(run);
        Assert.Equal(
            "personality query True 0\npersonality linux True 0\nFIONREAD 0 3\nunix b'hi'\nfork 7\n",
            run.StandardOutput);
    }

    private async Task<(long Result, int Errno)> RunSyscallAsync(bool withFilter, string syscall, string call)
    {
        var expression = call.Replace("{nr}", Nr(syscall).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var script = PythonPrelude + "\n" + $"r, e = {expression}\nprint(f'RESULT {{r}} {{e}}', flush=True)\n";

        var run = await sandbox.RunAsync(withFilter, Python, "-c", script);

        var match = ResultLine.Match(run.StandardOutput);
        Assert.True(run.ExitCode == 0 && match.Success, $"{syscall}: the probe did not report a result; {run}");
        return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static uint Nr(string syscall) => Nr(SeccompArchitecture.Current, syscall);

    private static void RequireX86_64() =>
        Assert.True(
            SeccompArchitecture.Current == SeccompArchitecture.X86_64,
            "the x32 probe only exists on x86_64");

    private static void AssertSucceeded(SandboxResult run) => Assert.True(run.ExitCode == 0, run.ToString());
}
