using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Phoenix.Executor.Sandbox.Seccomp;

namespace Phoenix.Executor.Tests.Sandbox.Seccomp;

[SupportedOSPlatform("linux")]
public sealed partial class SeccompFilterTests(SeccompSandboxFixture sandbox) : IClassFixture<SeccompSandboxFixture>
{
    private const uint AuditArchI386 = 0x40000003;
    private const uint AuditArchArm = 0x40000028;
    private const uint Allow = 0x7FFF0000;
    private const uint KillProcess = 0x80000000;
    private const uint Eperm = 0x00050000 | 1;
    private const uint Enosys = 0x00050000 | 38;
    private const uint Eafnosupport = 0x00050000 | 97;

    private static readonly string[] RequiredDeniedNames =
    [
        "ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key",
        "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "userfaultfd", "mount", "umount2",
        "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
        "unshare", "setns", "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module",
        "delete_module", "acct", "swapon", "swapoff", "reboot", "syslog", "quotactl", "name_to_handle_at",
        "open_by_handle_at", "lookup_dcookie", "personality", "iopl", "ioperm", "vhangup", "uselib", "nfsservctl",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "ioctl", "socket", "socketpair", "clone", "clone3",
    ];

    public static TheoryData<string> Architectures => ["x86_64", "aarch64"];

    [Fact]
    public void Build_OnX86_64_IsWholeInstructionsAndUnderKernelLimit()
    {
        var bytes = SeccompFilter.Build(SeccompArchitecture.X86_64);

        Assert.Equal(0, bytes.Length % BpfInstruction.Size);
        Assert.InRange(bytes.Length / BpfInstruction.Size, 10, 4096);
    }

    [Fact]
    public void Build_RunningArchitecture_MatchesItsTable()
    {
        var expected = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => SeccompArchitecture.X86_64,
            Architecture.Arm64 => SeccompArchitecture.Aarch64,
            _ => null,
        };

        if (expected is null)
        {
            Assert.Throws<PlatformNotSupportedException>(SeccompFilter.Build);
        }
        else
        {
            Assert.Equal(SeccompFilter.Build(expected), SeccompFilter.Build());
        }
    }

    [Fact]
    public void Build_OnX86_64_ChecksArchitectureThenX32First()
    {
        var program = Decode(SeccompFilter.Build(SeccompArchitecture.X86_64));

        Assert.Equal(new BpfInstruction(BpfInstruction.LoadWordAbsolute, 0, 0, 4), program[0]);
        Assert.Equal(BpfInstruction.JumpIfEqual, program[1].Code);
        Assert.Equal(0xC000003Eu, program[1].K);
        Assert.Equal(0, program[1].JumpTrue);
        Assert.Equal(new BpfInstruction(BpfInstruction.ReturnConstant, 0, 0, KillProcess), program[2 + program[1].JumpFalse]);
        Assert.Equal(new BpfInstruction(BpfInstruction.LoadWordAbsolute, 0, 0, 0), program[2]);
        Assert.Equal(BpfInstruction.JumpIfGreaterOrEqual, program[3].Code);
        Assert.Equal(0x40000000u, program[3].K);
        Assert.Equal(new BpfInstruction(BpfInstruction.ReturnConstant, 0, 0, KillProcess), program[4 + program[3].JumpTrue]);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Build_DecodedBytes_AreValidSeccompInstructions(string architecture)
    {
        var program = Decode(SeccompFilter.Build(Arch(architecture)));

        ushort[] allowed =
        [
            BpfInstruction.LoadWordAbsolute, BpfInstruction.JumpIfEqual, BpfInstruction.JumpIfGreaterOrEqual,
            BpfInstruction.JumpIfAnySet, BpfInstruction.ReturnConstant,
        ];
        for (var pc = 0; pc < program.Length; pc++)
        {
            var insn = program[pc];
            Assert.Contains(insn.Code, allowed);
            switch (insn.Code)
            {
                case BpfInstruction.LoadWordAbsolute:
                    Assert.True(insn.K % 4 == 0 && insn.K <= 60, $"load of offset {insn.K} at {pc}");
                    break;
                case BpfInstruction.ReturnConstant:
                    Assert.True(insn.K is Allow or KillProcess or Eperm or Enosys or Eafnosupport, $"return 0x{insn.K:X8} at {pc}");
                    break;
                default:
                    Assert.True(pc + 1 + insn.JumpTrue < program.Length, $"jt out of the program at {pc}");
                    Assert.True(pc + 1 + insn.JumpFalse < program.Length, $"jf out of the program at {pc}");
                    break;
            }
        }

        Assert.Equal(BpfInstruction.ReturnConstant, program[^1].Code);
    }

    [Fact]
    public void DeniedSyscallNames_Always_ContainsRequiredNames()
    {
        foreach (var name in RequiredDeniedNames)
        {
            Assert.Contains(name, SeccompFilter.DeniedSyscallNames);
        }

        Assert.DoesNotContain("pkey_alloc", SeccompFilter.DeniedSyscallNames);
        Assert.Equal(SeccompFilter.DeniedSyscallNames.Distinct().Count(), SeccompFilter.DeniedSyscallNames.Count);
    }

    [Fact]
    public void X86_64_EveryNamedSyscall_HasANumber()
    {
        foreach (var name in SeccompFilter.DeniedSyscallNames)
        {
            Assert.True(SeccompArchitecture.X86_64.TryGetSyscallNumber(name, out _), name);
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Assemble_UnconditionallyDeniedSyscall_ReturnsEpermOrEnosysForClone3(string architecture)
    {
        var arch = Arch(architecture);
        var program = SeccompFilter.Assemble(arch);

        foreach (var name in SeccompFilter.UnconditionallyDeniedSyscallNames)
        {
            if (arch.TryGetSyscallNumber(name, out var nr))
            {
                var expected = name == "clone3" ? Enosys : Eperm;
                Assert.True(expected == BpfInterpreter.Run(program, arch.AuditArch, nr), name);
            }
        }
    }

    [Theory]
    [InlineData("x86_64", 0u)] // read
    [InlineData("x86_64", 39u)] // getpid
    [InlineData("x86_64", 59u)] // execve
    [InlineData("x86_64", 330u)] // pkey_alloc
    [InlineData("aarch64", 63u)] // read
    [InlineData("aarch64", 172u)] // getpid
    [InlineData("aarch64", 221u)] // execve
    public void Assemble_OrdinarySyscall_IsAllowed(string architecture, uint nr)
    {
        var arch = Arch(architecture);

        Assert.Equal(Allow, BpfInterpreter.Run(SeccompFilter.Assemble(arch), arch.AuditArch, nr));
    }

    [Theory]
    [InlineData("x86_64", AuditArchI386)]
    [InlineData("x86_64", 0xC00000B7u)]
    [InlineData("aarch64", AuditArchArm)]
    [InlineData("aarch64", 0xC000003Eu)]
    public void Assemble_ForeignArchitecture_KillsProcess(string architecture, uint auditArch)
    {
        Assert.Equal(KillProcess, BpfInterpreter.Run(SeccompFilter.Assemble(Arch(architecture)), auditArch, 20));
    }

    [Theory]
    [InlineData(0x40000000u | 39)]
    [InlineData(0x40000000u | 101)]
    [InlineData(0xFFFFFFFFu)]
    public void Assemble_X32SyscallOnX86_64_KillsProcess(uint nr)
    {
        var arch = SeccompArchitecture.X86_64;

        Assert.Equal(KillProcess, BpfInterpreter.Run(SeccompFilter.Assemble(arch), arch.AuditArch, nr));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Assemble_ArgumentRules_DecideOnLowWordOfArguments(string architecture)
    {
        var arch = Arch(architecture);
        var program = SeccompFilter.Assemble(arch);
        uint Run(string name, params ulong[] args) => BpfInterpreter.Run(program, arch.AuditArch, Nr(arch, name), args);

        Assert.Equal(Eperm, Run("ioctl", 0, 0x5412));
        Assert.Equal(Eperm, Run("ioctl", 0, 0x541C));
        Assert.Equal(Eperm, Run("ioctl", 0, 0xFFFFFFFF_00005412));
        Assert.Equal(Allow, Run("ioctl", 0, 0x541B)); // FIONREAD
        Assert.Equal(Allow, Run("ioctl", 0x5412, 0x5401)); // TCGETS, fd equal to TIOCSTI

        foreach (var name in new[] { "socket", "socketpair" })
        {
            Assert.Equal(Eafnosupport, Run(name, 16, 3));
            Assert.Equal(Eafnosupport, Run(name, 17, 3));
            Assert.Equal(Eafnosupport, Run(name, 40, 1));
            Assert.Equal(Eafnosupport, Run(name, 0xFFFFFFFF_00000010, 3));
            Assert.Equal(Allow, Run(name, 1, 1)); // AF_UNIX
            Assert.Equal(Allow, Run(name, 2, 1)); // AF_INET
            Assert.Equal(Allow, Run(name, 10, 1)); // AF_INET6
        }

        Assert.Equal(Eperm, Run("clone", 0x10000000 | 17));
        Assert.Equal(Eperm, Run("clone", 0x40000000 | 17)); // CLONE_NEWNET
        Assert.Equal(Eperm, Run("clone", 0x00020000 | 17)); // CLONE_NEWNS
        Assert.Equal(Allow, Run("clone", 0x01200011)); // fork: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
        Assert.Equal(Allow, Run("clone", 0x003D0F00)); // pthread_create

        Assert.Equal(Allow, Run("personality", 0));
        Assert.Equal(Allow, Run("personality", 0xFFFFFFFF));
        Assert.Equal(Eperm, Run("personality", 0x0040000)); // ADDR_NO_RANDOMIZE
        Assert.Equal(Eperm, Run("personality", 0x0400000)); // READ_IMPLIES_EXEC

        Assert.Equal(Enosys, Run("clone3", 0, 88));
    }

    [Fact]
    public void WriteTo_ExistingWorldReadableFile_ReplacesItWithMode0600()
    {
        var directory = Directory.CreateTempSubdirectory("phoenix-seccomp-write-");
        try
        {
            var path = Path.Combine(directory.FullName, "filter.bpf");
            File.WriteAllBytes(path, new byte[100_000]);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            SeccompFilter.WriteTo(path);

            Assert.Equal(SeccompFilter.Build(), File.ReadAllBytes(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void WriteTo_NewFile_HasMode0600()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sandbox.FilterPath));
        Assert.Equal(SeccompFilter.Build(), File.ReadAllBytes(sandbox.FilterPath));
    }

    private static BpfInstruction[] Decode(byte[] bytes)
    {
        var program = new BpfInstruction[bytes.Length / BpfInstruction.Size];
        for (var i = 0; i < program.Length; i++)
        {
            program[i] = BpfInstruction.ReadFrom(bytes.AsSpan(i * BpfInstruction.Size));
        }

        return program;
    }

    private static SeccompArchitecture Arch(string name) => name switch
    {
        "x86_64" => SeccompArchitecture.X86_64,
        "aarch64" => SeccompArchitecture.Aarch64,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static uint Nr(SeccompArchitecture arch, string name) =>
        arch.TryGetSyscallNumber(name, out var nr) ? nr : throw new ArgumentException($"{name} has no number on {arch.Name}", nameof(name));
}
