using Phoenix.Gateway.Vitals;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// Holds a run slot (<see cref="IRunAdmission"/>) while the handler runs; answers 503 problem+json
/// (<c>ResourceExhausted</c>, <c>Retry-After: 1</c>) when none is free and the queue is full. The slot is freed when
/// the handler returns, before its result is written.
/// </summary>
internal sealed class RunAdmissionFilter : IEndpointFilter
{
    private readonly IRunAdmission _admission;

    public RunAdmissionFilter(IRunAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        _admission = admission;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        using var admission = await _admission.TryEnterAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
        GatewayTracing.Admission(context.HttpContext, admission.IsAdmitted);
        return admission.IsAdmitted
            ? await next(context).ConfigureAwait(false)
            : RateLimitProblems.RunsExhausted(context.HttpContext);
    }
}
