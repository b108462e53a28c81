using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Phoenix.Resilience.Reporting;

/// <summary>Registers Phoenix error reporting.</summary>
public static class ErrorReportingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IErrorReporter"/> with <see cref="ErrorReportingOptions"/> bound from
    /// <c>Phoenix:Resilience:ErrorReporting</c> (unknown keys are errors), validated when the host starts
    /// (DataAnnotations plus: the endpoint must be an absolute http or https URI), the metrics on the
    /// <c>Phoenix.Resilience</c> meter, the named <see cref="HttpClient"/> <c>Phoenix.ErrorReporting</c> and the
    /// hosted service that sends reports. A <see cref="TimeProvider"/> already registered is used, otherwise
    /// <see cref="TimeProvider.System"/>. Calling it again changes nothing.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">
    /// The configuration: either the <c>Phoenix:Resilience:ErrorReporting</c> section itself or a configuration that
    /// contains it (such as the root).
    /// </param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IServiceCollection AddPhoenixErrorReporting(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        if (services.Any(descriptor => descriptor.ServiceType == typeof(ErrorReportQueue)))
        {
            return services;
        }

        var options = section is IConfigurationSection { Path: var path } && string.Equals(path, ErrorReportingOptions.SectionName, StringComparison.OrdinalIgnoreCase)
            ? section
            : section.GetSection(ErrorReportingOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddOptions<ErrorReportingOptions>()
            .Bind(options, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ErrorReportingOptions>, ErrorReportingOptionsValidator>());
        services.TryAddSingleton(sp => new ErrorReportingMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<ErrorReportQueue>();
        services.TryAddSingleton<IErrorReporter, ErrorReporter>();
        services.AddHttpClient(ErrorReportSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ErrorReportSender>());
        return services;
    }
}
