using System.Collections.Concurrent;
using Polly.Retry;
using Polly.Telemetry;

namespace Phoenix.Resilience.Tests.Support;

/// <summary>Records the delay Polly's retry strategy chose before each retry (from its OnRetry telemetry event).</summary>
internal sealed class RetryDelayRecorder : TelemetryListener
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        if (args.Arguments is OnRetryArguments<object> retry)
        {
            Delays.Enqueue(retry.RetryDelay);
        }
    }
}
