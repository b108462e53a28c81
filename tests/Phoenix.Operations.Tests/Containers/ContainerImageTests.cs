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

    [Fact]
    public async Task ExecutorImage_Started_RunsACommandInItsSandbox()
    {
        // As a privileged container would: the image's file system as the root of a private mount namespace (pivot_root:
        // the kernel refuses user namespaces, which bubblewrap needs, to a chrooted process), /proc, /dev and /sys of the
        // host, its environment and entrypoint; host network so that a gateway started by the test can forward to it.
        var unshare = ExternalCommand.Require("unshare", "util-linux");
        ExternalCommand.Require("pivot_root", "util-linux");
        var root = Directory.CreateTempSubdirectory("phoenix-executor-image-").FullName;
        var (grpc, metrics, http) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var cgroupParent = $"phoenix-test-{Guid.NewGuid():N}";
        try
        {
            var rootfs = Path.Combine(root, "rootfs");
            await images.Executor.UnpackAsync(rootfs);
            Directory.CreateDirectory(Path.Combine(rootfs, ".oldroot"));
            var env = new Dictionary<string, string>(images.Executor.Environment)
            {
                ["Phoenix__Executor__Listen"] = $"http://127.0.0.1:{grpc}",
                ["Phoenix__Executor__MetricsListen"] = $"http://127.0.0.1:{metrics}",
                ["Phoenix__Executor__Sandbox__CgroupParent"] = cgroupParent,
            };
            var command = string.Join(' ', env.Select(p => Quote($"{p.Key}={p.Value}")))
                + " " + string.Join(' ', images.Executor.Config.GetProperty("Entrypoint").EnumerateArray().Select(e => Quote(e.GetString()!)));
            var script = Path.Combine(root, "run.sh");
            await File.WriteAllTextAsync(script, $"""
                set -e
                R={rootfs}
                mount --bind "$R" "$R"
                mount -t proc proc "$R/proc"
                mount --rbind /dev "$R/dev"
                mount --rbind /sys "$R/sys"
                mount -t tmpfs tmpfs "$R/tmp"
                mount -t tmpfs tmpfs "$R/var/lib/phoenix"
                cd "$R"
                pivot_root . .oldroot
                cd {images.Executor.Config.GetProperty("WorkingDir").GetString()}
                exec /usr/bin/env -i /bin/sh -c '/.oldroot/usr/bin/umount -l /.oldroot; exec /usr/bin/env {command.Replace("'", string.Empty, StringComparison.Ordinal)}'
                """);
            await using var executor = ServiceProcess.Start(unshare, ["--mount", "--propagation", "private", "--fork", "--kill-child", "bash", script], name: "executor image");
            await executor.WaitForHttpAsync(new Uri($"http://127.0.0.1:{metrics}/readyz"), TimeSpan.FromSeconds(90));

            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            const string Key = "phx_executor-image-test-key-not-a-secret";
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
            await File.WriteAllTextAsync(Path.Combine(data, "keys.json"), $$"""{"keys":[{"id":"smoke","hash":"sha256:{{hash}}","permissions":["execute"]}]}""");
            await using var gateway = ServiceProcess.StartDll("Phoenix.Gateway.dll",
                [$"--Phoenix:Gateway:Listen=http://127.0.0.1:{http}", $"--Phoenix:Gateway:DataDir={data}",
                 "--Phoenix:Gateway:Forwarding:Executors:0:Name=image", $"--Phoenix:Gateway:Forwarding:Executors:0:Address=http://127.0.0.1:{grpc}"], name: "gateway");
            await gateway.WaitForHttpAsync(new Uri($"http://127.0.0.1:{http}/readyz"), TimeSpan.FromSeconds(90));

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/"), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", Key);
            using var response = await client.PostAsync("api/v1/execute", new StringContent("""{"command":"python3","args":["-c","import os; print(6*7, os.getuid())"]}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.True(body.Contains("\"status\":\"succeeded\"", StringComparison.Ordinal) && body.Contains("\"stdout\":\"42 1000\\n\"", StringComparison.Ordinal), body + "\n" + executor.Tail());
        }
        finally
        {
            foreach (var controller in new[] { "memory", "pids", "cpu,cpuacct", "cpu", "cpuacct" })
            {
                var dir = Path.Combine("/sys/fs/cgroup", controller, cgroupParent);
                if (Directory.Exists(dir))
                {
                    try
                    {
                        Directory.Delete(dir);
                    }
                    catch (IOException)
                    {
                        // not empty: the executor removes its run groups itself
                    }
                }
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", string.Empty, StringComparison.Ordinal) + "'";
}
