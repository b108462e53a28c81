using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Reporting;

namespace Phoenix.Resilience.Tests.Reporting;

public sealed class ErrorReportingServiceCollectionExtensionsTests
{
    [Fact]
    public void AddPhoenixErrorReporting_RootConfiguration_BindsTheErrorReportingSection()
    {
        using var provider = Build(Configuration(("Endpoint", "https://reports.example.com/errors"), ("QueueCapacity", "50")));

        var options = provider.GetRequiredService<IOptions<ErrorReportingOptions>>().Value;

        Assert.Equal(new Uri("https://reports.example.com/errors"), options.Endpoint);
        Assert.Equal(50, options.QueueCapacity);
        Assert.Equal(10, options.MaxReportsPerSecond);
        Assert.IsType<ErrorReporter>(provider.GetRequiredService<IErrorReporter>());
    }

    [Fact]
    public void AddPhoenixErrorReporting_TheSectionItself_BindsIt()
    {
        var section = Configuration(("MaxReportsPerSecond", "25")).GetSection(ErrorReportingOptions.SectionName);
        using var provider = Build(section);

        Assert.Equal(25, provider.GetRequiredService<IOptions<ErrorReportingOptions>>().Value.MaxReportsPerSecond);
    }

    [Fact]
    public void AddPhoenixErrorReporting_NoSection_UsesDefaults()
    {
        using var provider = Build(new ConfigurationBuilder().Build());

        var options = provider.GetRequiredService<IOptions<ErrorReportingOptions>>().Value;

        Assert.Null(options.Endpoint);
        Assert.Equal(1000, options.QueueCapacity);
        Assert.Equal(10, options.MaxReportsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SendTimeout);
        Assert.False(options.IncludeInternalDetail);
    }

    [Fact]
    public void AddPhoenixErrorReporting_InvalidValues_FailsStartupValidationListingEveryError()
    {
        using var provider = Build(Configuration(("Endpoint", "ftp://reports.example.com/"), ("QueueCapacity", "0"), ("MaxReportsPerSecond", "0")));

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(exception.Failures, failure => failure.Contains(nameof(ErrorReportingOptions.QueueCapacity), StringComparison.Ordinal));
        Assert.Contains(exception.Failures, failure => failure.Contains(nameof(ErrorReportingOptions.MaxReportsPerSecond), StringComparison.Ordinal));
        Assert.Contains(exception.Failures, failure => failure.Contains(nameof(ErrorReportingOptions.Endpoint), StringComparison.Ordinal));
    }

    [Fact]
    public void AddPhoenixErrorReporting_CalledTwice_RegistersEverythingOnce()
    {
        var services = new ServiceCollection();
        var configuration = Configuration();

        services.AddPhoenixErrorReporting(configuration).AddPhoenixErrorReporting(configuration);

        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IHostedService>().OfType<ErrorReportSender>());
        Assert.Single(provider.GetServices<IErrorReporter>());
    }

    private static ServiceProvider Build(IConfiguration configuration) =>
        new ServiceCollection().AddLogging().AddPhoenixErrorReporting(configuration).BuildServiceProvider();

    private static IConfigurationRoot Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{ErrorReportingOptions.SectionName}:{s.Key}", s.Value)))
            .Build();
}
