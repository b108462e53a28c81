using System.Runtime.Versioning;
using Phoenix.Operations.Tests.Kubernetes;

namespace Phoenix.Operations.Tests.Containers;

/// <summary>
/// Builds both images once per test class with deploy/containers/build-images.sh: dotnet publish -t:PublishContainer
/// (--no-build: the services were built with the tests) on locally built base images served by a private registry on
/// loopback. The Debian packages and base layouts are cached (~/.cache/phoenix/containers), so only the first run on a
/// machine downloads them.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ContainerImageBuild : IAsyncLifetime
{
    private readonly string _out = Directory.CreateTempSubdirectory("phoenix-images-").FullName;

    /// <summary>The gateway image.</summary>
    internal OciImage Gateway { get; private set; } = null!;

    /// <summary>The executor image.</summary>
    internal OciImage Executor { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        foreach (var (command, package) in new[] { ("docker-registry", "docker-registry"), ("skopeo", "skopeo"), ("curl", "curl"), ("apt-get", "apt"), ("dpkg-deb", "dpkg") })
        {
            ExternalCommand.Require(command, package);
        }

        var args = new List<string> { "--out", _out, "--no-build" };
        args.AddRange(BuildLayout());
        args.AddRange(["gateway", "executor"]);
        var result = await ExternalCommand.RunAsync(RepositoryRoot.Combine("deploy", "containers", "build-images.sh"), args, TimeSpan.FromMinutes(15));
        Assert.True(result.ExitCode == 0, "build-images.sh failed:\n" + result.Output);
        Gateway = OciImage.Load(Path.Combine(_out, "phoenix-gateway.tar"));
        Executor = OciImage.Load(Path.Combine(_out, "phoenix-executor.tar"));
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Directory.Delete(_out, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The configuration and artifacts path these tests were built with, so that publish finds the services' build
    /// output: …/bin/Phoenix.Operations.Tests/release/ (--artifacts-path) or …/bin/Release/net10.0/ (default layout).
    /// </summary>
    private static IEnumerable<string> BuildLayout()
    {
        var parts = AppContext.BaseDirectory.TrimEnd('/').Split('/');
        var project = Array.LastIndexOf(parts, "Phoenix.Operations.Tests");
        if (project > 0 && parts[project - 1] == "bin" && project + 1 < parts.Length)
        {
            var configuration = parts[project + 1].Split('_')[0];
            return ["--configuration", char.ToUpperInvariant(configuration[0]) + configuration[1..], "--artifacts", string.Join('/', parts[..(project - 1)])];
        }

        var bin = Array.LastIndexOf(parts, "bin");
        return ["--configuration", parts[bin + 1]];
    }
}
