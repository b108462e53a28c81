using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Phoenix.Gateway.Audit;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>A bare generic host with only <see cref="AuditServiceCollectionExtensions.AddGatewayAudit"/>, on the given settings.</summary>
internal static class AuditHost
{
    public static IHost Build(IDictionary<string, string?> settings, string dataDir, Action<IServiceCollection>? before = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder.Services);
        builder.Services.AddGatewayAudit(builder.Configuration, dataDir);
        return builder.Build();
    }
}
