using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Tests.Errors;

public sealed class PhoenixProblemDetailsTests
{
    [Fact]
    public void Create_PolicyViolation_HasRfc9457MembersCodeAndTraceId()
    {
        var error = PhoenixError.Create(ErrorKind.PolicyViolation, "policy.command_not_allowed", "Command 'nc' is not allowed by policy.");

        var problem = PhoenixProblemDetails.Create(error, traceId: "4bf92f3577b34da6a3ce929d0e0e4736");

        Assert.Equal("urn:phoenix:problem:policy-violation", problem.Type);
        Assert.Equal(403, problem.Status);
        Assert.Equal("The request is not allowed by policy.", problem.Title);
        Assert.Equal("Command 'nc' is not allowed by policy.", problem.Detail);
        Assert.Equal("policy.command_not_allowed", problem.Extensions["code"]);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", problem.Extensions["traceId"]);
    }

    [Fact]
    public void Create_InternalDetail_NeverAppearsInBody()
    {
        var error = PhoenixError.Create(ErrorKind.Internal, "internal.unexpected", "An internal error occurred.",
            internalDetail: "System.IO.IOException: /var/lib/phoenix/sandbox/run-7 is busy");

        var json = JsonSerializer.Serialize(PhoenixProblemDetails.Create(error, "abc"));

        Assert.DoesNotContain("/var/lib", json, StringComparison.Ordinal);
        Assert.DoesNotContain("IOException", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FieldErrors_ProducesValidationProblemWithErrorsMap()
    {
        var error = PhoenixError.Validation(new Dictionary<string, string[]>
        {
            ["limits.timeoutMs"] = ["must be between 1 and 60000"],
        });

        var problem = PhoenixProblemDetails.Create(error, "t");

        var validation = Assert.IsType<HttpValidationProblemDetails>(problem);
        Assert.Equal(400, validation.Status);
        Assert.Equal(["must be between 1 and 60000"], validation.Errors["limits.timeoutMs"]);
    }

    [Fact]
    public void Create_NoTraceIdGiven_UsesCurrentActivityTraceId()
    {
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        var problem = PhoenixProblemDetails.Create(PhoenixError.Create(ErrorKind.NotFound, "x.missing", "Not here."));

        Assert.Equal(activity.TraceId.ToHexString(), problem.Extensions["traceId"]);
    }

    [Fact]
    public void Create_NoActivity_StillHasA32HexTraceId()
    {
        Activity.Current = null;

        var problem = PhoenixProblemDetails.Create(PhoenixError.Create(ErrorKind.NotFound, "x.missing", "Not here."));

        Assert.Matches("^[0-9a-f]{32}$", (string)problem.Extensions["traceId"]!);
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(12.3, 13)]
    public void RetryAfterSeconds_Fraction_RoundsUpToWholeSecondAtLeastOne(double seconds, int expected)
    {
        var error = PhoenixError.Create(ErrorKind.RateLimited, "rate.limited", "Too many.") with { RetryAfter = TimeSpan.FromSeconds(seconds) };

        Assert.Equal(expected, PhoenixProblemDetails.RetryAfterSeconds(error));
    }
}
