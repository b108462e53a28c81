using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// Unicode tricks (bidi overrides, zero-width characters, homoglyphs, lone surrogates, NUL and control characters),
/// CRLF in JSON values, and invalid UTF-8 sent as raw bytes. A look-alike of an allowed command is never run.
/// </summary>
public sealed partial class HostileRequestTests
{
    // name → (JSON body as escaped JSON text, accepted statuses, field that must be named when refused; null: any).
    private static readonly Dictionary<string, (string Body, int[] Statuses, string? Field)> UnicodeTricks = new(StringComparer.Ordinal)
    {
        ["command-rtl-override"] = ("""{"command":"echo\u202Etxt"}""", [403], "command"),
        ["command-zero-width-space"] = ("""{"command":"ec\u200Bho"}""", [403], "command"),
        ["command-zero-width-joiner"] = ("""{"command":"echo\u200D"}""", [403], "command"),
        ["command-bom-prefix"] = ("""{"command":"\uFEFFecho"}""", [403], "command"),
        ["command-cyrillic-homoglyph"] = ("""{"command":"\u0435\u0441ho"}""", [403], "command"),
        ["command-fullwidth"] = ("""{"command":"\uFF45\uFF43\uFF48\uFF4F"}""", [403], "command"),
        ["command-nul"] = ("""{"command":"echo\u0000"}""", [400], "command"),
        ["command-only-nul"] = ("""{"command":"\u0000"}""", [400], "command"),
        ["command-crlf"] = ("""{"command":"echo\r\nX-Injected: 1"}""", [400], "command"),
        ["command-del"] = ("""{"command":"echo\u007F"}""", [400], "command"),
        ["command-c1-next-line"] = ("""{"command":"echo\u0085"}""", [400, 403], "command"),
        ["command-lone-high-surrogate"] = ("""{"command":"\uD800"}""", [400, 403], "command"),
        ["command-lone-low-surrogate"] = ("""{"command":"echo\uDC00"}""", [400, 403], "command"),
        ["command-reversed-surrogates"] = ("""{"command":"\uDC00\uD800"}""", [400, 403], "command"),
        ["args-lone-surrogate"] = ("""{"command":"echo","args":["\uD800"]}""", [200, 400], null),
        ["args-nul"] = ("""{"command":"echo","args":["a\u0000b"]}""", [400], "args[0]"),
        ["args-escape-sequences"] = ("""{"command":"echo","args":["\u001b[31mred\u001b[0m\u0007"]}""", [200], null),
        ["args-rtl-override"] = ("""{"command":"echo","args":["\u202Egnp.exe"]}""", [200], null),
        ["args-crlf"] = ("""{"command":"echo","args":["a\r\nX-Injected: 1"]}""", [200], null),
        ["stdin-nul-and-controls"] = ("""{"command":"cat","stdin":"\u0000\u0001\r\n\u001b"}""", [200, 400], null),
        ["stdin-lone-surrogate"] = ("""{"command":"cat","stdin":"\uDBFF"}""", [200, 400], null),
        ["env-name-nul"] = ("""{"command":"echo","env":{"A\u0000":"1"}}""", [400], null),
        ["env-name-zero-width"] = ("""{"command":"echo","env":{"PA\u200BTH":"x"}}""", [400], null),
        ["env-name-crlf"] = ("""{"command":"echo","env":{"A\r\nX-Injected: 1":"1"}}""", [400], null),
        ["env-name-lone-surrogate"] = ("""{"command":"echo","env":{"\uD800":"1"}}""", [400], null),
        ["env-name-equals"] = ("""{"command":"echo","env":{"A=B":"1"}}""", [400], null),
        ["env-value-nul"] = ("""{"command":"echo","env":{"A":"x\u0000y"}}""", [400], "env.A"),
        ["env-value-lone-surrogate"] = ("""{"command":"echo","env":{"A":"\uD800"}}""", [200, 400], null),
        ["file-path-nul"] = ("""{"command":"echo","files":[{"path":"a\u0000b","content":"x"}]}""", [400, 403], "files[0].path"),
        ["workingDirectory-nul"] = ("""{"command":"echo","workingDirectory":"a\u0000b"}""", [400, 403], "workingDirectory"),
        ["property-name-lone-surrogate"] = ("""{"command":"echo","\uD800":1}""", [400], null),
    };

    // name → raw body bytes (Latin-1 string: each char is one byte), sent as application/json without re-encoding.
    private static readonly Dictionary<string, (string Bytes, int[] Statuses)> RawUtf8 = new(StringComparer.Ordinal)
    {
        ["command-overlong-slash"] = ("{\"command\":\"..\u00C0\u00AF..\u00C0\u00AFbin\u00C0\u00AFsh\"}", [400, 403]),
        ["command-overlong-e"] = ("{\"command\":\"\u00C1\u00A5cho\"}", [400, 403]),
        ["command-overlong-3-byte-nul"] = ("{\"command\":\"echo\u00E0\u0080\u0080\"}", [400, 403]),
        ["command-overlong-4-byte-slash"] = ("{\"command\":\"\u00F0\u0080\u0080\u00AFsh\"}", [400, 403]),
        ["command-cesu-surrogate"] = ("{\"command\":\"\u00ED\u00A0\u0080\"}", [400, 403]),
        ["command-truncated-sequence"] = ("{\"command\":\"echo\u00E2\u0082\"}", [400, 403]),
        ["command-invalid-byte-ff"] = ("{\"command\":\"ech\u00FF\"}", [400, 403]),
        ["args-invalid-byte-fe"] = ("{\"command\":\"echo\",\"args\":[\"\u00FE\"]}", [200, 400]),
        ["raw-nul-byte-in-string"] = ("{\"command\":\"ec\u0000ho\"}", [400]),
        ["raw-nul-byte-between-tokens"] = ("{\"command\":\u0000\"echo\"}", [400]),
    };

    public static TheoryData<string> UnicodeTrickCases => Names(UnicodeTricks);

    public static TheoryData<string> RawUtf8Cases => Names(RawUtf8);

    [Theory]
    [MemberData(nameof(UnicodeTrickCases))]
    public async Task Execute_UnicodeTrick_IsRefusedOrRunsLiterally(string name)
    {
        var (body, statuses, field) = UnicodeTricks[name];

        var response = await PostJsonAsync(Execute, body);

        var problem = Expect(response, statuses);
        if (response.Status >= 400 && field is not null)
        {
            HostileAssert.HasFieldError(problem, field, response);
        }
    }

    [Theory]
    [MemberData(nameof(RawUtf8Cases))]
    public async Task Execute_InvalidUtf8Bytes_IsRefused(string name)
    {
        var (bytes, statuses) = RawUtf8[name];

        var response = await PostBytesAsync(Execute, Encoding.Latin1.GetBytes(bytes), "application/json");

        Expect(response, statuses);
    }

    [Fact]
    public async Task Execute_CrlfInArgs_IsOutputNotHeaders()
    {
        var response = await PostJsonAsync(Execute, """{"command":"echo","args":["a\r\nX-Injected: 1\r\n\r\n<script>"]}""");

        Expect(response, 200);
        Assert.Equal("a\r\nX-Injected: 1\r\n\r\n<script>\n", Stdout(response));
        Assert.Equal("application/json", response.MediaType);
    }

    [Fact]
    public async Task Audit_AfterHostileCommands_StillAnswersSafely()
    {
        foreach (var body in new[]
        {
            """{"command":"\uD800"}""", """{"command":"echo\u202E"}""", """{"command":"echo","args":["\uDC00","\u0000"]}""",
            """{"command":"echo","args":["\r\nX-Injected: 1"]}""", """{"command":"nc","args":["-e","sh"]}""",
        })
        {
            // Whatever these answer (they have their own cases), the audit must still be readable afterwards.
            await PostJsonAsync(Execute, body);
        }

        var audit = await GetAsync("/api/v1/audit?limit=50", AdminKey);

        Expect(audit, 200);
    }
}
