using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// Induces a full, blocking garbage collection in another .NET process through its diagnostics IPC socket (the way
/// <c>dotnet-gcdump</c> does): an EventPipe session that enables the runtime provider's <c>GCHeapCollect</c> keyword
/// makes the runtime run an induced gen2 GC. Used to measure a service's managed heap as what is live, not as whatever
/// garbage its GC has not got round to yet. Protocol: https://github.com/dotnet/diagnostics/blob/main/documentation/design-docs/ipc-protocol.md
/// </summary>
internal static class DiagnosticsIpc
{
    private const byte EventPipeCommands = 0x02;
    private const byte StopTracing = 0x01;
    private const byte CollectTracing = 0x02;
    private const byte ServerResponses = 0xFF;
    private const byte Ok = 0x00;
    private const int HeaderSize = 20;
    private const ulong GcKeyword = 0x1;
    private const ulong GcHeapCollectKeyword = 0x800000;
    private const uint Informational = 4;
    private static readonly byte[] Magic = "DOTNET_IPC_V1\0"u8.ToArray();

    /// <summary>
    /// Starts the session, waits until <paramref name="fullCollections"/> (the process's gen2 count, e.g. from its
    /// metrics) has grown, then stops the session.
    /// </summary>
    public static async Task InduceFullGcAsync(int pid, Func<Task<double>> fullCollections, TimeSpan timeout)
    {
        var before = await fullCollections();
        using var session = Connect(pid);
        var payload = new List<byte>();
        AppendUInt32(payload, 1); // circular buffer, MiB
        AppendUInt32(payload, 1); // format: nettrace
        AppendUInt32(payload, 1); // one provider
        AppendUInt64(payload, GcKeyword | GcHeapCollectKeyword);
        AppendUInt32(payload, Informational);
        AppendString(payload, "Microsoft-Windows-DotNETRuntime");
        AppendString(payload, null);
        await SendAsync(session, CollectTracing, payload);
        var sessionId = BinaryPrimitives.ReadUInt64LittleEndian(await ReadOkAsync(session));

        // The trace streams back on the same connection: read it, or the runtime's writer blocks and stopping hangs.
        var drain = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (await session.ReceiveAsync(buffer) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }
        });

        try
        {
            await Eventually.TrueAsync(async () => await fullCollections() > before, timeout, $"an induced full GC in process {pid}", TimeSpan.FromMilliseconds(200));
        }
        finally
        {
            using var stop = Connect(pid);
            var id = new List<byte>();
            AppendUInt64(id, sessionId);
            await SendAsync(stop, StopTracing, id);
            await ReadOkAsync(stop);
            await drain.WaitAsync(timeout);
        }
    }

    private static Socket Connect(int pid)
    {
        var directory = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        var path = Directory.GetFiles(directory, FormattableString.Invariant($"dotnet-diagnostic-{pid}-*-socket")).FirstOrDefault()
            ?? throw new InvalidOperationException($"process {pid} has no diagnostics socket in {directory}");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task SendAsync(Socket socket, byte command, List<byte> payload)
    {
        var message = new byte[HeaderSize + payload.Count];
        Magic.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(14), (ushort)message.Length);
        message[16] = EventPipeCommands;
        message[17] = command;
        payload.CopyTo(message, HeaderSize);
        await socket.SendAsync(message);
    }

    private static async Task<byte[]> ReadOkAsync(Socket socket)
    {
        var header = await ReadExactlyAsync(socket, HeaderSize);
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic) || header[16] != ServerResponses)
        {
            throw new InvalidOperationException("not a diagnostics IPC response");
        }

        var payload = await ReadExactlyAsync(socket, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(14)) - HeaderSize);
        return header[17] == Ok
            ? payload
            : throw new InvalidOperationException(FormattableString.Invariant($"diagnostics IPC error 0x{BinaryPrimitives.ReadUInt32LittleEndian(payload):X8}"));
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read));
            read += n > 0 ? n : throw new EndOfStreamException("the diagnostics IPC connection closed");
        }

        return buffer;
    }

    private static void AppendUInt32(List<byte> buffer, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        buffer.AddRange(bytes);
    }

    private static void AppendUInt64(List<byte> buffer, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        buffer.AddRange(bytes);
    }

    /// <summary>Length in UTF-16 code units including the terminating NUL, then the characters; 0 for none.</summary>
    private static void AppendString(List<byte> buffer, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            AppendUInt32(buffer, 0);
            return;
        }

        AppendUInt32(buffer, (uint)(value.Length + 1));
        buffer.AddRange(Encoding.Unicode.GetBytes(value + "\0"));
    }
}
