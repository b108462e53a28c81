using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Phoenix.Resilience.Sanitization;

namespace Phoenix.Hosting.Health;

/// <summary>
/// Writes a health report as <c>{"status":…,"checks":[{"name":…,"status":…,"description":…}]}</c>.
/// Descriptions are sanitized; exception text and stack traces are never written.
/// </summary>
internal static class HealthResponseWriter
{
    /// <summary>Description used when a check threw.</summary>
    internal const string FailedDescription = "The check failed with an unexpected error.";

    /// <summary>Description used when a check timed out or was cancelled.</summary>
    internal const string TimedOutDescription = "The check did not complete in time.";

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("status", report.Status.ToString());
            writer.WriteStartArray("checks");
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("status", entry.Status.ToString());
                writer.WriteString("description", Describe(entry));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The public description of <paramref name="entry"/>.</summary>
    internal static string? Describe(HealthReportEntry entry)
    {
        // When a check throws, the health service uses the exception message as description: replace it.
        if (entry.Exception is { } exception
            && (string.IsNullOrEmpty(entry.Description) || entry.Description == exception.Message))
        {
            return exception is OperationCanceledException ? TimedOutDescription : FailedDescription;
        }

        return entry.Description is null ? null : MessageSanitizer.Sanitize(entry.Description);
    }
}
