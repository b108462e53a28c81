using System.Runtime.Versioning;

namespace Phoenix.Executor.Tests.Sandbox.Seccomp;

/// <summary>What a command run in bubblewrap by <see cref="SeccompSandboxFixture"/> left behind.</summary>
[SupportedOSPlatform("linux")]
internal sealed record SandboxResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() =>
        $"exit code {ExitCode}{Environment.NewLine}stdout: {StandardOutput}{Environment.NewLine}stderr: {StandardError}";
}
