using System.Buffers;
using System.Text.RegularExpressions;

namespace Phoenix.Resilience.Sanitization;

/// <summary>
/// Removes secrets, host paths, stack traces and internal addresses from messages shown to callers
/// (problem details, gRPC status details, error reports). Best effort by pattern: messages should be
/// safe as written, and this is the second fence.
/// </summary>
/// <remarks>
/// <para>What is replaced, in this order:</para>
/// <list type="number">
/// <item><description>PEM private key blocks (<c>-----BEGIN … PRIVATE KEY-----</c> to the matching <c>-----END … -----</c>, or to the end) → <c>[redacted]</c>.</description></item>
/// <item><description>Stack-trace lines (<c>   at Type.Method(…)</c>, <c>--- End of … ---</c>, Python <c>Traceback</c> and <c>File "…", line N</c>) are dropped with their line break; trailing white space left behind is trimmed.</description></item>
/// <item><description>Credentials: JWTs, <c>Bearer</c> tokens, <c>Authorization</c>/<c>Cookie</c> header values, user information in URLs
/// (<c>scheme://user:pass@</c>), connection strings (<c>Host=…;Password=…</c>), the value of any key named like a secret
/// (<c>password</c>, <c>pwd</c>, <c>secret</c>, <c>token</c>, <c>api_key</c>, <c>X-Phoenix-Api-Key</c>, … in <c>key=value</c>,
/// <c>key: value</c> and JSON <c>"key": "value"</c> forms), and well-known key formats (<c>phx_</c>, <c>sk-</c>, <c>AKIA</c>,
/// <c>ghp_</c>, <c>github_pat_</c>, <c>xox?-</c>, <c>AIza</c>, <c>glpat-</c>, <c>sk_live_</c>) → <c>[redacted]</c> (the key name is kept).</description></item>
/// <item><description>Namespace-qualified exception type names (<c>System.IO.IOException</c>) and <c>SomethingException:</c> → <c>[exception]</c>.</description></item>
/// <item><description>Host file paths → <c>[path]</c>: Windows (<c>C:\…</c>, <c>\\server\share\…</c>), home-relative (<c>~/…</c>), <c>file:</c> URLs, and absolute
/// Unix paths by this rule: a path whose first segment is a well-known host root (<c>etc var root home usr opt tmp proc sys dev
/// srv mnt run lib lib64 bin sbin boot media snap nix work app src data workspace build Users private Volumes Library System</c>)
/// is a host path; otherwise a path of three or more segments is a host path unless its first segment is <c>api</c>.
/// So routes such as <c>/api/v1/execute</c>, <c>/health</c> and <c>/schemas/execute.json</c> are kept, while
/// <c>/etc/shadow</c> and <c>/a/b/c</c> are not. A path counts as absolute only when its leading <c>/</c> follows the start,
/// white space or punctuation other than <c>. ~ - \ /</c> and word characters (so <c>src/app/main.py</c>, <c>1/2</c> and URL
/// paths after a host are not paths).</description></item>
/// <item><description>Internal addresses → <c>[address]</c>: private, loopback and link-local IPv4 (10/8, 172.16/12, 192.168/16, 127/8, 169.254/16)
/// with an optional port, IPv6 loopback, unique-local (fc00::/7) and link-local (fe80::/10), <c>localhost</c>, and host names
/// ending in <c>.svc.cluster.local</c>, <c>.cluster.local</c>, <c>.internal</c>, <c>.local</c>, <c>.localdomain</c>, <c>.lan</c>,
/// <c>.home.arpa</c>, <c>.intranet</c> or <c>.corp</c>.</description></item>
/// </list>
/// <para>A message with none of these is returned unchanged, character for character. Every pattern is a source-generated regex
/// whose repetitions cannot backtrack into each other, with a match timeout, and runs only when the message contains one of
/// its trigger strings; so the cost is linear in the length of the message and small for ordinary ones.</para>
/// </remarks>
public static partial class MessageSanitizer
{
    /// <summary>Replaces a secret.</summary>
    internal const string Redacted = "[redacted]";

    /// <summary>Replaces a host path.</summary>
    internal const string PathPlaceholder = "[path]";

    /// <summary>Replaces an internal address.</summary>
    internal const string AddressPlaceholder = "[address]";

    /// <summary>Replaces an exception type name.</summary>
    internal const string ExceptionPlaceholder = "[exception]";

    /// <summary>Returned instead of a message that could not be sanitized in time.</summary>
    internal const string Withheld = "[redacted: the message could not be sanitized]";

    /// <summary>
    /// Returns <paramref name="message"/> with anything unsafe replaced by a short placeholder (<c>[redacted]</c>,
    /// <c>[path]</c>, <c>[address]</c>, <c>[exception]</c>) and stack-trace lines dropped. See the remarks of
    /// <see cref="MessageSanitizer"/> for the rules.
    /// </summary>
    /// <param name="message">The message; may be <see langword="null"/>.</param>
    /// <returns>
    /// The sanitized message; <see cref="string.Empty"/> for <see langword="null"/>; the message unchanged when nothing
    /// in it was unsafe; a fixed generic message when a pattern timed out. Never throws.
    /// </returns>
    public static string Sanitize(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return string.Empty;
        }

        try
        {
            var text = message;
            if (Has(text, PrivateKeyTriggers))
            {
                text = PrivateKeyPattern().Replace(text, Redacted);
            }

            if (Has(text, StackTraceTriggers))
            {
                var withoutFrames = InlineStackFramePattern().Replace(StackTraceLinePattern().Replace(text, string.Empty), string.Empty);
                text = withoutFrames.Length == text.Length ? text : withoutFrames.TrimEnd();
            }

            if (Has(text, KnownTokenTriggers))
            {
                text = KnownTokenPattern().Replace(text, Redacted);
            }

            if (Has(text, BearerTriggers))
            {
                text = BearerPattern().Replace(text, "${pre}" + Redacted);
            }

            if (Has(text, HeaderTriggers))
            {
                text = HeaderPattern().Replace(text, "${pre}" + Redacted);
            }

            if (text.Contains("://", StringComparison.Ordinal))
            {
                text = UrlUserInfoPattern().Replace(text, "://" + Redacted + "@");
            }

            if (text.Contains('=', StringComparison.Ordinal) && text.Contains(';', StringComparison.Ordinal))
            {
                text = ConnectionStringPattern().Replace(text, Redacted);
            }

            if (Has(text, SecretKeyTriggers))
            {
                text = SecretKeyValuePattern().Replace(text, "${pre}${q}" + Redacted);
            }

            if (Has(text, ExceptionTriggers))
            {
                text = ExceptionTypePattern().Replace(text, ExceptionPlaceholder);
            }

            if (Has(text, WindowsPathTriggers))
            {
                text = WindowsPathPattern().Replace(text, PathPlaceholder);
            }

            if (Has(text, OtherPathTriggers))
            {
                text = OtherPathPattern().Replace(text, PathPlaceholder);
            }

            if (text.Contains('/', StringComparison.Ordinal))
            {
                text = UnixPathPattern().Replace(text, ReplaceUnixPath);
            }

            if (Has(text, InternalHostTriggers))
            {
                text = InternalHostPattern().Replace(text, AddressPlaceholder);
            }

            if (Has(text, PrivateIPv4Triggers))
            {
                text = PrivateIPv4Pattern().Replace(text, AddressPlaceholder);
            }

            if (text.Contains(':', StringComparison.Ordinal))
            {
                text = InternalIPv6Pattern().Replace(text, AddressPlaceholder);
            }

            return text;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A pattern timed out (RegexMatchTimeoutException): nothing of the message may leak.
            return Withheld;
        }
    }

    private static bool Has(string text, SearchValues<string> triggers) => text.AsSpan().ContainsAny(triggers);

    /// <summary>Decides, for one absolute Unix path candidate, whether it is a host path (see the class remarks).</summary>
    private static string ReplaceUnixPath(Match match)
    {
        var candidate = match.ValueSpan;

        // Sentence punctuation after a path is not part of it.
        var end = candidate.Length;
        while (end > 1 && candidate[end - 1] is '.' or ':' or '!')
        {
            end--;
        }

        var path = candidate[..end];
        var body = path.Trim('/');
        if (body.IsEmpty)
        {
            return match.Value;
        }

        var firstEnd = body.IndexOf('/');
        var first = firstEnd < 0 ? body : body[..firstEnd];
        var segments = body.Count('/') + 1;

        var isHostPath = IsHostRoot(first) || (segments >= 3 && !first.Equals("api", StringComparison.OrdinalIgnoreCase));
        return isHostPath ? string.Concat(PathPlaceholder, candidate[end..]) : match.Value;
    }

    private static bool IsHostRoot(ReadOnlySpan<char> segment) => segment switch
    {
        "etc" or "var" or "root" or "home" or "usr" or "opt" or "tmp" or "proc" or "sys" or "dev" or "srv" or "mnt" or "run"
            or "lib" or "lib64" or "lib32" or "bin" or "sbin" or "boot" or "media" or "snap" or "nix" or "work" or "app" or "src"
            or "data" or "workspace" or "build" or "Users" or "private" or "Volumes" or "Library" or "System" => true,
        _ => false,
    };
}
