using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Forwarding;

/// <summary>
/// Resolves <see cref="ForwardingOptions.Dns"/> every <see cref="ExecutorDnsOptions.RefreshInterval"/> and hands the
/// addresses to the <see cref="ExecutorPool"/>. Each address becomes an executor named <c>{host}-{ip}</c>. A failed
/// or empty resolution keeps the pool as it is.
/// </summary>
internal sealed partial class ExecutorDnsDiscovery(ExecutorPool pool, IOptions<ForwardingOptions> options, TimeProvider time, ILogger<ExecutorDnsDiscovery> logger)
    : BackgroundService
{
    public static IReadOnlyList<ExecutorEndpointOptions> Resolve(ExecutorDnsOptions dns) =>
        ToEndpoints(dns, Dns.GetHostAddresses(dns.Name));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Dns is not { } dns)
        {
            return;
        }

        using var timer = new PeriodicTimer(dns.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(dns.Name, stoppingToken).ConfigureAwait(false);
                pool.Refresh(ToEndpoints(dns, addresses));
            }
            catch (SocketException ex)
            {
                LogResolveFailed(logger, dns.Name, ex.SocketErrorCode.ToString());
            }
        }
    }

    private static ExecutorEndpointOptions[] ToEndpoints(ExecutorDnsOptions dns, IPAddress[] addresses) =>
        addresses
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Distinct()
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)
            .Select(a => new ExecutorEndpointOptions
            {
                Name = dns.Name.Split('.')[0] + "-" + a.ToString().Replace(':', '-'),
                Address = string.Create(CultureInfo.InvariantCulture, $"{dns.Scheme}://{(a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString())}:{dns.Port}"),
            })
            .ToArray();

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Resolving executors at {Name} failed ({Error}); keeping the current executors")]
    private static partial void LogResolveFailed(ILogger logger, string name, string error);
}
