using Microsoft.Extensions.Configuration;

namespace Phoenix.Executor.Tests.Runs;

/// <summary>
/// An empty configuration source whose reload the test fires: stands for any other source of the service's
/// configuration changing (appsettings.json, a mounted ConfigMap) while the policy file is being edited.
/// </summary>
public sealed class ReloadTriggerConfigurationProvider : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public void Trigger() => OnReload();
}
