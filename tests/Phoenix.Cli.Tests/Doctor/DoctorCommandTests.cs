using System.Net;
using System.Net.Sockets;
using Phoenix.Cli.Tests.Support;
using Phoenix.Testing;

namespace Phoenix.Cli.Tests.Doctor;

/// <summary><c>phoenix doctor</c> on this machine (root, bubblewrap installed by test.sh), with problems made on purpose.</summary>
public sealed class DoctorCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("phoenix-doctor-").FullName;

    [Fact]
    public async Task Doctor_HealthyMachine_PassesTheSandboxChecksForReal()
    {
        var result = await PhoenixCli.RunInProcessAsync("doctor", "--data-dir", _dir, "--port", FreePorts.Next().ToString(), "--executor-port", FreePorts.Next().ToString(), "--executor-metrics-port", FreePorts.Next().ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("✓ bubblewrap", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("✓ sandbox start: bubblewrap starts as uid 61000", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("All checks passed.", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_PortInUseAndOpenDataDir_FailsEachWithItsFix()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var busy = ((IPEndPoint)listener.LocalEndpoint).Port;
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_111_111);
        var devKey = Path.Combine(_dir, "dev-api-key");
        await File.WriteAllTextAsync(devKey, "phx_x");
        File.SetUnixFileMode(devKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = await PhoenixCli.RunInProcessAsync("doctor", "--data-dir", _dir, "--port", busy.ToString(), "--executor-port", FreePorts.Next().ToString(), "--executor-metrics-port", FreePorts.Next().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"✗ port {busy} (port): in use", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"fix: ss -ltnp 'sport = :{busy}'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"fix: chmod 700 '{_dir}'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"fix: chmod 600 '{devKey}'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 of ", result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
