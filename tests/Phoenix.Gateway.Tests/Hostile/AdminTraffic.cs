using System.Collections.Concurrent;
using System.Net;
using System.Runtime.Versioning;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// Background traffic with the untouched admin key while a test edits the keys file: two loops of <c>echo</c> runs
/// (at most <see cref="EchoRunsPerLoop"/> each) and one loop of cheap <c>/execute/validate</c> calls until stopped.
/// Every answer that is not 200, and every exception, is recorded as a failure.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class AdminTraffic
{
    public const int EchoRunsPerLoop = 40;

    private const int MaxValidateCalls = 5_000;

    private readonly HttpClient _http;
    private readonly string _key;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _loops;
    private int _echo;
    private int _validate;

    private AdminTraffic(HttpClient http, string key)
    {
        _http = http;
        _key = key;
        _loops = [Task.Run(() => EchoLoopAsync(1)), Task.Run(() => EchoLoopAsync(2)), Task.Run(ValidateLoopAsync)];
    }

    /// <summary>Answers received so far (all loops).</summary>
    public int Completed => Volatile.Read(ref _echo) + Volatile.Read(ref _validate);

    public static async Task<AdminTraffic> StartAsync(HttpClient http, string key)
    {
        var traffic = new AdminTraffic(http, key);

        // Under way before the test touches the file.
        await Eventually.TrueAsync(() => Task.FromResult(traffic.Completed >= 5), seconds: 30);
        return traffic;
    }

    /// <summary>Stops the loops and returns how many echo runs and validate calls were answered, and every failure.</summary>
    public async Task<(int Echo, int Validate, IReadOnlyList<string> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
        return (_echo, _validate, [.. _failures]);
    }

    private async Task EchoLoopAsync(int loop)
    {
        for (var i = 0; i < EchoRunsPerLoop && !_stop.IsCancellationRequested; i++)
        {
            await CallAsync("/api/v1/execute", $$"""{"command":"echo","args":["loop {{loop}} run {{i}}"]}""", $"loop {loop} run {i}\n");
            Interlocked.Increment(ref _echo);
        }
    }

    private async Task ValidateLoopAsync()
    {
        for (var i = 0; i < MaxValidateCalls && !_stop.IsCancellationRequested; i++)
        {
            await CallAsync("/api/v1/execute/validate", """{"command":"echo","args":["x"]}""", expectedStdout: null);
            Interlocked.Increment(ref _validate);
        }
    }

    private async Task CallAsync(string path, string body, string? expectedStdout)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = GatewayStack.Json(body) };
            request.Headers.Add("X-Phoenix-Api-Key", _key);
            using var response = await _http.SendAsync(request, CancellationToken.None);
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                _failures.Enqueue($"{path}: {(int)response.StatusCode} {text}");
            }
            else if (expectedStdout is not null && !text.Contains(System.Text.Json.JsonSerializer.Serialize(expectedStdout), StringComparison.Ordinal))
            {
                _failures.Enqueue($"{path}: unexpected answer {text}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            _failures.Enqueue($"{path}: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
