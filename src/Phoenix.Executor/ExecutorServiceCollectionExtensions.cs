using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Phoenix.Executor.Grpc;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Runs;
using Phoenix.Executor.Sandbox;
using Phoenix.Executor.Sandbox.Pool;
using Phoenix.Hosting;

namespace Phoenix.Executor;

/// <summary>Registers and maps the executor.</summary>
public static class ExecutorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the executor: options (validated at start), the live policy (<c>Phoenix:Executor:Policy</c>, plus the
    /// JSON file named by <c>Phoenix:Executor:PolicyFile</c>, reloaded on change), the sandbox, the run coordinator,
    /// gRPC with health, and Kestrel endpoints from <see cref="ExecutorOptions"/>.
    /// </summary>
    public static WebApplicationBuilder AddExecutorServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ExecutorOptions>().BindConfiguration(ExecutorOptions.SectionName, o => o.ErrorOnUnknownConfiguration = false)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>());
        // The policy comes from its own file when one is named (validated as a whole: an unreadable or unparsable
        // file is a rejected reload, never an empty policy), otherwise from the Phoenix:Executor:Policy section.
        if (builder.Configuration[$"{ExecutorOptions.SectionName}:PolicyFile"] is { Length: > 0 } policyFile)
        {
            services.AddReloadableFile<PolicyOptions>("executor-policy", Path.GetFullPath(policyFile), ParsePolicyFile);
        }
        else
        {
            services.AddReloadableOptions<PolicyOptions>("executor-policy", sp => sp.GetRequiredService<IConfiguration>().GetSection(PolicyOptions.SectionName));
        }

        services.AddReloadableOptions<WarmPoolOptions>("executor-warm-pool", sp => sp.GetRequiredService<IConfiguration>().GetSection(WarmPoolOptions.SectionName));
        services.TryAddSingleton<PolicyStore>();
        services.TryAddSingleton(CreateBubblewrap);
        services.TryAddSingleton<WarmSandboxPool>();
        services.TryAddSingleton(CreateSandbox);
        services.TryAddSingleton<RunCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<RunCoordinator>());

        // After the coordinator: its start removes stale sandboxes before the pool fills; its drain ends before the pool stops.
        services.AddHostedService<WarmPoolLifetime>();
        services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        services.AddGrpcHealthChecks();
        builder.WebHost.ConfigureKestrel((context, kestrel) => ConfigureEndpoints(kestrel, context.Configuration));
        return builder;
    }

    /// <summary>Maps the executor's gRPC service, gRPC health and the default probe and metrics endpoints.</summary>
    public static WebApplication MapExecutor(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<ExecutorGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>A policy file is JSON with the same shape as the configuration: <c>{"Phoenix":{"Executor":{"Policy":{…}}}}</c>.</summary>
    internal static PolicyOptions ParsePolicyFile(Stream stream)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        return configuration.GetSection(PolicyOptions.SectionName).Get<PolicyOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new PolicyOptions();
    }

    private static ISandbox CreateSandbox(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        return options.Mode == SandboxMode.Unsandboxed
            ? new UnsandboxedProcess(options.Root ?? DefaultRoot(services.GetRequiredService<IConfiguration>()), services.GetRequiredService<TimeProvider>())
            : new PooledSandbox(services.GetRequiredService<BubblewrapSandbox>(), services.GetRequiredService<WarmSandboxPool>());
    }

    private static BubblewrapSandbox CreateBubblewrap(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        var root = options.Root ?? DefaultRoot(services.GetRequiredService<IConfiguration>());
        return new BubblewrapSandbox(options, root, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<BubblewrapSandbox>>());
    }

    private static string DefaultRoot(IConfiguration configuration)
    {
        if (Native.IsRoot)
        {
            return "/var/lib/phoenix/sandbox";
        }

        var data = configuration["PHOENIX_DATA_DIR"] is { Length: > 0 } dir ? dir : Path.Join(Environment.CurrentDirectory, ".phoenix");
        return Path.Join(Path.GetFullPath(data), "sandbox");
    }

    private static void ConfigureEndpoints(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        var options = configuration.GetSection(ExecutorOptions.SectionName).Get<ExecutorOptions>() ?? new ExecutorOptions();
        var grpc = new Uri(options.Listen);
        kestrel.Listen(Resolve(grpc), listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (options.Tls is { } tls)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
                    if (tls.ClientCaPath is { Length: > 0 } caPath)
                    {
                        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, ca);
                    }
                });
            }
        });

        if (options.MetricsListen is { Length: > 0 } metrics)
        {
            kestrel.Listen(Resolve(new Uri(metrics)), listen => listen.Protocols = HttpProtocols.Http1);
        }
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static IPEndPoint Resolve(Uri uri)
    {
        var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
        return new IPEndPoint(address, uri.Port);
    }
}
