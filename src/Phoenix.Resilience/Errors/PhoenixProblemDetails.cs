using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Phoenix.Resilience.Sanitization;

namespace Phoenix.Resilience.Errors;

/// <summary>
/// The one RFC 9457 problem-details factory every Phoenix service uses. The body carries
/// <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c> (sanitized), <c>code</c>, <c>traceId</c>,
/// and for field-level errors an <c>errors</c> map. Internal detail never appears.
/// </summary>
public static class PhoenixProblemDetails
{
    /// <summary>The media type of every error body.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>Builds the problem for <paramref name="error"/>.</summary>
    /// <param name="error">The error to present.</param>
    /// <param name="traceId">The W3C trace id; defaults to <see cref="Activity.Current"/>'s, or a fresh one when there is none.</param>
    /// <param name="instance">The request path, if wanted as <c>instance</c>.</param>
    public static ProblemDetails Create(PhoenixError error, string? traceId = null, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var info = error.Info;
        ProblemDetails problem = error.FieldErrors is { Count: > 0 } fields
            ? new HttpValidationProblemDetails(SanitizeFields(fields))
            : new ProblemDetails();
        problem.Type = info.ProblemType.ToString();
        problem.Title = info.Title;
        problem.Status = info.HttpStatus;
        problem.Detail = MessageSanitizer.Sanitize(error.PublicMessage);
        problem.Instance = instance;
        problem.Extensions["code"] = error.Code;
        problem.Extensions["traceId"] = traceId ?? CurrentTraceId();
        return problem;
    }

    /// <summary>Classifies <paramref name="exception"/> and builds its problem.</summary>
    public static ProblemDetails FromException(Exception exception, string? traceId = null, string? instance = null) =>
        Create(ErrorClassifier.Classify(exception), traceId, instance);

    /// <summary>The current W3C trace id, or a new random one so every error has an id to quote.</summary>
    public static string CurrentTraceId() =>
        (Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();

    /// <summary>The <c>Retry-After</c> value in whole seconds (at least 1) for <paramref name="error"/>, if it has one.</summary>
    public static int? RetryAfterSeconds(PhoenixError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.RetryAfter is { } after ? (int)Math.Max(1, Math.Ceiling(after.TotalSeconds)) : null;
    }

    private static Dictionary<string, string[]> SanitizeFields(IReadOnlyDictionary<string, string[]> fields) =>
        fields.ToDictionary(
            pair => MessageSanitizer.Sanitize(pair.Key),
            pair => pair.Value.Select(MessageSanitizer.Sanitize).ToArray(),
            StringComparer.Ordinal);
}
