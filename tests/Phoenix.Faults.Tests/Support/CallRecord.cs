using System.Text.Json;

namespace Phoenix.Faults.Tests.Support;

/// <summary>What a client saw of one <c>POST /api/v1/execute</c>: when, the HTTP answer (or why there was none) and what it said.</summary>
internal sealed record CallRecord
{
    /// <summary>The group of callers (usually the key it used).</summary>
    public required string Group { get; init; }

    /// <summary>Unique per call: passed to the run as an argument and as the content of its file <c>token</c>.</summary>
    public required string Token { get; init; }

    /// <summary>When the call was sent, from the start of the load.</summary>
    public required TimeSpan SentAt { get; init; }

    /// <summary>When the answer (or the failure) came, from the start of the load.</summary>
    public required TimeSpan EndedAt { get; init; }

    /// <summary>The HTTP status; null when no answer came (connection refused or reset, timeout).</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The media type of the answer.</summary>
    public string? MediaType { get; init; }

    /// <summary>The raw <c>Retry-After</c> header.</summary>
    public string? RetryAfter { get; init; }

    /// <summary>The run id (200 only).</summary>
    public string? RunId { get; init; }

    /// <summary>The run's status (200 only): <c>succeeded</c>, <c>failed</c>, …</summary>
    public string? RunStatus { get; init; }

    /// <summary>The executor that ran it (200 only).</summary>
    public string? Executor { get; init; }

    /// <summary>The trace id of the answer (runs and problems both carry one).</summary>
    public string? TraceId { get; init; }

    /// <summary>The problem's <c>code</c> (errors only).</summary>
    public string? ProblemCode { get; init; }

    /// <summary>The problem's <c>status</c> member (errors only).</summary>
    public int? ProblemStatus { get; init; }

    /// <summary>Why no answer came (no <see cref="HttpStatus"/>).</summary>
    public string? Error { get; init; }

    /// <summary>True when the call got an HTTP answer.</summary>
    public bool Answered => HttpStatus is not null;

    /// <summary>True for a 200 whose run succeeded.</summary>
    public bool Succeeded => HttpStatus == 200 && RunStatus == "succeeded";

    /// <summary>True when this is a refusal the caller is meant to retry: problem+json with its status in the body and a <c>Retry-After</c> of whole seconds ≥ 1.</summary>
    public bool IsWellFormedRetryableProblem =>
        MediaType == "application/problem+json"
        && ProblemStatus == HttpStatus
        && int.TryParse(RetryAfter, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 1
        && TraceId is { Length: 32 };

    /// <summary>The answer as received.</summary>
    public static CallRecord FromAnswer(string group, string token, TimeSpan sentAt, TimeSpan endedAt, HttpResponseMessage response, string body)
    {
        var record = new CallRecord
        {
            Group = group,
            Token = token,
            SentAt = sentAt,
            EndedAt = endedAt,
            HttpStatus = (int)response.StatusCode,
            MediaType = response.Content.Headers.ContentType?.MediaType,
            RetryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? string.Join(",", values) : null,
        };
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return record;
            }

            return record with
            {
                RunId = String(root, "id"),
                RunStatus = record.HttpStatus == 200 ? String(root, "status") : null,
                Executor = String(root, "executor"),
                TraceId = String(root, "traceId"),
                ProblemCode = String(root, "code"),
                ProblemStatus = record.HttpStatus != 200 && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number ? status.GetInt32() : null,
            };
        }
        catch (JsonException)
        {
            return record;
        }
    }

    /// <summary>A call that got no answer.</summary>
    public static CallRecord Failed(string group, string token, TimeSpan sentAt, TimeSpan endedAt, string error) =>
        new() { Group = group, Token = token, SentAt = sentAt, EndedAt = endedAt, Error = error };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Group} {Token} sent {SentAt.TotalSeconds:F1}s ended {EndedAt.TotalSeconds:F1}s: "
        + (HttpStatus is { } code ? $"{code} {MediaType} retry-after={RetryAfter} code={ProblemCode} run={RunId} {RunStatus} on {Executor} trace={TraceId}" : "no answer: " + Error);

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
