using System.Text.Json;
using System.Text.RegularExpressions;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// The one check every hostile response passes: no 5xx (503 only when allowed), every error is
/// <c>application/problem+json</c> with a 32-hex <c>traceId</c>, and nothing leaks (stack traces, exception type names,
/// host paths, keys or their hashes, the server banner, injected headers).
/// </summary>
internal static partial class HostileAssert
{
    private static readonly string[] Leaks =
    [
        "Exception", ".cs:line", "System.", "--- End of", "/var/lib", "/root", "/work/main", "/tmp/", "/usr/", "/proc",
        "Microsoft.AspNetCore", "Kestrel",
    ];

    /// <summary>Asserts the invariants of every response and returns the parsed problem (null for a success or a bare protocol error).</summary>
    public static JsonElement? Safe(HostileResponse response, IEnumerable<string> secrets, SafeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(secrets);
        options ??= SafeOptions.Default;

        Assert.True(response.Status > 0, $"The server closed the connection without an answer:\n{response}");
        Assert.True(response.Status < 500 || (options.Allow503 && response.Status == 503), $"5xx answer:\n{response}");
        Assert.False(response.HasHeader("Server"), $"Server banner sent:\n{response}");
        Assert.False(response.HasHeader("X-Injected"), $"An injected header came back:\n{response}");
        Assert.False(response.HasHeader("X-Powered-By"), $"Banner sent:\n{response}");

        var everything = response.Body + "\n" + string.Join("\n", response.Headers.Select(h => h.Key + ": " + h.Value));
        foreach (var leak in Leaks)
        {
            Assert.False(everything.Contains(leak, StringComparison.Ordinal), $"Response leaks '{leak}':\n{response}");
        }

        Assert.False(StackFrame().IsMatch(everything), $"Response contains a stack frame:\n{response}");
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            Assert.False(everything.Contains(secret, StringComparison.OrdinalIgnoreCase), $"Response leaks a secret ({secret[..Math.Min(8, secret.Length)]}…):\n{response}");
        }

        if (response.Status < 400)
        {
            return null;
        }

        if (options.AllowBareProtocolError && response.Body.Length == 0 && response.MediaType is null)
        {
            return null;
        }

        Assert.True(response.MediaType == "application/problem+json", $"Error is not application/problem+json:\n{response}");
        using var document = ParseOrFail(response);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.True(root.TryGetProperty("traceId", out var traceId) && traceId.ValueKind == JsonValueKind.String, $"No traceId:\n{response}");
        Assert.Matches("^[0-9a-f]{32}$", traceId.GetString());
        if (root.TryGetProperty("status", out var status))
        {
            Assert.Equal(response.Status, status.GetInt32());
        }

        return root.Clone();
    }

    /// <summary><see cref="Safe"/>, then the status is one of <paramref name="expected"/>.</summary>
    public static JsonElement? Status(HostileResponse response, IEnumerable<string> secrets, int[] expected, SafeOptions? options = null)
    {
        var problem = Safe(response, secrets, options);
        Assert.True(expected.Contains(response.Status), $"Expected {string.Join(" or ", expected)}, got:\n{response}");
        return problem;
    }

    /// <summary>The problem's <c>errors</c> map has <paramref name="field"/>.</summary>
    public static void HasFieldError(JsonElement? problem, string field, HostileResponse response)
    {
        Assert.True(problem is { } p && p.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"No errors.{field}:\n{response}");
    }

    /// <summary>The problem's <c>code</c> is <paramref name="code"/>.</summary>
    public static void HasCode(JsonElement? problem, string code, HostileResponse response)
    {
        Assert.True(problem is { } p && p.TryGetProperty("code", out var c) && c.GetString() == code, $"Expected code {code}:\n{response}");
    }

    private static JsonDocument ParseOrFail(HostileResponse response)
    {
        try
        {
            return JsonDocument.Parse(response.Body);
        }
        catch (JsonException)
        {
            Assert.Fail($"problem+json body is not JSON:\n{response}");
            throw;
        }
    }

    // "   at Namespace.Type.Method(" — a .NET stack frame; plain English "at most" does not match.
    [GeneratedRegex(@"\bat [A-Za-z_][\w`<>]*(\.[\w`<>]+)+\(", RegexOptions.CultureInvariant)]
    private static partial Regex StackFrame();
}
