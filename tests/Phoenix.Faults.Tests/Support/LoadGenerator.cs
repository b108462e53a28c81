using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// Closed-loop callers of <c>POST /api/v1/execute</c>: each sends a run, waits for its answer, records it and sends the
/// next one, until <see cref="StopAsync"/>. A refused call (429, 503, no answer) is followed by a short pause, far
/// shorter than <c>Retry-After</c>, so the pressure stays above what the stack can take. Every call carries a unique
/// token (see <see cref="CallRecord.Token"/>).
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    /// <summary>Longest a call may take before it counts as hung: well past any run's deadline (timeout + the gateway's 35 s margin).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(150);

    private readonly HttpClient _http;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<CallRecord> _records = new();
    private readonly List<Task> _callers = [];
    private readonly CancellationTokenSource _stop = new();
    private int _outstanding;
    private long _sequence;
    private volatile bool _paused;

    public LoadGenerator(Uri gateway)
    {
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = gateway,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Time since the generator was made (the clock of every <see cref="CallRecord"/>).</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Calls sent and not answered yet.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Every finished call so far.</summary>
    public IReadOnlyList<CallRecord> Records => _records.ToArray();

    /// <summary>A run of <c>sh -c 'sleep {seconds}' {token}</c> that also writes the token to the file <c>token</c> in its workdir.</summary>
    public static string SleepRun(string token, double seconds, int timeoutMs = 10_000) => JsonSerializer.Serialize(new
    {
        command = "sh",
        args = new[] { "-c", FormattableString.Invariant($"sleep {seconds}"), token },
        files = new[] { new { path = "token", content = token } },
        limits = new { timeoutMs },
    });

    /// <summary>Starts <paramref name="callers"/> callers in <paramref name="group"/> with <paramref name="apiKey"/>, sending <paramref name="body"/>(token).</summary>
    public void Start(string group, int callers, string apiKey, Func<string, string> body, TimeSpan? pauseAfterRefusal = null)
    {
        var pause = pauseAfterRefusal ?? TimeSpan.FromMilliseconds(100);
        for (var i = 0; i < callers; i++)
        {
            var caller = i;
            _callers.Add(Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    if (_paused)
                    {
                        await Task.Delay(20);
                        continue;
                    }

                    var token = FormattableString.Invariant($"{group}-{caller}-{Interlocked.Increment(ref _sequence)}");
                    var record = await CallAsync(group, token, apiKey, body(token));
                    _records.Enqueue(record);
                    if (!record.Succeeded)
                    {
                        try
                        {
                            await Task.Delay(pause, _stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }
                }
            }));
        }
    }

    /// <summary>Sends one call now (outside the loops) and records it.</summary>
    public async Task<CallRecord> SendAsync(string group, string apiKey, string body)
    {
        var record = await CallAsync(group, FormattableString.Invariant($"{group}-probe-{Interlocked.Increment(ref _sequence)}"), apiKey, body);
        _records.Enqueue(record);
        return record;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the records, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<CallRecord>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition(Records))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Not within {timeout}: {what}. Last calls:\n{string.Join('\n', Records.TakeLast(10))}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops sending new calls until <see cref="Resume"/>; returns once no call is in flight.</summary>
    public async Task PauseAsync()
    {
        _paused = true;
        await Eventually.TrueAsync(() => Outstanding == 0, CallTimeout, "calls in flight to finish");
    }

    /// <summary>Sends again after <see cref="PauseAsync"/>.</summary>
    public void Resume() => _paused = false;

    /// <summary>Stops sending; calls in flight finish (each within <see cref="CallTimeout"/>).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _http.Dispose();
    }

    private async Task<CallRecord> CallAsync(string group, string token, string apiKey, string json)
    {
        var sentAt = Now;
        Interlocked.Increment(ref _outstanding);
        try
        {
            using var content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/execute") { Content = content };
            request.Headers.Add("X-Phoenix-Api-Key", apiKey);
            using var timeout = new CancellationTokenSource(CallTimeout);
            using var response = await _http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return CallRecord.FromAnswer(group, token, sentAt, Now, response, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return CallRecord.Failed(group, token, sentAt, Now, ex.GetType().Name + ": " + ex.Message);
        }
        catch (OperationCanceledException)
        {
            return CallRecord.Failed(group, token, sentAt, Now, $"no answer within {CallTimeout}");
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }
}
