using System.Reflection;
using System.Text;
using System.Text.Json;
using Json.Schema;
using Phoenix.Gateway.Api;

namespace Phoenix.Gateway.Validation;

/// <summary>
/// Turns a request body into an <see cref="ExecuteRequestDto"/> or field-level errors: JSON that parses
/// within a depth cap, checked against the published schema (<c>/schemas/execute.json</c>, JsonSchema.Net),
/// then the few rules a schema cannot say (base64 content). Never throws for bad input.
/// </summary>
internal static class ExecuteRequestValidator
{
    /// <summary>Deepest nesting accepted; the request shape needs 4.</summary>
    public const int MaxDepth = 16;

    private static readonly Lazy<(JsonSchema Schema, string Text)> Published = new(Load);

    // A valid request (nearly every one) needs only the verdict: Flag stops at the first failure and collects nothing.
    // List, which names every failing field, runs only for a request that is refused.
    private static readonly EvaluationOptions Verdict = new() { OutputFormat = OutputFormat.Flag };
    private static readonly EvaluationOptions FieldErrors = new() { OutputFormat = OutputFormat.List };

    /// <summary>The schema text as published.</summary>
    public static string SchemaText => Published.Value.Text;

    public static (ExecuteRequestDto? Request, Dictionary<string, string[]> Errors) Parse(ReadOnlyMemory<byte> body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            errors["body"] = ["is not valid UTF-8."];
            return (null, errors);
        }

        JsonDocument document;
        try
        {
            // Duplicate properties are refused: otherwise the schema checks one value and the request uses another.
            document = JsonDocument.Parse(body, new JsonDocumentOptions
            {
                MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, AllowDuplicateProperties = false,
            });
        }
        catch (InvalidOperationException)
        {
            // A property name with an unpaired surrogate escape fails while duplicates are checked.
            errors["body"] = ["contains a property name that is not valid Unicode (an unpaired surrogate)."];
            return (null, errors);
        }
        catch (JsonException ex)
        {
            errors["body"] = [ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"is nested deeper than {MaxDepth} levels."
                : $"is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1})."];
            return (null, errors);
        }

        using (document)
        {
            try
            {
                return Check(document, errors);
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json reads strings lazily: an escaped lone surrogate (\uD800) only fails here.
                errors[FieldName(FindInvalidString(document.RootElement, string.Empty) ?? string.Empty)] =
                    ["contains text that is not valid Unicode (an unpaired surrogate)."];
                return (null, errors);
            }
            catch (JsonException ex)
            {
                // The schema allows 1e3 or 1000.0 as integers; the request's numbers must be plain integers.
                errors[FieldName(JsonPathToPointer(ex.Path))] = ["must be a whole number written without a fraction or exponent."];
                return (null, errors);
            }
        }
    }

    private static (ExecuteRequestDto? Request, Dictionary<string, string[]> Errors) Check(JsonDocument document, Dictionary<string, string[]> errors)
    {
        {
            if (!Published.Value.Schema.Evaluate(document.RootElement, Verdict).IsValid)
            {
                var result = Published.Value.Schema.Evaluate(document.RootElement, FieldErrors);
                foreach (var detail in (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }))
                {
                    var field = FieldName(detail.InstanceLocation.ToString());
                    var messages = detail.Errors!.Values.Select(m => m.Length > 200 ? m[..200] : m);
                    errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, .. messages] : [.. messages];
                }

                if (errors.Count == 0)
                {
                    errors["body"] = ["does not match the execute request schema."];
                }

                return (null, errors);
            }

            var request = document.RootElement.Deserialize(GatewayJsonContext.Default.ExecuteRequestDto);
            if (request is null)
            {
                errors["body"] = ["must be a JSON object."];
                return (null, errors);
            }

            for (var i = 0; i < (request.Files?.Count ?? 0); i++)
            {
                var file = request.Files![i];
                if (string.Equals(file.Encoding, "base64", StringComparison.Ordinal) && !IsBase64(file.Content))
                {
                    errors[$"files[{i}].content"] = ["is not valid base64."];
                }
            }

            return errors.Count == 0 ? (request, errors) : (null, errors);
        }
    }

    /// <summary>The bytes of a file as the request gave them.</summary>
    public static byte[] Content(FileDto file) =>
        string.Equals(file.Encoding, "base64", StringComparison.Ordinal) ? Convert.FromBase64String(file.Content) : Encoding.UTF8.GetBytes(file.Content);

    /// <summary>The JSON pointer of the first string or property name that is not valid UTF-16, or null.</summary>
    private static string? FindInvalidString(JsonElement element, string pointer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Readable(() => element.GetString()) ? null : pointer;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalidString(item, $"{pointer}/{index++}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!Readable(() => property.Name))
                    {
                        return pointer;
                    }

                    if (FindInvalidString(property.Value, $"{pointer}/{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }

        static bool Readable(Func<string?> read)
        {
            try
            {
                _ = read();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>System.Text.Json's path (<c>$.limits.timeoutMs</c>, <c>$.args[2]</c>) → a JSON pointer.</summary>
    internal static string JsonPathToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return string.Empty;
        }

        var pointer = new StringBuilder();
        foreach (var part in path.TrimStart('$').Replace("[", ".", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Replace("'", string.Empty, StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            pointer.Append('/').Append(part);
        }

        return pointer.ToString();
    }

    /// <summary>JSON pointer (<c>/files/0/path</c>) → the API's field naming (<c>files[0].path</c>).</summary>
    internal static string FieldName(string pointer)
    {
        if (pointer.Length <= 1)
        {
            return "body";
        }

        var builder = new StringBuilder();
        foreach (var raw in pointer[1..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit) && builder.Length > 0)
            {
                builder.Append('[').Append(segment).Append(']');
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append(segment.Length > 64 ? segment[..64] : segment);
            }
        }

        return builder.ToString();
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[((value.Length + 3) / 4) * 3];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    private static (JsonSchema, string) Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("execute.schema.json")
            ?? throw new InvalidOperationException("The execute schema is not embedded.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        return (JsonSchema.FromText(text), text);
    }
}
