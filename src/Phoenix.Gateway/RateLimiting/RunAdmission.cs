using System.Threading.RateLimiting;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>The answer of <see cref="IRunAdmission.TryEnterAsync"/>: a run slot held until disposed, or a refusal.</summary>
internal sealed class RunAdmission : IDisposable
{
    private RateLimitLease? _lease;

    private RunAdmission(RateLimitLease? lease) => _lease = lease;

    /// <summary>The refusal: every slot and queue place is taken.</summary>
    public static RunAdmission Rejected { get; } = new(null);

    /// <summary>Whether the run may go ahead.</summary>
    public bool IsAdmitted => _lease is not null;

    /// <summary>An admission holding <paramref name="lease"/> (which must be acquired).</summary>
    public static RunAdmission Admitted(RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return new RunAdmission(lease);
    }

    /// <summary>Frees the slot (once; later calls do nothing).</summary>
    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();
}
