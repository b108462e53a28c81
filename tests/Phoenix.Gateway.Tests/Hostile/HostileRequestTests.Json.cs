using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Malformed JSON: every body here is not one JSON object, so the answer is 400 with <c>errors.body</c>.</summary>
public sealed partial class HostileRequestTests
{
    private static readonly Dictionary<string, string> MalformedJson = new(StringComparer.Ordinal)
    {
        ["truncated-object"] = """{"command":"echo","args":["a" """,
        ["truncated-string"] = """{"command":"ec""",
        ["truncated-escape"] = """{"command":"echo\u12""",
        ["trailing-garbage"] = """{"command":"echo"} xyz""",
        ["trailing-second-object"] = """{"command":"echo"}{"command":"nc"}""",
        ["line-comment"] = "{\"command\":\"echo\" // comment\n}",
        ["block-comment"] = """{/* comment */"command":"echo"}""",
        ["nan"] = """{"command":"echo","limits":{"timeoutMs":NaN}}""",
        ["infinity"] = """{"command":"echo","limits":{"timeoutMs":-Infinity}}""",
        ["single-quotes"] = "{'command':'echo'}",
        ["unquoted-key"] = """{command:"echo"}""",
        ["trailing-comma"] = """{"command":"echo",}""",
        ["leading-zero"] = """{"command":"echo","limits":{"timeoutMs":0100}}""",
        ["hex-number"] = """{"command":"echo","limits":{"timeoutMs":0x10}}""",
        ["invalid-escape"] = """{"command":"\x65cho"}""",
        ["raw-newline-in-string"] = "{\"command\":\"ec\nho\"}",
        ["empty-body"] = string.Empty,
        ["whitespace-body"] = " \r\n\t ",
        ["top-level-array"] = """[{"command":"echo"}]""",
        ["top-level-string"] = "\"echo\"",
        ["top-level-number"] = "42",
        ["top-level-null"] = "null",
        ["top-level-true"] = "true",
    };

    // Two values for one name: whichever a parser keeps, the schema, the policy and the audit may not all see the same one.
    private static readonly Dictionary<string, string> DuplicateKeys = new(StringComparer.Ordinal)
    {
        ["command-allowed-then-forbidden"] = """{"command":"echo","command":"nc"}""",
        ["command-forbidden-then-allowed"] = """{"command":"nc","command":"echo"}""",
        ["env-name-twice"] = """{"command":"echo","env":{"A":"1","A":"2"}}""",
        ["limits-invalid-then-valid"] = """{"command":"echo","limits":{"timeoutMs":"soon","timeoutMs":1000}}""",
        ["limits-valid-then-invalid"] = """{"command":"echo","limits":{"timeoutMs":1000,"timeoutMs":"soon"}}""",
    };

    public static TheoryData<string> MalformedJsonCases => Names(MalformedJson);

    public static TheoryData<string> DuplicateKeyCases => Names(DuplicateKeys);

    [Theory]
    [MemberData(nameof(MalformedJsonCases))]
    public async Task Execute_MalformedJson_Is400WithBodyError(string name)
    {
        var response = await PostJsonAsync(Execute, MalformedJson[name]);

        var problem = Expect(response, 400);
        HostileAssert.HasFieldError(problem, "body", response);
    }

    [Theory]
    [MemberData(nameof(DuplicateKeyCases))]
    public async Task Execute_DuplicateKeys_Is400(string name)
    {
        var response = await PostJsonAsync(Execute, DuplicateKeys[name]);

        Expect(response, 400);
    }

    [Fact]
    public async Task Execute_Utf8BomBeforeValidJson_RunsOrIs400()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"command":"echo","args":["bom"]}""")).ToArray();

        var response = await PostBytesAsync(Execute, body, "application/json");

        Expect(response, 200, 400);
    }

    [Theory]
    [InlineData("/api/v1/execute/stream")]
    [InlineData("/api/v1/execute/validate")]
    public async Task OtherExecuteEndpoints_MalformedJson_Is400Problem(string path)
    {
        var response = await PostJsonAsync(path, """{"command":"echo",""");

        var problem = Expect(response, 400);
        HostileAssert.HasFieldError(problem, "body", response);
    }
}
