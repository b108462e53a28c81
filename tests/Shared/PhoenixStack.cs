using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Phoenix.Testing;

/// <summary>What to start in a <see cref="PhoenixStack"/>.</summary>
[SupportedOSPlatform("linux")]
public sealed record PhoenixStackOptions
{
    /// <summary>How many executors (each its own process, ports, sandbox root and cgroup parent).</summary>
    public int Executors { get; init; } = 1;

    /// <summary>Extra <c>--key=value</c> arguments for every executor.</summary>
    public IReadOnlyList<string> ExecutorArgs { get; init; } = [];

    /// <summary>Extra <c>--key=value</c> arguments for the gateway.</summary>
    public IReadOnlyList<string> GatewayArgs { get; init; } = [];

    /// <summary>Environment for both services (e.g. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); null removes a variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Rate limit of the generated key (per minute).</summary>
    public int RateLimitPerMinute { get; init; } = 100_000;

    /// <summary>The data directory; a fresh temporary one when null (deleted on dispose).</summary>
    public string? DataDir { get; init; }
}

/// <summary>
/// A real Phoenix: N executor processes and one gateway process on free loopback ports, a temporary data
/// directory with an all-permission API key, everything stopped and removed on dispose.
/// Needs the test project to reference Phoenix.Gateway and Phoenix.Executor (their dlls are copied next to the tests).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PhoenixStack : IAsyncDisposable
{
    private readonly bool _ownsDataDir;
    private readonly List<ExecutorProcess> _executors = [];

    private PhoenixStack(PhoenixStackOptions options, string dataDir, bool ownsDataDir)
    {
        Options = options;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        ApiKey = "phx_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        GatewayPort = FreePorts.Next();
        Http = new HttpClient { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", ApiKey);
    }

    /// <summary>What was started.</summary>
    public PhoenixStackOptions Options { get; }

    /// <summary>The gateway's data directory (keys file, audit database).</summary>
    public string DataDir { get; }

    /// <summary>The keys file the gateway reloads.</summary>
    public string KeysFile => Path.Combine(DataDir, "keys.json");

    /// <summary>The all-permission key (id <c>test</c>).</summary>
    public string ApiKey { get; }

    /// <summary>The gateway's port on 127.0.0.1.</summary>
    public int GatewayPort { get; }

    /// <summary>The gateway's base address.</summary>
    public Uri GatewayUrl => new($"http://127.0.0.1:{GatewayPort}/");

    /// <summary>A client for the gateway with the API key set.</summary>
    public HttpClient Http { get; }

    /// <summary>The gateway process (null once killed and not restarted).</summary>
    public ServiceProcess? Gateway { get; private set; }

    /// <summary>The executors, in configuration order.</summary>
    public IReadOnlyList<ExecutorProcess> Executors => _executors;

    /// <summary>Starts the executors, then the gateway, and waits until the gateway reports every executor serving.</summary>
    public static async Task<PhoenixStack> StartAsync(PhoenixStackOptions? options = null)
    {
        options ??= new PhoenixStackOptions();
        if (!File.Exists("/usr/bin/bwrap"))
        {
            throw new InvalidOperationException("bubblewrap is required: apt-get install -y bubblewrap (./test.sh installs it).");
        }

        var owns = options.DataDir is null;
        var dataDir = options.DataDir ?? Directory.CreateTempSubdirectory("phoenix-stack-").FullName;
        if (owns)
        {
            // The sandbox roots live inside: the sandbox uid must be able to traverse it (not list it).
            File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var stack = new PhoenixStack(options, dataDir, owns);
        try
        {
            stack.WriteKeysFile();
            for (var i = 0; i < options.Executors; i++)
            {
                stack._executors.Add(new ExecutorProcess(i, dataDir, options));
            }

            foreach (var executor in stack._executors)
            {
                await executor.StartAsync();
            }

            await stack.StartGatewayAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the gateway process (again, after <see cref="ServiceProcess.KillAsync"/>) and waits for it to be ready.</summary>
    public async Task StartGatewayAsync()
    {
        var args = new List<string>
        {
            $"--Phoenix:Gateway:Listen=http://127.0.0.1:{GatewayPort}",
            $"--Phoenix:Gateway:DataDir={DataDir}",
        };
        for (var i = 0; i < _executors.Count; i++)
        {
            args.Add($"--Phoenix:Gateway:Forwarding:Executors:{i}:Name={_executors[i].Name}");
            args.Add($"--Phoenix:Gateway:Forwarding:Executors:{i}:Address=http://127.0.0.1:{_executors[i].GrpcPort}");
        }

        args.AddRange(Options.GatewayArgs);
        Gateway = ServiceProcess.StartDll("Phoenix.Gateway.dll", args, Environment("gateway"), "gateway");
        await Gateway.WaitForHttpAsync(new Uri(GatewayUrl, "readyz"), TimeSpan.FromSeconds(60));

        // Only the gateway answers /health with its dependencies: proof that the port is the gateway's, not another
        // listener's that answered /readyz while the gateway failed to bind.
        await Gateway.WaitForHttpAsync(new Uri(GatewayUrl, "health"), TimeSpan.FromSeconds(60), body => body.Contains("\"dependencies\"", StringComparison.Ordinal));
    }

    /// <summary>POSTs a run to <c>/api/v1/execute</c> and returns the response.</summary>
    public Task<HttpResponseMessage> ExecuteAsync(string command, params string[] args) =>
        ExecuteJsonAsync(JsonSerializer.Serialize(new { command, args }));

    /// <summary>POSTs a JSON body to <c>/api/v1/execute</c>.</summary>
    public Task<HttpResponseMessage> ExecuteJsonAsync(string json, CancellationToken cancellationToken = default)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Http.PostAsync("api/v1/execute", content, cancellationToken);
    }

    internal IDictionary<string, string?> Environment(string service)
    {
        var env = new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = service };
        foreach (var (key, value) in Options.Environment)
        {
            env[key] = value;
        }

        return env;
    }

    private void WriteKeysFile()
    {
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)));
        var file = new
        {
            keys = new[]
            {
                new
                {
                    id = "test",
                    name = "Test key",
                    hash,
                    permissions = new[] { "execute", "vitals", "audit", "admin" },
                    rateLimitPerMinute = Options.RateLimitPerMinute,
                },
            },
        };
        File.WriteAllText(KeysFile, JsonSerializer.Serialize(file));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var executor in _executors)
        {
            await executor.DisposeAsync();
        }

        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}

/// <summary>One executor process of a <see cref="PhoenixStack"/>.</summary>
[SupportedOSPlatform("linux")]
public sealed class ExecutorProcess : IAsyncDisposable
{
    private readonly PhoenixStackOptions _options;

    internal ExecutorProcess(int index, string dataDir, PhoenixStackOptions options)
    {
        _options = options;
        Name = $"executor-{index}";
        GrpcPort = FreePorts.Next();
        MetricsPort = FreePorts.Next();
        SandboxRoot = Path.Combine(dataDir, $"sandbox-{index}");
        CgroupParent = $"phoenix-test-{Guid.NewGuid():N}";
    }

    /// <summary>Its name in the gateway's configuration.</summary>
    public string Name { get; }

    /// <summary>gRPC port (h2c) on 127.0.0.1.</summary>
    public int GrpcPort { get; }

    /// <summary>Health and metrics port on 127.0.0.1.</summary>
    public int MetricsPort { get; }

    /// <summary>Its own sandbox root.</summary>
    public string SandboxRoot { get; }

    /// <summary>Its own cgroup parent (so that start-up cleanup never touches another executor's runs).</summary>
    public string CgroupParent { get; }

    /// <summary>The process (replaced by <see cref="StartAsync"/> after a kill).</summary>
    public ServiceProcess? Process { get; private set; }

    /// <summary>The health/metrics base address.</summary>
    public Uri MetricsUrl => new($"http://127.0.0.1:{MetricsPort}/");

    /// <summary>Starts (or restarts, on the same ports) and waits for /readyz.</summary>
    public async Task StartAsync()
    {
        string[] args =
        [
            $"--Phoenix:Executor:Name={Name}",
            $"--Phoenix:Executor:Listen=http://127.0.0.1:{GrpcPort}",
            $"--Phoenix:Executor:MetricsListen=http://127.0.0.1:{MetricsPort}",
            $"--Phoenix:Executor:Sandbox:Root={SandboxRoot}",
            $"--Phoenix:Executor:Sandbox:CgroupParent={CgroupParent}",
            .. _options.ExecutorArgs,
        ];
        var env = new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "executor" };
        foreach (var (key, value) in _options.Environment)
        {
            env[key] = value;
        }

        Process = ServiceProcess.StartDll("Phoenix.Executor.dll", args, env, Name);
        await Process.WaitForHttpAsync(new Uri(MetricsUrl, "readyz"), TimeSpan.FromSeconds(60));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        // A SIGKILLed executor cannot clean up: remove its (empty) cgroups.
        foreach (var controller in new[] { "memory", "pids", "cpu,cpuacct", "cpu", "cpuacct" })
        {
            var dir = Path.Combine("/sys/fs/cgroup", controller, CgroupParent);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var child in Directory.GetDirectories(dir))
            {
                TryRemove(child);
            }

            TryRemove(dir);
        }
    }

    private static void TryRemove(string dir)
    {
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
            // still has processes, or gone already
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
