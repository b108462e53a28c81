using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Phoenix.Gateway.Tests;

/// <summary>What <see cref="GatewayServiceCollectionExtensions.AddGatewayServices"/> configures beyond the features' own tests.</summary>
public sealed class GatewayServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGatewayServices_NoLoggingConfiguration_FrameworkRequestLogsOffPhoenixLogsOn()
    {
        using var app = Build(new Dictionary<string, string?>());
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        // 4 to 5 Information lines per request cost ~15 % of the gateway's CPU (docs/performance.md).
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Phoenix.Gateway.Forwarding.ExecutorHealthMonitor").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void AddGatewayServices_FrameworkLevelConfigured_ConfigurationWins()
    {
        using var app = Build(new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information" });

        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Listen"] = "http://127.0.0.1:0",
            ["Phoenix:Gateway:DataDir"] = Path.Join(Path.GetTempPath(), "phoenix-gateway-unused-" + Guid.NewGuid().ToString("N")[..8]),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddGatewayServices();
        return builder.Build();
    }
}
