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

    /// <summary>The schema text as published.</summary>
    public static string SchemaText => Published.Value.Text;

    public static (ExecuteRequestDto? Request, Dictionary<string, string[]> Errors) Parse(ReadOnlyMemory<byte> body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
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
            var result = Published.Value.Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
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
