using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Phoenix.Resilience.Tests.Reporting;

/// <summary>A real Kestrel endpoint on a loopback ephemeral port that records the bodies posted to <c>/reports</c>.</summary>
internal sealed class ReportReceiver : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly Channel<string> _bodies = Channel.CreateUnbounded<string>();
    private readonly Channel<bool> _arrivals = Channel.CreateUnbounded<bool>();

    private ReportReceiver(int statusCode, bool neverAnswer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        _app = builder.Build();
        _app.MapPost("/reports", async (HttpContext context) =>
        {
            _arrivals.Writer.TryWrite(true);
            if (neverAnswer)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            }

            using var reader = new StreamReader(context.Request.Body);
            _bodies.Writer.TryWrite(await reader.ReadToEndAsync(context.RequestAborted));
            context.Response.StatusCode = statusCode;
        });
    }

    /// <summary>Where reports are to be posted.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Starts a receiver answering <paramref name="statusCode"/>, or never answering.</summary>
    public static async Task<ReportReceiver> StartAsync(int statusCode = StatusCodes.Status202Accepted, bool neverAnswer = false)
    {
        var receiver = new ReportReceiver(statusCode, neverAnswer);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Endpoint = new Uri(new Uri(address), "/reports");
        return receiver;
    }

    /// <summary>The next body received, waiting up to ten seconds.</summary>
    public async Task<string> NextBodyAsync() => await _bodies.Reader.ReadAsync().AsTask().WaitAsync(WaitLimit);

    /// <summary>Waits up to ten seconds until the next request has arrived (before it is answered).</summary>
    public async Task NextArrivalAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(WaitLimit);

    /// <summary>Whether a body was received and not yet taken.</summary>
    public bool TryTakeBody(out string body) => _bodies.Reader.TryRead(out body!);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
