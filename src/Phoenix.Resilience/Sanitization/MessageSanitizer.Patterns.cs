using System.Buffers;
using System.Text.RegularExpressions;

namespace Phoenix.Resilience.Sanitization;

/// <summary>
/// The patterns of <see cref="MessageSanitizer"/>. Every repetition that can meet another is bounded or separated by a
/// character the loop cannot consume, and every pattern has a match timeout, so no input backtracks catastrophically.
/// A pattern runs only when the message contains one of its triggers (a vectorized search), so ordinary messages
/// skip most of them.
/// </summary>
public static partial class MessageSanitizer
{
    /// <summary>Per-pattern match timeout. A timeout makes <see cref="Sanitize"/> withhold the whole message.</summary>
    private const int MatchTimeoutMilliseconds = 500;

    private const RegexOptions Options = RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant;

    private const RegexOptions IgnoreCase = Options | RegexOptions.IgnoreCase;

    /// <summary>Names of keys whose value is a secret, with up to three prefixes (<c>db_password</c>, <c>X-Phoenix-Api-Key</c>).</summary>
    private const string SecretKey =
        "(?:[A-Za-z0-9]{1,20}[_.-]){0,3}(?:password|passwd|passphrase|pwd|pass|secret|client[_-]?secret|secret[_-]?key|token|access[_-]?token"
        + "|refresh[_-]?token|id[_-]?token|auth[_-]?token|session[_-]?token|bearer[_-]?token|api[_-]?key|apikey|api[_-]?token|access[_-]?key"
        + "|private[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|sharedaccesssignature|signature|sig|credentials?|connection[_-]?string)";

    /// <summary>One IPv4 octet, 0–255.</summary>
    private const string Octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

    /// <summary>Internal IPv6 addresses: loopback, unique-local (fc00::/7), link-local (fe80::/10, with a zone).</summary>
    private const string InternalIPv6 =
        "(?:::1|f[cd][0-9a-f]{2}(?::[0-9a-f]{0,4}){1,7}|fe[89ab][0-9a-f](?::[0-9a-f]{0,4}){1,7}(?:%[A-Za-z0-9]{1,16})?)";

    /// <summary>Characters that end a path or a token in running text.</summary>
    private const string PathChar = @"[^\s/'""`<>|,;()\[\]{}?#=&*\\]";

    private static readonly SearchValues<string> PrivateKeyTriggers = SearchValues.Create(["PRIVATE KEY"], StringComparison.Ordinal);

    private static readonly SearchValues<string> StackTraceTriggers =
        SearchValues.Create(["at ", "End of ", "File \"", "Traceback"], StringComparison.Ordinal);

    private static readonly SearchValues<string> KnownTokenTriggers = SearchValues.Create(
        ["eyJ", "phx_", "sk-", "sk_", "rk_", "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "AIza", "glpat-", "npm_"],
        StringComparison.Ordinal);

    private static readonly SearchValues<string> BearerTriggers = SearchValues.Create(["bearer"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> HeaderTriggers = SearchValues.Create(["authorization", "cookie"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> SecretKeyTriggers = SearchValues.Create(
        ["pass", "pwd", "secret", "token", "key", "sig", "credential", "connection"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> ExceptionTriggers = SearchValues.Create(["Exception", "Error"], StringComparison.Ordinal);

    private static readonly SearchValues<string> WindowsPathTriggers = SearchValues.Create([":\\", ":/", "\\\\"], StringComparison.Ordinal);

    private static readonly SearchValues<string> OtherPathTriggers = SearchValues.Create(["~", "file:"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> InternalHostTriggers = SearchValues.Create(
        ["localhost", ".internal", ".local", ".lan", ".home.arpa", ".intranet", ".corp"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> PrivateIPv4Triggers =
        SearchValues.Create(["10.", "127.", "192.168.", "172.", "169.254."], StringComparison.Ordinal);

    [GeneratedRegex(
        @"-----BEGIN [A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,64}-----|\z)",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex PrivateKeyPattern();

    [GeneratedRegex(
        @"^[ \t]*(?:at (?:async |new )?[^\s(.]{1,512}\.[^\s(]{1,2048} ?\(|File ""[^""\r\n]{0,4096}"", line [0-9]|Traceback \(most recent call last\):|--- ?End of )[^\r\n]*(?:\r?\n|\z)",
        Options | RegexOptions.Multiline, MatchTimeoutMilliseconds)]
    private static partial Regex StackTraceLinePattern();

    [GeneratedRegex(
        @"[ \t]*(?:\bat (?:async |new )?[^\s(.]{1,512}\.[^\s(]{1,2048} ?\([^()\r\n]{0,1024}\) in [^\r\n]{0,1024}?:line [0-9]+|--- ?End of [^\r\n]{0,200}?---)",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex InlineStackFramePattern();

    [GeneratedRegex(
        "(?<![A-Za-z0-9_-])(?:eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*|phx_[A-Za-z0-9_-]{6,}|sk-[A-Za-z0-9_-]{16,}"
        + "|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
        + "|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36})",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex KnownTokenPattern();

    [GeneratedRegex(
        @"(?<pre>\bBearer[ \t]+)(?=[A-Za-z0-9._~+/-]{0,4096}[0-9_~+/-]|[A-Za-z]{20})[A-Za-z0-9._~+/-]{8,4096}=*",
        IgnoreCase, MatchTimeoutMilliseconds)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(
        @"(?<pre>(?<![A-Za-z0-9_-])(?:proxy-)?authorization(?:\\?[""'])?[ \t]*[:=][ \t]*(?:\\?[""'])?)(?!\[)(?:[A-Za-z]{1,20}[ \t]+)?[^\s,;""'\\]{1,4096}"
        + @"|(?<pre>(?<![A-Za-z0-9_-])(?:set-)?cookie[ \t]*:[ \t]*)[^\r\n]{1,4096}",
        IgnoreCase, MatchTimeoutMilliseconds)]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(
        @"://[^\s/?#@:]{0,256}:[^\s/?#]{0,256}@",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex UrlUserInfoPattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9_])(?:host|server|data source|datasource|addr|address|network address|user id|userid|uid|username|user|initial catalog"
        + @"|database|endpoint|accountname|defaultendpointsprotocol|password|pwd)[ \t]*=[^;\s'""]{0,512}(?:;[ \t]*[A-Za-z][A-Za-z0-9 _.]{0,40}=[^;\s'""]{0,512}){1,32};?",
        IgnoreCase, MatchTimeoutMilliseconds)]
    private static partial Regex ConnectionStringPattern();

    [GeneratedRegex(
        @"(?<pre>(?<![A-Za-z0-9_.-])" + SecretKey + @"(?:\\?[""'])?[ \t]*[:=][ \t]*)"
        + @"(?:(?<q>\\"")[^""\\\r\n]{0,4096}|(?<q>"")[^""\r\n]{0,4096}|(?<q>')[^'\r\n]{0,4096}|(?![\[\\])[^\s,;&""'<>{}\[\]\\]{1,4096})",
        IgnoreCase, MatchTimeoutMilliseconds)]
    private static partial Regex SecretKeyValuePattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9_.])(?:(?:[A-Za-z_][A-Za-z0-9_]{0,100}\.){1,12}(?:[A-Za-z_][A-Za-z0-9_]{0,100})?(?:Exception|Error)(?![A-Za-z0-9_])"
        + @"|[A-Z][A-Za-z0-9_]{0,100}Exception(?=:))",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex ExceptionTypePattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9])[A-Za-z]:[\\/](?:[^\s'""`<>|,;()\[\]{}?*]|[ ](?=[^\s'""`<>|\\/]{1,64}[\\/])){0,1024}"
        + @"|(?<![\\A-Za-z0-9])\\\\[A-Za-z0-9._$-]{1,255}\\[^\s'""`<>|,;()\[\]{}?*]{0,1024}",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex WindowsPathPattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9_~/.-])~[A-Za-z0-9_.-]{0,32}(?:/" + PathChar + "*)+"
        + @"|(?<![A-Za-z0-9])file:/{1,3}[^\s'""`<>|,;()\[\]{}?*]{0,4096}",
        IgnoreCase, MatchTimeoutMilliseconds)]
    private static partial Regex OtherPathPattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9_.~/\\-])(?:/" + PathChar + "+)+/?",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex UnixPathPattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9.-])(?:(?i:localhost)|[A-Za-z0-9][A-Za-z0-9.-]{0,252}\.(?:svc\.cluster\.local|cluster\.local|internal|local|localdomain|lan|home\.arpa|intranet|corp))"
        + @"(?!\.?[A-Za-z0-9-])(?::[0-9]{1,5})?",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex InternalHostPattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9_.])(?:10(?:\." + Octet + @"){3}|127(?:\." + Octet + @"){3}|192\.168(?:\." + Octet + @"){2}"
        + @"|172\.(?:1[6-9]|2[0-9]|3[01])(?:\." + Octet + @"){2}|169\.254(?:\." + Octet + @"){2})(?!\.?[0-9])(?::[0-9]{1,5})?",
        Options, MatchTimeoutMilliseconds)]
    private static partial Regex PrivateIPv4Pattern();

    [GeneratedRegex(
        @"(?<![A-Za-z0-9:.\[])(?:\[" + InternalIPv6 + @"\](?::[0-9]{1,5})?|" + InternalIPv6 + @"(?![A-Za-z0-9:]))",
        IgnoreCase, MatchTimeoutMilliseconds)]
    private static partial Regex InternalIPv6Pattern();
}
