using System.Data.Common;
using System.Globalization;

namespace Phoenix.Gateway.Audit;

/// <summary>
/// Reads one page of audit records from the query both stores run (same 16 columns, newest first, one row past
/// the page to know whether there is a next one). The stores differ only in how a timestamp is stored.
/// </summary>
internal static class AuditPageReader
{
    public static async Task<AuditPageDto> ReadAsync(
        DbDataReader reader, int limit, Func<DbDataReader, int, DateTimeOffset> timestamp, CancellationToken cancellationToken)
    {
        var records = new List<AuditRecord>();
        long lastSeq = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (records.Count == limit)
            {
                return new AuditPageDto(records, lastSeq.ToString(CultureInfo.InvariantCulture));
            }

            lastSeq = reader.GetInt64(0);
            records.Add(new AuditRecord
            {
                RunId = reader.GetString(1),
                AcceptedAt = timestamp(reader, 2),
                FinishedAt = reader.IsDBNull(3) ? null : timestamp(reader, 3),
                KeyId = reader.GetString(4),
                Command = reader.GetString(5),
                ArgsDigest = reader.GetString(6),
                Limits = reader.GetString(7),
                Status = reader.GetString(8),
                ExitCode = reader.IsDBNull(9) ? null : reader.GetInt32(9),
                WallMs = reader.IsDBNull(10) ? null : reader.GetInt64(10),
                CpuMs = reader.IsDBNull(11) ? null : reader.GetInt64(11),
                PeakMemoryBytes = reader.IsDBNull(12) ? null : reader.GetInt64(12),
                Executor = reader.IsDBNull(13) ? null : reader.GetString(13),
                TraceId = reader.GetString(14),
                ClientAddress = reader.IsDBNull(15) ? null : reader.GetString(15),
            });
        }

        return new AuditPageDto(records, null);
    }
}
