using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Kubernetes;

/// <summary>
/// The rendered ConfigMaps configure real services: an executor started with phoenix-executor-config's environment
/// and phoenix-executor-policy's file, and a gateway with phoenix-gateway-config's environment, discovering the
/// executor through DNS as in the cluster. Only what cannot exist here is replaced: addresses become loopback ports,
/// paths temporary directories, PostgreSQL the embedded SQLite store, the DNS name localhost.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ConfigMapStartupTests(ManifestValidator validator) : IClassFixture<ManifestValidator>
{
    [Fact]
    public async Task ProductionConfigMaps_StartRealServices_RunReachesASandboxThroughDnsDiscovery()
    {
        var objects = validator.Renderings["overlays/production"];
        var root = Directory.CreateTempSubdirectory("phoenix-configmaps-").FullName;
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var (grpc, metrics, http) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var cgroupParent = $"phoenix-test-{Guid.NewGuid():N}";
        try
        {
            var policyFile = Path.Combine(root, "policy.json");
            await File.WriteAllTextAsync(policyFile, Data(objects, "phoenix-executor-policy")["policy.json"]);
            var executorEnv = Data(objects, "phoenix-executor-config");
            executorEnv["Phoenix__Executor__Name"] = "executor-from-configmap";
            executorEnv["Phoenix__Executor__Listen"] = $"http://127.0.0.1:{grpc}";
            executorEnv["Phoenix__Executor__MetricsListen"] = $"http://127.0.0.1:{metrics}";
            executorEnv["Phoenix__Executor__PolicyFile"] = policyFile;
            executorEnv["Phoenix__Executor__Sandbox__Root"] = Path.Combine(root, "sandbox");
            executorEnv["Phoenix__Executor__Sandbox__CgroupParent"] = cgroupParent;
            await using var executor = ServiceProcess.StartDll("Phoenix.Executor.dll", [], Nullable(executorEnv), "executor");
            await executor.WaitForHttpAsync(new Uri($"http://127.0.0.1:{metrics}/readyz"), TimeSpan.FromSeconds(90));

            const string Key = "phx_configmap-startup-test-key-not-a-secret";
            var keysFile = Path.Combine(root, "keys.json");
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
            await File.WriteAllTextAsync(keysFile, $$"""{"keys":[{"id":"ops","hash":"sha256:{{hash}}","permissions":["execute","audit"]}]}""");
            var gatewayEnv = Data(objects, "phoenix-gateway-config");
            gatewayEnv["Phoenix__Gateway__Listen"] = $"http://127.0.0.1:{http}";
            gatewayEnv["Phoenix__Gateway__DataDir"] = Path.Combine(root, "data");
            gatewayEnv["Phoenix__Gateway__KeysFile"] = keysFile;
            gatewayEnv["Phoenix__Gateway__Audit__Provider"] = "Sqlite";
            gatewayEnv["Phoenix__Gateway__Forwarding__Dns__Name"] = "localhost";
            gatewayEnv["Phoenix__Gateway__Forwarding__Dns__Port"] = grpc.ToString(System.Globalization.CultureInfo.InvariantCulture);
            gatewayEnv["Phoenix__Gateway__Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            await using var gateway = ServiceProcess.StartDll("Phoenix.Gateway.dll", [], Nullable(gatewayEnv), "gateway");
            await gateway.WaitForHttpAsync(new Uri($"http://127.0.0.1:{http}/readyz"), TimeSpan.FromSeconds(90));

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/"), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", Key);
            using var response = await client.PostAsync("api/v1/execute", new StringContent("""{"command":"python3","args":["-c","print(6*7)"]}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body + "\n" + gateway.Tail() + "\n" + executor.Tail());
            using var json = JsonDocument.Parse(body);
            Assert.Equal("succeeded", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("42\n", json.RootElement.GetProperty("stdout").GetString());
            Assert.Equal("executor-from-configmap", json.RootElement.GetProperty("executor").GetString());
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
                        // not empty yet: the executor removes its run groups itself
                    }
                }
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static Dictionary<string, string> Data(IReadOnlyList<JsonElement> objects, string configMap) =>
        objects.Single(o => o.GetProperty("kind").GetString() == "ConfigMap" && o.GetProperty("metadata").GetProperty("name").GetString() == configMap)
            .GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static Dictionary<string, string?> Nullable(Dictionary<string, string> env) => env.ToDictionary(p => p.Key, p => (string?)p.Value);
}
