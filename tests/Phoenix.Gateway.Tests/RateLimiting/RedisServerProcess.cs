using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1 and a free port, without persistence, killed on dispose.
/// Missing <c>redis-server</c> fails the test (it is not skipped): <c>apt-get install -y redis-server</c>.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis connection string with short timeouts.</summary>
    public string ConnectionString => Connection(Port);

    /// <summary>A connection string for <paramref name="port"/> with short timeouts.</summary>
    public static string Connection(int port) =>
        string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port},connectTimeout=2000,asyncTimeout=2000,syncTimeout=2000");

    public static async Task<RedisServerProcess> StartAsync()
    {
        var executable = FindExecutable("redis-server") ?? throw new InvalidOperationException(
            "redis-server is not installed, and the Redis rate-limit tests need a real server: run `apt-get install -y redis-server` (test.sh installs it).");
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--loglevel", "warning" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServerProcess(process, port);
        try
        {
            await server.WaitUntilAnsweringAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Kills the server (as a crash would) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"])
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    // Bounded poll: redis needs a moment before it accepts connections.
    private async Task WaitUntilAnsweringAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, deadline.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), deadline.Token);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, deadline.Token);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }
}
