namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Wrong JSON types for every field of the execute request: 400 with the field named in <c>errors</c>.</summary>
public sealed partial class HostileRequestTests
{
    // name → (body, the field that must be named in errors; null: 400 is enough).
    private static readonly Dictionary<string, (string Body, string? Field)> WrongTypes = new(StringComparer.Ordinal)
    {
        ["command-number"] = ("""{"command":1}""", "command"),
        ["command-bool"] = ("""{"command":true}""", "command"),
        ["command-null"] = ("""{"command":null}""", "command"),
        ["command-array"] = ("""{"command":["echo"]}""", "command"),
        ["command-object"] = ("""{"command":{"name":"echo"}}""", "command"),
        ["command-empty"] = ("""{"command":""}""", "command"),
        ["command-missing"] = ("""{"args":["x"]}""", null),
        ["args-string"] = ("""{"command":"echo","args":"-c id"}""", "args"),
        ["args-object"] = ("""{"command":"echo","args":{"0":"x"}}""", "args"),
        ["args-number-item"] = ("""{"command":"echo","args":[1]}""", "args[0]"),
        ["args-null-item"] = ("""{"command":"echo","args":[null]}""", "args[0]"),
        ["args-nested-array"] = ("""{"command":"echo","args":[["x"]]}""", "args[0]"),
        ["stdin-number"] = ("""{"command":"echo","stdin":1}""", "stdin"),
        ["stdin-array"] = ("""{"command":"echo","stdin":["x"]}""", "stdin"),
        ["env-array"] = ("""{"command":"echo","env":["A=1"]}""", "env"),
        ["env-string"] = ("""{"command":"echo","env":"A=1"}""", "env"),
        ["env-number-value"] = ("""{"command":"echo","env":{"A":1}}""", "env.A"),
        ["env-null-value"] = ("""{"command":"echo","env":{"A":null}}""", "env.A"),
        ["env-array-value"] = ("""{"command":"echo","env":{"A":["x"]}}""", "env.A"),
        ["files-object"] = ("""{"command":"echo","files":{"path":"a","content":"b"}}""", "files"),
        ["files-number-item"] = ("""{"command":"echo","files":[1]}""", "files[0]"),
        ["files-path-number"] = ("""{"command":"echo","files":[{"path":1,"content":"x"}]}""", "files[0].path"),
        ["files-content-missing"] = ("""{"command":"echo","files":[{"path":"a"}]}""", null),
        ["files-content-number"] = ("""{"command":"echo","files":[{"path":"a","content":1}]}""", "files[0].content"),
        ["files-encoding-unknown"] = ("""{"command":"echo","files":[{"path":"a","content":"x","encoding":"utf16"}]}""", "files[0].encoding"),
        ["files-executable-string"] = ("""{"command":"echo","files":[{"path":"a","content":"x","executable":"yes"}]}""", "files[0].executable"),
        ["files-base64-invalid"] = ("""{"command":"echo","files":[{"path":"a","content":"!!!not base64","encoding":"base64"}]}""", "files[0].content"),
        ["workingDirectory-number"] = ("""{"command":"echo","workingDirectory":1}""", "workingDirectory"),
        ["workingDirectory-array"] = ("""{"command":"echo","workingDirectory":["a"]}""", "workingDirectory"),
        ["limits-string"] = ("""{"command":"echo","limits":"fast"}""", "limits"),
        ["limits-array"] = ("""{"command":"echo","limits":[1000]}""", "limits"),
        ["limits-timeout-string"] = ("""{"command":"echo","limits":{"timeoutMs":"soon"}}""", "limits.timeoutMs"),
        ["limits-timeout-fraction"] = ("""{"command":"echo","limits":{"timeoutMs":1.5}}""", "limits.timeoutMs"),
        ["limits-timeout-negative"] = ("""{"command":"echo","limits":{"timeoutMs":-1}}""", "limits.timeoutMs"),
        ["limits-timeout-zero"] = ("""{"command":"echo","limits":{"timeoutMs":0}}""", "limits.timeoutMs"),
        ["limits-timeout-1e400"] = ("""{"command":"echo","limits":{"timeoutMs":1e400}}""", "limits.timeoutMs"),
        ["limits-timeout-huge-integer"] = ("""{"command":"echo","limits":{"timeoutMs":999999999999999999999999999999999999999}}""", "limits.timeoutMs"),
        ["limits-memory-bool"] = ("""{"command":"echo","limits":{"memoryMb":true}}""", "limits.memoryMb"),
        ["limits-cpu-null"] = ("""{"command":"echo","limits":{"cpuPercent":null}}""", "limits.cpuPercent"),
        ["limits-processes-object"] = ("""{"command":"echo","limits":{"maxProcesses":{}}}""", "limits.maxProcesses"),
        ["limits-output-string"] = ("""{"command":"echo","limits":{"maxOutputBytes":"1048576"}}""", "limits.maxOutputBytes"),
        ["limits-unknown-property"] = ("""{"command":"echo","limits":{"wallMs":1}}""", null),
        ["unknown-root-property"] = ("""{"command":"echo","shell":true}""", null),
        ["case-variant-property"] = ("""{"Command":"nc","command":"echo"}""", null),
    };

    // Integral values written as JSON numbers with a fraction or an exponent: the schema calls them integers.
    // Either they run (as the integer) or they are refused; never a 5xx.
    private static readonly Dictionary<string, string> IntegralNumberForms = new(StringComparer.Ordinal)
    {
        ["timeout-1000.0"] = """{"command":"echo","limits":{"timeoutMs":1000.0}}""",
        ["timeout-1e3"] = """{"command":"echo","limits":{"timeoutMs":1e3}}""",
        ["timeout-1E4"] = """{"command":"echo","limits":{"timeoutMs":1E4}}""",
        ["timeout-10000e-1"] = """{"command":"echo","limits":{"timeoutMs":10000e-1}}""",
        ["output-1048576.0"] = """{"command":"echo","limits":{"maxOutputBytes":1048576.0}}""",
        ["memory-2.56e2"] = """{"command":"echo","limits":{"memoryMb":2.56e2}}""",
    };

    public static TheoryData<string> WrongTypeCases => Names(WrongTypes);

    public static TheoryData<string> IntegralNumberFormCases => Names(IntegralNumberForms);

    [Theory]
    [MemberData(nameof(WrongTypeCases))]
    public async Task Execute_WrongType_Is400WithFieldError(string name)
    {
        var (body, field) = WrongTypes[name];

        var response = await PostJsonAsync(Execute, body);

        var problem = Expect(response, 400);
        if (field is not null)
        {
            HostileAssert.HasFieldError(problem, field, response);
        }
    }

    [Theory]
    [MemberData(nameof(IntegralNumberFormCases))]
    public async Task Execute_IntegralNumberWithFractionOrExponent_RunsOrIs400(string name)
    {
        var response = await PostJsonAsync(Execute, IntegralNumberForms[name]);

        Expect(response, 200, 400);
    }
}
