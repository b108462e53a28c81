using Phoenix.Resilience.Configuration;
using StackExchange.Redis;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// The gateway's connection to the Redis rate-limit store, opened when the host starts. Redis being down at start
/// does not stop the gateway: the connection keeps retrying in the background while requests use the fallback.
/// Commands fail fast while disconnected (<see cref="BacklogPolicy.FailFast"/>) instead of queueing behind a dead link.
/// </summary>
internal sealed class RedisRateLimitConnection : IHostedService, IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private ConnectionMultiplexer? _multiplexer;

    public RedisRateLimitConnection(ReloadableSnapshot<RateLimitingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connectionString = options.Current.Redis;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"{RateLimitingOptions.SectionName}:Redis is not set.");
        }

        _configuration = ConfigurationOptions.Parse(connectionString);
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _configuration.ClientName ??= "phoenix-gateway";
    }

    /// <summary>The database, or null before the host started.</summary>
    public IDatabase? Database => Volatile.Read(ref _multiplexer)?.GetDatabase();

    /// <summary>Whether a connection to Redis is open now.</summary>
    public bool IsConnected => Volatile.Read(ref _multiplexer)?.IsConnected ?? false;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // With AbortOnConnectFail off this returns (after at most ConnectTimeout) even when Redis is down.
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _multiplexer, multiplexer, null) is not null)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _multiplexer, null) is { } multiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
