using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using Phoenix.Cli.Common;
using Spectre.Console;

namespace Phoenix.Cli.Up;

/// <summary>
/// <c>phoenix up</c>: an executor and a gateway as two supervised child processes (the real topology) on loopback,
/// a development key on first start, a spinner until both are healthy, then how to call it. SIGINT or SIGTERM stops
/// both (gateway first, then the executor drains); a crashed child is restarted and the crash shown.
/// </summary>
internal static class UpCommand
{
    public static Command Create(CliConsole console, Option<string?> dataDirOption, TimeProvider time)
    {
        var port = new Option<int>("--port") { Description = "Gateway port on 127.0.0.1.", DefaultValueFactory = _ => 8000 };
        var executorPort = new Option<int>("--executor-port") { Description = "Executor gRPC port on 127.0.0.1.", DefaultValueFactory = _ => 50061 };
        var metricsPort = new Option<int>("--executor-metrics-port") { Description = "Executor health and metrics port on 127.0.0.1.", DefaultValueFactory = _ => 9461 };
        var command = new Command("up", "Start Phoenix (an executor and a gateway) in the foreground; Ctrl-C stops it.")
        {
            port, executorPort, metricsPort,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var dataDir = CliSettings.ResolveDataDir(result.GetValue(dataDirOption), CliSettings.ProcessEnvironment());
            var ports = new UpPorts(result.GetValue(port), result.GetValue(executorPort), result.GetValue(metricsPort));
            return RunAsync(console, dataDir, ports, time, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(CliConsole console, string dataDir, UpPorts ports, TimeProvider time, CancellationToken cancellationToken)
    {
        ports.Validate();
        if (!File.Exists("/usr/bin/bwrap"))
        {
            throw new CliException("bubblewrap (the sandbox) is not installed: sudo apt-get install -y bubblewrap (or run 'phoenix doctor').", ExitCodes.Failed);
        }

        foreach (var (name, number) in ports.All)
        {
            if (!PortIsFree(number))
            {
                throw new CliException($"Port {number} ({name}) is in use: is Phoenix already running? Choose another with --{name}, or see 'ss -ltnp sport = :{number}'.", ExitCodes.Failed);
            }
        }

        Directory.CreateDirectory(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var settings = new CliSettings(dataDir, new Uri($"http://127.0.0.1:{ports.Gateway}/"), () => null);
        if (DevKey.EnsureCreated(settings, time) is { } key)
        {
            console.Err.MarkupLine($"Created a development API key with all permissions; only its hash is stored in {Markup.Escape(settings.KeysFile)}:");
            console.Err.MarkupLine($"  [bold]{Markup.Escape(key)}[/]   (also in {Markup.Escape(settings.DevKeyFile)}, mode 0600)");
        }

        var (executor, gateway) = Workers(console, settings, ports);
        await using var supervisor = new ServiceSupervisor([executor, gateway], time);
        await supervisor.StartAsync();
        try
        {
            var healthy = await console.Err.Status().Spinner(Spinner.Known.Dots).StartAsync(
                "Starting the executor and the gateway…",
                _ => WaitUntilHealthyAsync(settings.GatewayUrl, supervisor, TimeSpan.FromMinutes(2), cancellationToken));
            if (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            if (!healthy)
            {
                console.Error($"Phoenix did not become healthy; see {Path.Combine(dataDir, "executor.log")} and {Path.Combine(dataDir, "gateway.log")}.");
                return ExitCodes.Failed;
            }

            PrintWelcome(console, settings);
            while (!cancellationToken.IsCancellationRequested)
            {
                if ((await supervisor.FailedAsync()).FirstOrDefault() is { } failed)
                {
                    console.Error($"The {failed.Name} keeps crashing ({failed.RestartCount} restarts); giving up. Last error: {failed.LastError}");
                    return ExitCodes.Failed;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return ExitCodes.Ok;
        }
        finally
        {
            console.Err.MarkupLine("Stopping Phoenix…");
            await supervisor.StopAsync();
            console.Err.MarkupLine("Phoenix stopped.");
        }
    }

    private static (ServiceWorker Executor, ServiceWorker Gateway) Workers(CliConsole console, CliSettings settings, UpPorts ports)
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Phoenix__Logging__Format"] = "text",
        };
        var gateway = new ServiceWorker(
            ServiceLaunch.ForDll("gateway", "Phoenix.Gateway.dll",
            [
                $"--Phoenix:Gateway:Listen=http://127.0.0.1:{ports.Gateway}",
                $"--Phoenix:Gateway:DataDir={settings.DataDir}",
                "--Phoenix:Gateway:Forwarding:Executors:0:Name=executor-0",
                $"--Phoenix:Gateway:Forwarding:Executors:0:Address=http://127.0.0.1:{ports.Executor}",
            ], environment, Path.Combine(settings.DataDir, "gateway.log")),
            console,
            TimeSpan.FromSeconds(30));

        // The executor stops after the gateway, so that no run is forwarded to an executor that is draining.
        var executor = new ServiceWorker(
            ServiceLaunch.ForDll("executor", "Phoenix.Executor.dll",
            [
                "--Phoenix:Executor:Name=executor-0",
                $"--Phoenix:Executor:Listen=http://127.0.0.1:{ports.Executor}",
                $"--Phoenix:Executor:MetricsListen=http://127.0.0.1:{ports.ExecutorMetrics}",
                .. SandboxRootArgument(settings),
            ], environment, Path.Combine(settings.DataDir, "executor.log")),
            console,
            TimeSpan.FromSeconds(30),
            beforeStop: () => gateway.Pid is null ? Task.CompletedTask : gateway.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(35)).ContinueWith(_ => { }, TaskScheduler.Default));
        return (executor, gateway);
    }

    /// <summary>
    /// The executor's default sandbox root (<c>/var/lib/phoenix/sandbox</c> as root, else inside the data directory),
    /// unless the environment configures one (<c>Phoenix__Executor__Sandbox__Root</c>): arguments would win over it.
    /// </summary>
    private static string[] SandboxRootArgument(CliSettings settings) =>
        Environment.GetEnvironmentVariable("Phoenix__Executor__Sandbox__Root") is { Length: > 0 } ? []
        : Environment.IsPrivilegedProcess ? ["--Phoenix:Executor:Sandbox:Root=/var/lib/phoenix/sandbox"]
        : [$"--Phoenix:Executor:Sandbox:Root={Path.Combine(settings.DataDir, "sandbox")}"];

    /// <summary>True once <c>/health</c> says SERVING; false when a service fails for good or the time is up.</summary>
    private static async Task<bool> WaitUntilHealthyAsync(Uri gateway, ServiceSupervisor supervisor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(3) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!deadline.IsCancellationRequested)
        {
            if ((await supervisor.FailedAsync()).Count > 0)
            {
                return false;
            }

            try
            {
                using var response = await http.GetAsync("health", deadline.Token);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
                if (body.RootElement.TryGetProperty("status", out var status) && status.GetString() == "SERVING")
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException)
            {
                // not up yet
            }

            try
            {
                await Task.Delay(250, deadline.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return false;
    }

    private static void PrintWelcome(CliConsole console, CliSettings settings)
    {
        var url = settings.GatewayUrl.ToString().TrimEnd('/');
        var cli = Environment.GetEnvironmentVariable("PHOENIX_CLI") is { Length: > 0 } name ? name : "phoenix";
        var dataDirEnvironment = (settings.DataDir == Path.GetFullPath(".phoenix") ? string.Empty : $"PHOENIX_DATA_DIR={settings.DataDir} ")
            + (url == CliSettings.DefaultUrl ? string.Empty : $"PHOENIX_URL={url} ");
        console.OutWriter.WriteLine($"""

            Phoenix is up: gateway {url}   (logs: {settings.DataDir}/gateway.log, executor.log)

            Try it from another terminal:

              curl -s -X POST {url}/api/v1/execute \
                   -H 'Content-Type: application/json' -H "X-Phoenix-Api-Key: $(cat {settings.DevKeyFile})" \
                   -d '{"{"}"command":"python3","args":["-c","print(6*7)"]{"}"}'

              {dataDirEnvironment}{cli} exec -- python3 -c 'print(6*7)'
              {dataDirEnvironment}{cli} audit

            Press Ctrl-C to stop.
            """);
        console.OutWriter.Flush();
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>The three loopback ports of <c>phoenix up</c>.</summary>
internal sealed record UpPorts(int Gateway, int Executor, int ExecutorMetrics)
{
    public IEnumerable<(string Option, int Port)> All => [("port", Gateway), ("executor-port", Executor), ("executor-metrics-port", ExecutorMetrics)];

    public void Validate()
    {
        foreach (var (option, port) in All)
        {
            if (port is < 1 or > 65535)
            {
                throw new CliException($"--{option} must be between 1 and 65535.", ExitCodes.Usage);
            }
        }

        if (All.Select(p => p.Port).Distinct().Count() != 3)
        {
            throw new CliException("--port, --executor-port and --executor-metrics-port must differ.", ExitCodes.Usage);
        }
    }
}
