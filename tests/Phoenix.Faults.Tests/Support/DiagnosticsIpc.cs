using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// Induces a full, blocking garbage collection in another .NET process through its diagnostics IPC (the way
/// <c>dotnet-gcdump</c> does): an EventPipe session that enables the runtime provider's <c>GCHeapCollect</c> keyword
/// makes the runtime run an induced gen2 GC. Used to measure a service's managed heap as what is live, not as whatever
/// garbage its GC has not got round to yet.
/// </summary>
internal static class DiagnosticsIpc
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>
    /// Starts the session, waits until <paramref name="fullCollections"/> (the process's gen2 count, e.g. from its
    /// metrics) has grown, then stops the session.
    /// </summary>
    public static async Task InduceFullGcAsync(int pid, Func<Task<double>> fullCollections, TimeSpan timeout)
    {
        var before = await fullCollections();
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword);
        using var session = await new DiagnosticsClient(pid).StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 1, CancellationToken.None);

        // The trace streams back on the session: read it, or the runtime's writer blocks and stopping hangs.
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        try
        {
            await Eventually.TrueAsync(async () => await fullCollections() > before, timeout, $"an induced full GC in process {pid}", TimeSpan.FromMilliseconds(200));
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await drain.WaitAsync(timeout);
        }
    }
}
