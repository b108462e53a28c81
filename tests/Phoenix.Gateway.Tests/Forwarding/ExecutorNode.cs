using System.Diagnostics.Metrics;
using System.Runtime.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Executor;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>
/// One in-process executor of a <see cref="ForwardingStack"/>: its own sandbox root, cgroup parent and name.
/// It can be stopped and started again on the same port, as a restarted executor process would be.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ExecutorNode : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly ExecutorRunCounter _counter;
    private readonly string _scheme;
    private WebApplication? _app;

    private ExecutorNode(string name, string cgroupParent, string scheme, Dictionary<string, string?> settings, ExecutorRunCounter counter)
    {
        Name = name;
        CgroupParent = cgroupParent;
        _scheme = scheme;
        _settings = settings;
        _counter = counter;
    }

    public string Name { get; }

    public string CgroupParent { get; }

    /// <summary>The gRPC address, fixed by the first start (later starts reuse its port).</summary>
    public Uri Address { get; private set; } = null!;

    public bool Running => _app is not null;

    internal static async Task<ExecutorNode> StartAsync(
        string name, string sandboxRoot, string cgroupParent, bool https, IReadOnlyDictionary<string, string?> extra, ExecutorRunCounter counter)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Name"] = name,
            ["Phoenix:Executor:MetricsListen"] = string.Empty,
            ["Phoenix:Executor:Sandbox:Root"] = sandboxRoot,
            ["Phoenix:Executor:Sandbox:CgroupParent"] = cgroupParent,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var node = new ExecutorNode(name, cgroupParent, https ? "https" : "http", settings, counter);
        await node.StartOnAsync(port: 0);
        return node;
    }

    /// <summary>Starts the executor again on the port of its first start.</summary>
    public Task RestartAsync()
    {
        if (_app is not null)
        {
            throw new InvalidOperationException($"{Name} is running.");
        }

        return StartOnAsync(Address.Port);
    }

    /// <summary>Stops the executor the way its host would (drain within its shutdown deadline, then kill) and releases its port.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StartOnAsync(int port)
    {
        var settings = new Dictionary<string, string?>(_settings)
        {
            ["Phoenix:Executor:Listen"] = $"{_scheme}://127.0.0.1:{port}",
        };
        var app = ForwardingStack.BuildApp(settings, b => b.AddExecutorServices(), a => a.MapExecutor());
        _counter.Register(app.Services.GetRequiredService<IMeterFactory>(), Name);
        await app.StartAsync();
        _app = app;
        Address = ForwardingStack.AddressOf(app);
    }
}
