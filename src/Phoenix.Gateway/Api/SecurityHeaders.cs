namespace Phoenix.Gateway.Api;

/// <summary>Headers on every response: no sniffing, no framing, no referrer, no caching, nothing loaded; HSTS over HTTPS.</summary>
internal static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var response = ((HttpContext)state).Response;
            var headers = response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            if (!headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = "no-store";
            }

            if (((HttpContext)state).Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
