using System.Globalization;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Errors;

namespace Phoenix.Gateway.Api;

/// <summary><c>GET /api/v1/audit?key=&amp;status=&amp;from=&amp;to=&amp;limit=&amp;before=</c>: newest first, paged by cursor.</summary>
internal static class AuditEndpoints
{
    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal)
    {
        "accepted", "rejected", "unknown", "succeeded", "failed", "timed_out", "memory_limit", "output_limit", "killed", "sandbox_error",
    };

    public static async Task<IResult> QueryAsync(HttpContext context, IAuditStore audit)
    {
        var query = context.Request.Query;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var limit = 50;
        if (query["limit"] is { Count: > 0 } rawLimit && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500))
        {
            errors["limit"] = ["must be an integer between 1 and 500."];
        }

        var status = query["status"].FirstOrDefault();
        if (status is not null && !Statuses.Contains(status))
        {
            errors["status"] = [$"must be one of {string.Join(", ", Statuses.Order(StringComparer.Ordinal))}."];
        }

        var from = Time("from");
        var to = Time("to");
        var before = query["before"].FirstOrDefault();
        if (before is not null && !long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            errors["before"] = ["must be a cursor returned as 'next'."];
        }

        var key = query["key"].FirstOrDefault();
        if (key is { Length: > 64 })
        {
            errors["key"] = ["must be at most 64 characters."];
        }

        if (errors.Count > 0)
        {
            return GatewayProblems.Validation(context, errors);
        }

        var page = await audit.QueryAsync(new AuditQuery(key, status, from, to, limit, before), context.RequestAborted);
        return TypedResults.Json(page, GatewayJsonContext.Default.AuditPageDto);

        DateTimeOffset? Time(string name)
        {
            if (query[name].FirstOrDefault() is not { } raw)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                return value;
            }

            errors[name] = ["must be an ISO 8601 date-time."];
            return null;
        }
    }
}
