using Phoenix.Resilience.Sanitization;

namespace Phoenix.Resilience.Tests.Sanitization;

public sealed class MessageSanitizerTests
{
    /// <summary>A message that leaks something, and the exact text that must not survive.</summary>
    public static TheoryData<string, string> LeakingMessages => new()
    {
        // API keys.
        { "Invalid key phx_live_9f8e7d6c5b4a3928 for this route.", "9f8e7d6c5b4a3928" },
        { "upstream rejected sk-proj-Abc123Def456Ghi789Jkl0", "Abc123Def456Ghi789Jkl0" },
        { "aws key AKIAIOSFODNN7EXAMPLE is disabled", "AKIAIOSFODNN7EXAMPLE" },
        { "clone failed with ghp_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c6912E7710c838347Ae178B4a" },
        { "slack said no to xoxb-123456789012-abcdefghijkl", "123456789012-abcdefghijkl" },
        { "request had api_key=abc123secretvalue and was rejected", "abc123secretvalue" },
        { "apikey: Zm9vYmFyYmF6cXV4 is invalid", "Zm9vYmFyYmF6cXV4" },
        { "X-Phoenix-Api-Key: k3y-v4lu3-0001 not recognised", "k3y-v4lu3-0001" },
        { "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI" },
        { "client_secret=cl13nt-s3cr3t was refused", "cl13nt-s3cr3t" },

        // Bearer tokens and JWTs.
        { "Authorization: Bearer abc.def-ghi_jkl123 was rejected", "abc.def-ghi_jkl123" },
        { "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlX3g expired", "eyJzdWIiOiJhbGljZSJ9" },
        { "sent bearer opaque-token-1234567890 upstream", "opaque-token-1234567890" },
        { "Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy" },
        { "Cookie: session=c00k1e-v4lue; theme=dark", "c00k1e-v4lue" },

        // Passwords.
        { "login failed: password=hunter2!", "hunter2" },
        { "pwd=Tr0ub4dor; retry later", "Tr0ub4dor" },
        { "{\"user\":\"bob\",\"password\": \"c0rrect h0rse\"}", "c0rrect h0rse" },
        { "could not connect to https://admin:S3cretPass@example.com/api", "S3cretPass" },

        // Connection strings.
        { "Host=db.example.com;Port=5432;Username=phoenix;Password=PgS3cret;Database=audit", "PgS3cret" },
        { "open failed: Server=sql01;User Id=sa;Password=SqlS3cret;", "SqlS3cret" },
        { "postgres://phoenix:PgUrlS3cret@db.example.com:5432/audit is down", "PgUrlS3cret" },
        { "redis://:RedisS3cret@cache.example.com:6379 refused", "RedisS3cret" },

        // Private keys.
        { "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7xQ\n-----END RSA PRIVATE KEY-----\ndone", "MIIEowIBAAKCAQEA7xQ" },
        { "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA (truncated", "b3BlbnNzaC1rZXktdjEAAAA" },

        // Host paths.
        { "cannot open /var/lib/phoenix/sandbox/run-1/x", "/var/lib/phoenix" },
        { "python3 resolved to /root/.pyenv/shims/python3", ".pyenv" },
        { "read /etc/shadow: permission denied", "/etc/shadow" },
        { "config at '/home/alice/.config/phoenix.json' is invalid", "alice" },
        { "workdir /srv/a/b/c is full", "/srv/a" },
        { "C:\\Users\\alice\\AppData\\phoenix.db is locked", "alice" },
        { "share \\\\fileserver\\secrets\\keys.txt not found", "fileserver" },
        { "file:///etc/passwd is not allowed", "/etc/passwd" },
        { "missing ~/.ssh/id_rsa", "id_rsa" },
        { "deep path /x/y/z/w is outside the workdir", "/x/y/z" },

        // Stack traces and exception types.
        { "Unhandled error\n   at Phoenix.Executor.Sandbox.Run() in /src/Phoenix.Executor/Sandbox.cs:line 42\n   at Program.Main()", "Sandbox.Run" },
        { "boom\n--- End of stack trace from previous location ---\n   at X.Y()", "End of stack trace" },
        { "System.IO.IOException: disk full", "System.IO.IOException" },
        { "Traceback (most recent call last):\n  File \"/app/main.py\", line 3, in <module>\nValueError: bad", "main.py" },
        { "failed: java.lang.NullPointerException at startup", "NullPointerException" },

        // Internal addresses.
        { "executor at 10.0.3.17:5001 unavailable", "10.0.3.17" },
        { "dial 172.20.1.5 failed", "172.20.1.5" },
        { "proxy 192.168.1.10 refused", "192.168.1.10" },
        { "loopback 127.0.0.1:8080 closed", "127.0.0.1" },
        { "metadata 169.254.169.254 blocked", "169.254.169.254" },
        { "connect [::1]:5001 refused", "::1" },
        { "address fd12:3456:789a::1 unreachable", "fd12:3456:789a::1" },
        { "executor localhost:5001 is down", "localhost" },
        { "executor-0.executors.phoenix.svc.cluster.local:5001 is down", "svc.cluster.local" },
        { "metadata.google.internal timed out", "google.internal" },
    };

    /// <summary>Messages with nothing to hide: they must come back exactly as given.</summary>
    public static TheoryData<string> HarmlessMessages => new()
    {
        "Command 'rm' is not allowed by policy.",
        "field 'limits.timeoutMs' must be between 1 and 60000",
        "relative path main.py is fine",
        "args[0] must not contain NUL",
        "Rate limit of 100 requests per minute exceeded; retry in 12 s.",
        "Upgrade to version 1.2.3.4 is required.",
        "The run took 10.5 s of 30.0 s.",
        "Write files under src/app/main.py only.",
        "POST /api/v1/execute failed validation.",
        "See /health and /schemas/execute.json for details.",
        "GET /api/v1/sse/vitals requires the vitals permission.",
        "env name LD_PRELOAD is not allowed",
        "stdout truncated at 1048576 bytes",
        "The token has expired.",
        "Use https://example.com/docs for help.",
        "Executor capacity is 5 of 5; try again later.",
        "memoryMb must be at most 512 (policy maximum).",
        "Exit code 137 (killed by signal 9).",
        "line one\nline two",
        "cpuPercent is 50 and maxProcesses is 5/10 used",
        "Bearer authentication is required.",
        "Retry at least 3 times (with backoff).",
    };

    /// <summary>Inputs built to make a careless pattern backtrack for ever, each followed by a secret.</summary>
    public static TheoryData<string> HostileInputs => new()
    {
        Repeat("a", 1_000_000),
        Repeat("a-", 500_000),
        Repeat("a.", 500_000),
        Repeat("/a", 500_000),
        Repeat("a/", 500_000),
        Repeat(" at a.", 200_000),
        Repeat("x:", 500_000),
        Repeat("1.1.", 250_000),
        Repeat("fd00:", 200_000),
        "Bearer " + Repeat("a", 1_000_000),
        Repeat("-----BEGIN PRIVATE KEY-----", 40_000),
        Repeat("password=", 100_000),
        Repeat("Host=a;", 150_000),
        Repeat("C:\\ ", 250_000),
        Repeat("eyJ", 300_000),
        Repeat("\\\\a", 300_000),
    };

    [Theory]
    [MemberData(nameof(LeakingMessages))]
    public void Sanitize_LeakingMessage_RemovesTheSecret(string message, string secret)
    {
        var sanitized = MessageSanitizer.Sanitize(message);

        Assert.DoesNotContain(secret, sanitized, StringComparison.Ordinal);
        Assert.NotEqual(MessageSanitizer.Withheld, sanitized);
    }

    [Theory]
    [MemberData(nameof(HarmlessMessages))]
    public void Sanitize_HarmlessMessage_ReturnsItUnchanged(string message)
    {
        Assert.Equal(message, MessageSanitizer.Sanitize(message));
    }

    [Fact]
    public void Sanitize_Null_ReturnsEmpty()
    {
        Assert.Equal(string.Empty, MessageSanitizer.Sanitize(null));
    }

    [Fact]
    public void Sanitize_Empty_ReturnsEmpty()
    {
        Assert.Equal(string.Empty, MessageSanitizer.Sanitize(string.Empty));
    }

    [Theory]
    [InlineData("cannot open /etc/shadow.", "cannot open [path].")]
    [InlineData("login failed: password=hunter2", "login failed: password=[redacted]")]
    [InlineData("{\"password\": \"hunter2\"}", "{\"password\": \"[redacted]\"}")]
    [InlineData("executor 10.0.0.5:5001 is down", "executor [address] is down")]
    [InlineData("key phx_abcdef123456 revoked", "key [redacted] revoked")]
    [InlineData("Authorization: Bearer abc.def.ghi1", "Authorization: [redacted]")]
    [InlineData("System.IO.IOException: disk full", "[exception]: disk full")]
    [InlineData("System.Exception: boom", "[exception]: boom")]
    [InlineData("missing ~/.ssh/id_rsa", "missing [path]")]
    [InlineData("connect [::1]:5001 refused", "connect [address] refused")]
    [InlineData("https://bob:pw1@example.com/x", "https://[redacted]@example.com/x")]
    public void Sanitize_UnsafePart_ReplacedWithPlaceholder(string message, string expected)
    {
        Assert.Equal(expected, MessageSanitizer.Sanitize(message));
    }

    [Fact]
    public void Sanitize_StackTrace_DropsFrameLines()
    {
        const string message = "Sandbox failed\n   at Phoenix.Executor.Sandbox.Run(String cmd) in /src/Sandbox.cs:line 42\n"
            + "--- End of stack trace from previous location ---\n   at Program.Main()\n";

        Assert.Equal("Sandbox failed", MessageSanitizer.Sanitize(message));
    }

    [Fact]
    public void Sanitize_SeveralSecretsInOneMessage_RemovesEveryOne()
    {
        const string message =
            "System.Net.Http.HttpRequestException: POST to 10.1.2.3:8443 with X-Phoenix-Api-Key: phx_abcdef0123456789 "
            + "and Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnX3NpZ25hdHVyZQ failed; "
            + "db Host=db.internal;Username=u;Password=DbS3cret; file /var/lib/phoenix/keys.json; "
            + "fallback postgres://u:UrlS3cret@[fd00::2]:5432/x\n   at Phoenix.Gateway.Forwarder.Send() in /src/Forwarder.cs:line 7";

        var sanitized = MessageSanitizer.Sanitize(message);

        string[] secrets =
        [
            "HttpRequestException", "10.1.2.3", "phx_abcdef0123456789", "eyJzdWIiOiJhIn0", "DbS3cret", "db.internal",
            "/var/lib/phoenix", "UrlS3cret", "fd00::2", "Forwarder.Send", "Forwarder.cs",
        ];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, sanitized, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public void Sanitize_RegexHostileLongInput_FinishesWithoutTheSecret(string prefix)
    {
        var message = prefix + " password=hunter2 and key phx_ABCDEF123456789";

        var sanitized = MessageSanitizer.Sanitize(message);

        Assert.DoesNotContain("hunter2", sanitized, StringComparison.Ordinal);
        Assert.DoesNotContain("phx_ABCDEF123456789", sanitized, StringComparison.Ordinal);
    }

    private static string Repeat(string value, int count) => string.Concat(Enumerable.Repeat(value, count));
}
