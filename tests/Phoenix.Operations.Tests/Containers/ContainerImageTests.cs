using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Phoenix.Operations.Tests.Kubernetes;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Containers;

/// <summary>The images dotnet publish -t:PublishContainer makes from the csproj settings, read from their tarballs.</summary>
[SupportedOSPlatform("linux")]
public sealed class ContainerImageTests(ContainerImageBuild images) : IClassFixture<ContainerImageBuild>
{
    [Fact]
    public void GatewayImage_Config_NonRootUserDotnetEntrypointPort8080()
    {
        var config = images.Gateway.Config;

        Assert.Equal("1654", config.GetProperty("User").GetString());
        Assert.Equal(["dotnet", "/app/Phoenix.Gateway.dll"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/app/", config.GetProperty("WorkingDir").GetString());
        Assert.Equal(["8080/tcp"], config.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name));
        Assert.Equal("http://0.0.0.0:8080", images.Gateway.Environment["Phoenix__Gateway__Listen"]);
        Assert.Equal("/var/lib/phoenix", images.Gateway.Environment["Phoenix__Gateway__DataDir"]);
        Assert.Equal("phoenix-gateway", config.GetProperty("Labels").GetProperty("org.opencontainers.image.title").GetString());
    }

    [Fact]
    public void GatewayImage_Layers_AppOnTopOfTheAspNetRuntimeWithTheAppUser()
    {
        var (baseLayer, appLayer) = (images.Gateway.LayerDigests[0], images.Gateway.LayerDigests[^1]);

        Assert.Contains("app/Phoenix.Gateway.dll", images.Gateway.LayerPaths(appLayer));
        var basePaths = images.Gateway.LayerPaths(baseLayer);
        Assert.Contains(basePaths, p => p.StartsWith("usr/share/dotnet/shared/Microsoft.AspNetCore.App/10.", StringComparison.Ordinal));
        Assert.Contains("usr/bin/dotnet", basePaths);
        Assert.Contains("app:x:1654:1654:", images.Gateway.LayerFile(baseLayer, "etc/passwd"), StringComparison.Ordinal);
    }

    [Fact]
    public void ExecutorImage_Config_RootForCgroupsWithGrpcAndMetricsPorts()
    {
        var config = images.Executor.Config;

        Assert.Equal("root", config.GetProperty("User").GetString());
        Assert.Equal(["dotnet", "/app/Phoenix.Executor.dll"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["50061/tcp", "9461/tcp"], config.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("http://0.0.0.0:50061", images.Executor.Environment["Phoenix__Executor__Listen"]);
        Assert.Equal("http://0.0.0.0:9461", images.Executor.Environment["Phoenix__Executor__MetricsListen"]);
    }

    [Fact]
    public void ExecutorImage_BaseLayer_HasTheSandboxTools()
    {
        var paths = images.Executor.LayerPaths(images.Executor.LayerDigests[0]).ToHashSet(StringComparer.Ordinal);

        Assert.All(new[] { "usr/bin/bwrap", "usr/bin/setpriv", "usr/bin/prlimit", "usr/bin/sh", "usr/bin/python3", "usr/bin/dotnet" }, tool => Assert.Contains(tool, paths));
        Assert.Contains("app/Phoenix.Executor.dll", images.Executor.LayerPaths(images.Executor.LayerDigests[^1]));
    }

    [Fact]
    public async Task GatewayImage_Started_RunsAsItsUserAndServesTheApi()
    {
        // No container engine here: bubblewrap runs the image's file system with its user, working directory,
        // environment and entrypoint, as a runtime would (host network, so the test can call it).
        var bwrap = ExternalCommand.Require("bwrap", "bubblewrap");
        var root = Directory.CreateTempSubdirectory("phoenix-image-run-").FullName;
        try
        {
            var rootfs = Path.Combine(root, "rootfs");
            await images.Gateway.UnpackAsync(rootfs);
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            const string Key = "phx_image-smoke-test-key-not-a-secret";
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
            await File.WriteAllTextAsync(Path.Combine(data, "keys.json"), $$"""{"keys":[{"id":"smoke","hash":"sha256:{{hash}}","permissions":["audit"]}]}""");
            var config = images.Gateway.Config;
            var user = config.GetProperty("User").GetString()!;
            var port = FreePorts.Next();
            var args = new List<string>
            {
                "--unshare-user", "--uid", user, "--gid", user, "--unshare-pid", "--die-with-parent",
                "--ro-bind", rootfs, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var",
                "--bind", data, "/var/lib/phoenix", "--chdir", config.GetProperty("WorkingDir").GetString()!, "--clearenv",
            };
            foreach (var (name, value) in images.Gateway.Environment)
            {
                args.AddRange(["--setenv", name, value]);
            }

            args.AddRange(config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!));
            args.Add($"--Phoenix:Gateway:Listen=http://127.0.0.1:{port}");
            await using var gateway = ServiceProcess.Start(bwrap, args, name: "gateway image");

            await gateway.WaitForHttpAsync(new Uri($"http://127.0.0.1:{port}/healthz"), TimeSpan.FromSeconds(90));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            http.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", Key);
            using var audit = await http.GetAsync("api/v1/audit");
            Assert.True(audit.StatusCode == HttpStatusCode.OK, await audit.Content.ReadAsStringAsync() + gateway.Tail());
            Assert.True(File.Exists(Path.Combine(data, "audit.db")), "the gateway did not create its audit database in the data directory");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
