using System.Diagnostics;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Faults.Tests.Support;

/// <summary>The structured (JSON, one object a line) console log of a service process, by event id.</summary>
internal static class ServiceLog
{
    /// <summary>Events with <paramref name="eventId"/> logged so far whose state has <c>Source</c> = <paramref name="source"/> (any source when null), as their messages.</summary>
    public static IReadOnlyList<string> Events(ServiceProcess process, int eventId, string? source = null)
    {
        var found = new List<string>();
        foreach (var line in process.Lines)
        {
            if (!line.StartsWith('{') || !line.Contains(FormattableString.Invariant($"\"EventId\":{eventId},"), StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.GetProperty("EventId").GetInt32() != eventId)
                {
                    continue;
                }

                if (source is not null
                    && !(root.TryGetProperty("State", out var state) && state.TryGetProperty("Source", out var s) && s.GetString() == source))
                {
                    continue;
                }

                found.Add(root.GetProperty("Message").GetString() ?? string.Empty);
            }
            catch (JsonException)
            {
                // not a log object
            }
        }

        return found;
    }

    /// <summary>Waits until more than <paramref name="before"/> such events were logged; returns the newest.</summary>
    public static async Task<string> WaitForEventAsync(ServiceProcess process, int eventId, string source, int before, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var events = Events(process, eventId, source);
            if (events.Count > before)
            {
                return events[^1];
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{process.Name} did not log event {eventId} for {source} within {timeout}. Output:\n{process.Tail(20)}");
            }

            await Task.Delay(100);
        }
    }
}
