using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Phoenix.Hosting.Configuration;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Hosting;

/// <summary>
/// Registers validated, hot-reloading <see cref="ReloadableSnapshot{T}"/>s built from configuration sections or files.
/// </summary>
/// <remarks>
/// Each snapshot is a singleton, resolvable by its name as service key and, for the first one registered of a type,
/// without key. Every snapshot is created when the host starts (before hosted services): an invalid first value makes
/// <c>StartAsync</c> throw <see cref="OptionsValidationException"/> listing every error of every snapshot.
/// Validation: DataAnnotations (recursively) plus every registered <see cref="IValidateOptions{TOptions}"/> of
/// <c>T</c> (called with the snapshot's name). Clock: the registered <see cref="TimeProvider"/>, else
/// <see cref="TimeProvider.System"/>. A rejected reload keeps the last good value, logs a
/// <c>ConfigurationRejected</c> security event and makes the <c>configuration</c> health check Degraded.
/// </remarks>
public static class ReloadableOptionsExtensions
{
    /// <summary>
    /// Registers a <see cref="ReloadableSnapshot{T}"/> bound from a configuration section, reloaded when the
    /// configuration reloads. Unknown keys in the section are errors (a typo is rejected, not ignored); a missing or
    /// empty section gives <typeparamref name="T"/>'s defaults (its parameterless constructor).
    /// </summary>
    /// <typeparam name="T">The snapshot type: a class with settable or init properties.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">Snapshot name, used as service key and in logs and health (e.g. <c>limits</c>).</param>
    /// <param name="section">Returns the section to bind (e.g. <c>sp =&gt; sp.GetRequiredService&lt;IConfiguration&gt;().GetSection("Phoenix:Limits")</c>).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A snapshot of this type and name is already registered.</exception>
    public static IServiceCollection AddReloadableOptions<T>(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, IConfiguration> section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(section);

        return services.AddSnapshot<T>(name, sp =>
        {
            var configuration = section(sp) ?? throw new InvalidOperationException($"No configuration section for '{name}'.");
            return (() => Bind<T>(configuration), configuration.GetReloadToken);
        });
    }

    /// <summary>
    /// Registers a <see cref="ReloadableSnapshot{T}"/> bound from <paramref name="section"/>; see
    /// <see cref="AddReloadableOptions{T}(IServiceCollection, string, Func{IServiceProvider, IConfiguration})"/>.
    /// </summary>
    /// <typeparam name="T">The snapshot type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">Snapshot name, used as service key and in logs and health.</param>
    /// <param name="section">The section to bind.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddReloadableOptions<T>(this IServiceCollection services, string name, IConfiguration section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddReloadableOptions<T>(name, _ => section);
    }

    /// <summary>
    /// Registers a <see cref="ReloadableSnapshot{T}"/> read from a file (API keys, executor policy), reloaded when the
    /// file changes. The file is polled once a second (existence, size, last write time) on the registered
    /// <see cref="TimeProvider"/>, so changes are seen within about a second on any filesystem, including those where
    /// inotify is unreliable and Kubernetes ConfigMap mounts; replace the file atomically (write, then rename).
    /// A missing, unreadable or unparsable file counts as invalid.
    /// </summary>
    /// <typeparam name="T">The snapshot type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">Snapshot name, used as service key and in logs and health (e.g. <c>api-keys</c>).</param>
    /// <param name="path">Returns the file's path (relative paths are resolved against the current directory).</param>
    /// <param name="parse">Builds the value from the file's content; may throw (that counts as invalid).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddReloadableFile<T>(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, string> path,
        Func<Stream, T> parse)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parse);

        services.AddKeyedSingleton(WatcherKey(name), (sp, _) => new FileChangeWatcher(
            Path.GetFullPath(path(sp)),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            FileChangeWatcher.DefaultInterval));

        return services.AddSnapshot<T>(name, sp =>
        {
            var watcher = sp.GetRequiredKeyedService<FileChangeWatcher>(WatcherKey(name));
            return (() => Read(watcher.Path, parse), watcher.Watch);
        });
    }

    /// <summary>
    /// Registers a <see cref="ReloadableSnapshot{T}"/> read from the file at <paramref name="path"/>; see
    /// <see cref="AddReloadableFile{T}(IServiceCollection, string, Func{IServiceProvider, string}, Func{Stream, T})"/>.
    /// </summary>
    /// <typeparam name="T">The snapshot type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">Snapshot name, used as service key and in logs and health.</param>
    /// <param name="path">The file's path.</param>
    /// <param name="parse">Builds the value from the file's content; may throw (that counts as invalid).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddReloadableFile<T>(this IServiceCollection services, string name, string path, Func<Stream, T> parse)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return services.AddReloadableFile(name, _ => path, parse);
    }

    private static IServiceCollection AddSnapshot<T>(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, (Func<T> Load, Func<Microsoft.Extensions.Primitives.IChangeToken?> ChangeToken)> source)
        where T : class
    {
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(ReloadableSnapshot<T>) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A reloadable snapshot of {typeof(T).Name} named '{name}' is already registered.");
        }

        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var (load, changeToken) = source(sp);
            return new ReloadableSnapshot<T>(
                name,
                load,
                changeToken,
                sp.GetServices<IValidateOptions<T>>(),
                sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                sp.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<ReloadableSnapshot<T>>(name));

        services.AddSingleton(new ReloadableSourceRegistration(
            name,
            sp => sp.GetRequiredKeyedService<ReloadableSnapshot<T>>(name).LastRejection));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReloadableStartupCheck>, ReloadableStartupValidator>());
        services.AddOptions<ReloadableStartupCheck>().ValidateOnStart();
        return services;
    }

    private static T Bind<T>(IConfiguration section)
        where T : class =>
        section.Get<T>(binder => binder.ErrorOnUnknownConfiguration = true) ?? Activator.CreateInstance<T>();

    private static T Read<T>(string path, Func<Stream, T> parse)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return parse(stream);
    }

    private static string WatcherKey(string name) => "file-watcher:" + name;
}
