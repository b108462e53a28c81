using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;

namespace Phoenix.Operations.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes/validate/validate.mjs run by node, with its npm packages (kubernetes-models: the API schemas)
/// installed once by <c>npm ci</c> from the committed package-lock.json into a cache directory when the tree has no
/// node_modules. Renders base and overlays once; the rendering is shared by the tests of a class.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ManifestValidator : IAsyncLifetime
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>The validator script.</summary>
    public static string Script => RepositoryRoot.Combine("deploy", "kubernetes", "validate", "validate.mjs");

    /// <summary>The node_modules directory the validator loads its packages from.</summary>
    public string NodeModules { get; private set; } = string.Empty;

    /// <summary>The result of validating base and every overlay.</summary>
    internal CommandResult Result { get; private set; } = new(-1, string.Empty, string.Empty);

    /// <summary>Each rendering (<c>base</c>, <c>overlays/production</c>, …) as its list of objects.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Renderings { get; private set; } = new Dictionary<string, IReadOnlyList<JsonElement>>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        NodeModules = await InstallAsync();
        var json = Path.Combine(Path.GetTempPath(), $"phoenix-k8s-{Guid.NewGuid():N}.json");
        try
        {
            Result = await RunAsync(["--json", json]);
            if (File.Exists(json))
            {
                using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
                Renderings = document.RootElement.EnumerateObject()
                    .ToDictionary(p => p.Name, p => (IReadOnlyList<JsonElement>)[.. p.Value.EnumerateArray().Select(o => o.Clone())]);
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs the validator with <paramref name="args"/>.</summary>
    internal Task<CommandResult> RunAsync(IEnumerable<string> args) =>
        ExternalCommand.RunAsync(ExternalCommand.Require("node", "nodejs"), [Script, .. args], TimeSpan.FromMinutes(2),
            environment: new Dictionary<string, string> { ["PHOENIX_VALIDATE_NODE_MODULES"] = NodeModules });

    private static async Task<string> InstallAsync()
    {
        var validateDir = Path.GetDirectoryName(Script)!;
        var inTree = Path.Combine(validateDir, "node_modules");
        if (Directory.Exists(Path.Combine(inTree, "kubernetes-models")) && Directory.Exists(Path.Combine(inTree, "yaml")))
        {
            return inTree;
        }

        var npm = ExternalCommand.Require("npm", "npm");
        var lockFile = Path.Combine(validateDir, "package-lock.json");
        var key = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)))[..16];
        var cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var dir = Path.Combine(cacheRoot, "phoenix", "kubernetes-validate", key);
        var modules = Path.Combine(dir, "node_modules");
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(dir, ".complete")))
            {
                return modules;
            }

            Directory.CreateDirectory(dir);
            File.Copy(Path.Combine(validateDir, "package.json"), Path.Combine(dir, "package.json"), overwrite: true);
            File.Copy(lockFile, Path.Combine(dir, "package-lock.json"), overwrite: true);
            var install = await ExternalCommand.RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], TimeSpan.FromMinutes(5), dir);
            Assert.True(install.ExitCode == 0, "npm ci of deploy/kubernetes/validate failed (the npm registry must be reachable once):\n" + install.Output);
            await File.WriteAllTextAsync(Path.Combine(dir, ".complete"), key);
            return modules;
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
