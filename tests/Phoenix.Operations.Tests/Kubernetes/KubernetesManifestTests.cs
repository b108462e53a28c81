using System.ComponentModel.DataAnnotations;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Phoenix.Executor.Policy;
using Phoenix.Gateway.Forwarding;

namespace Phoenix.Operations.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes: base and every overlay render and validate against the Kubernetes API schemas (offline, from the
/// kubernetes-models package), and the rendered objects keep the promises the runbooks rely on.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class KubernetesManifestTests(ManifestValidator validator) : IClassFixture<ManifestValidator>
{
    public static TheoryData<string> Renderings => new() { "base", "overlays/production", "overlays/canary" };

    [Fact]
    public void Validate_BaseAndEveryOverlay_AllObjectsValid()
    {
        Assert.True(validator.Result.ExitCode == 0, validator.Result.Output);
        Assert.Contains("valid", validator.Result.Stdout, StringComparison.Ordinal);
        var overlays = Directory.GetDirectories(RepositoryRoot.Combine("deploy", "kubernetes", "overlays")).Select(d => "overlays/" + Path.GetFileName(d));
        Assert.Equal(["base", .. overlays.Order(StringComparer.Ordinal)], validator.Renderings.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Renderings))]
    public void GatewayDeployment_Rendered_ThreeReplicasRolledWithoutUnavailability(string rendering)
    {
        var gateway = Single(rendering, "Deployment", "phoenix", "phoenix-gateway");
        var spec = gateway.GetProperty("spec");

        Assert.Equal(3, spec.GetProperty("replicas").GetInt32());
        Assert.Equal("RollingUpdate", spec.GetProperty("strategy").GetProperty("type").GetString());
        Assert.Equal("0", spec.GetProperty("strategy").GetProperty("rollingUpdate").GetProperty("maxUnavailable").ToString());
        var hpa = Single(rendering, "HorizontalPodAutoscaler", "phoenix", "phoenix-gateway");
        Assert.Equal(3, hpa.GetProperty("spec").GetProperty("minReplicas").GetInt32());
        var pdb = Single(rendering, "PodDisruptionBudget", "phoenix", "phoenix-gateway");
        Assert.Equal(2, pdb.GetProperty("spec").GetProperty("minAvailable").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Renderings))]
    public void GatewayPods_Probes_ReadinessOnReadyzLivenessOnHealthz(string rendering)
    {
        foreach (var deployment in Objects(rendering, "Deployment").Where(d => d.GetProperty("metadata").GetProperty("namespace").GetString() == "phoenix"))
        {
            var container = Container(deployment, "gateway");
            Assert.Equal("/readyz", container.GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString());
            Assert.Equal("/healthz", container.GetProperty("livenessProbe").GetProperty("httpGet").GetProperty("path").GetString());
            var security = container.GetProperty("securityContext");
            Assert.True(security.GetProperty("readOnlyRootFilesystem").GetBoolean());
            Assert.False(security.GetProperty("allowPrivilegeEscalation").GetBoolean());
            Assert.True(deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        }

        var executor = Container(Single(rendering, "Deployment", "phoenix-executor", "phoenix-executor"), "executor");
        Assert.Equal("/readyz", executor.GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal("/healthz", executor.GetProperty("livenessProbe").GetProperty("httpGet").GetProperty("path").GetString());
    }

    [Theory]
    [MemberData(nameof(Renderings))]
    public void ExecutorNetworkPolicy_Rendered_DeniesEgressAndAdmitsOnlyGatewaysAndMonitoring(string rendering)
    {
        var policies = Objects(rendering, "NetworkPolicy").Where(p => p.GetProperty("metadata").GetProperty("namespace").GetString() == "phoenix-executor").ToList();
        Assert.NotEmpty(policies);
        foreach (var policy in policies)
        {
            var spec = policy.GetProperty("spec");
            Assert.Contains("Egress", spec.GetProperty("policyTypes").EnumerateArray().Select(t => t.GetString()));
            // Any egress rule would allow something: none may exist in this namespace.
            Assert.True(!spec.TryGetProperty("egress", out var egress) || egress.GetArrayLength() == 0, $"{Name(policy)} allows egress");
        }

        var executorPolicy = policies.Single(p => Name(p) == "phoenix-executor");
        var ingress = executorPolicy.GetProperty("spec").GetProperty("ingress").EnumerateArray().ToList();
        var ports = ingress.Select(rule => rule.GetProperty("ports").EnumerateArray().Single().GetProperty("port").GetInt32()).Order().ToList();
        Assert.Equal([9461, 50061], ports);
        var grpc = ingress.Single(rule => rule.GetProperty("ports")[0].GetProperty("port").GetInt32() == 50061);
        var from = grpc.GetProperty("from").EnumerateArray().Single();
        Assert.Equal("phoenix-gateway", from.GetProperty("podSelector").GetProperty("matchLabels").GetProperty("app.kubernetes.io/name").GetString());
        Assert.Equal("phoenix", from.GetProperty("namespaceSelector").GetProperty("matchLabels").GetProperty("kubernetes.io/metadata.name").GetString());
    }

    [Fact]
    public void Secrets_Base_HoldOnlyMarkedPlaceholders()
    {
        const string rendering = "base";
        var secrets = Objects(rendering, "Secret").ToList();
        Assert.Contains(secrets, s => Name(s) == "phoenix-gateway-keys");
        foreach (var secret in secrets)
        {
            Assert.False(secret.TryGetProperty("data", out _), $"{Name(secret)}: base64 data hides what it holds; placeholders go in stringData");
            foreach (var entry in secret.GetProperty("stringData").EnumerateObject())
            {
                var value = entry.Value.GetString() ?? string.Empty;
                var where = $"Secret {Name(secret)} key {entry.Name}";
                Assert.Contains("REPLACE-ME", value, StringComparison.Ordinal);
                Assert.DoesNotMatch(ApiKeyPattern(), value);
                Assert.DoesNotMatch(HexDigestPattern(), value);
                Assert.DoesNotContain("PRIVATE KEY", value, StringComparison.Ordinal);
                foreach (Match token in Base64TokenPattern().Matches(value))
                {
                    Assert.Fail($"{where}: '{token.Value[..8]}…' looks like base64 key material");
                }
            }
        }

        using var keys = JsonDocument.Parse(Single(rendering, "Secret", "phoenix", "phoenix-gateway-keys").GetProperty("stringData").GetProperty("keys.json").GetString()!);
        Assert.All(keys.RootElement.GetProperty("keys").EnumerateArray(), key => Assert.Contains("REPLACE-ME", key.GetProperty("hash").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("overlays/production")]
    [InlineData("overlays/canary")]
    public void Secrets_ProductionOverlays_LeftToTheClusterSoApplyNeverResetsThem(string rendering)
    {
        Assert.Empty(Objects(rendering, "Secret"));
        var gateway = Container(Single(rendering, "Deployment", "phoenix", "phoenix-gateway"), "gateway");
        Assert.Contains(gateway.GetProperty("env").EnumerateArray(), e => e.TryGetProperty("valueFrom", out var from) && from.GetProperty("secretKeyRef").GetProperty("name").GetString() == "phoenix-gateway-secrets");
    }

    [Fact]
    public void ExecutorPolicyConfigMap_BindsToPolicyOptionsWithoutUnknownKeys()
    {
        var policyJson = Single("base", "ConfigMap", "phoenix-executor", "phoenix-executor-policy").GetProperty("data").GetProperty("policy.json").GetString()!;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(policyJson))).Build();

        var policy = configuration.GetSection(PolicyOptions.SectionName).Get<PolicyOptions>(o => o.ErrorOnUnknownConfiguration = true);

        Assert.NotNull(policy);
        AssertValid(policy);
        AssertValid(policy.Defaults);
        AssertValid(policy.Maxima);
        Assert.Contains("python3", policy.Commands!);
        Assert.True(policy.Defaults.TimeoutMs <= policy.Maxima.TimeoutMs && policy.Defaults.MemoryMb <= policy.Maxima.MemoryMb);
    }

    [Fact]
    public void GatewayConfigMap_ForwardsThroughTheHeadlessExecutorService()
    {
        var data = Single("base", "ConfigMap", "phoenix", "phoenix-gateway-config").GetProperty("data").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => p.Value.GetString());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(data).Build();

        var forwarding = configuration.GetSection(ForwardingOptions.SectionName).Get<ForwardingOptions>(o => o.ErrorOnUnknownConfiguration = true);

        Assert.NotNull(forwarding?.Dns);
        AssertValid(forwarding.Dns);
        var service = Single("base", "Service", "phoenix-executor", "phoenix-executor");
        Assert.Equal("None", service.GetProperty("spec").GetProperty("clusterIP").GetString());
        Assert.Equal("phoenix-executor.phoenix-executor.svc.cluster.local", forwarding.Dns.Name);
        Assert.Equal(service.GetProperty("spec").GetProperty("ports")[0].GetProperty("port").GetInt32(), forwarding.Dns.Port);
        Assert.Equal("Postgres", configuration["Phoenix:Gateway:Audit:Provider"]);
    }

    [Fact]
    public async Task Validate_BrokenManifestInACopy_FailsNamingFileObjectAndField()
    {
        var copy = CopyManifests();
        try
        {
            var deployment = Path.Combine(copy, "base", "gateway-deployment.yaml");
            var text = await File.ReadAllTextAsync(deployment);
            text = text.Replace("  replicas: 3\n", "  replicas: three\n", StringComparison.Ordinal)
                .Replace("readOnlyRootFilesystem: true", "readOnlyRootFilesytem: true", StringComparison.Ordinal);
            await File.WriteAllTextAsync(deployment, text);
            var kustomization = Path.Combine(copy, "overlays", "production", "kustomization.yaml");
            await File.WriteAllTextAsync(kustomization, (await File.ReadAllTextAsync(kustomization)).Replace("- path: gateway-hpa.yaml", "- path: gone.yaml", StringComparison.Ordinal));

            var result = await validator.RunAsync([Path.Combine(copy, "base"), Path.Combine(copy, "overlays", "production")]);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("gateway-deployment.yaml: Deployment phoenix/phoenix-gateway: spec.replicas: must be integer", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("securityContext.readOnlyRootFilesytem: unknown field", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("kustomization.yaml: patches[2].path: gone.yaml: no such file", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_BrokenStandaloneFile_FailsNamingTheField()
    {
        var file = Path.Combine(Path.GetTempPath(), $"phoenix-broken-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: v1
            kind: Service
            metadata:
              name: broken
              namespace: phoenix
            spec:
              ports:
                - name: http
                  port: eighty
            """);
        try
        {
            var result = await validator.RunAsync([file]);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{Path.GetFileName(file)}: Service phoenix/broken: spec.ports.0.port: must be integer", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private IEnumerable<JsonElement> Objects(string rendering, string kind)
    {
        Assert.True(validator.Renderings.ContainsKey(rendering), $"no rendering {rendering}: {validator.Result.Output}");
        return validator.Renderings[rendering].Where(o => o.GetProperty("kind").GetString() == kind);
    }

    private JsonElement Single(string rendering, string kind, string ns, string name) =>
        Assert.Single(Objects(rendering, kind), o => Name(o) == name && o.GetProperty("metadata").GetProperty("namespace").GetString() == ns);

    private static string? Name(JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString();

    private static JsonElement Container(JsonElement deployment, string name) =>
        deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static void AssertValid(object options)
    {
        var results = new List<ValidationResult>();
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true), string.Join("; ", results.Select(r => r.ErrorMessage)));
    }

    private static string CopyManifests()
    {
        var source = RepositoryRoot.Combine("deploy", "kubernetes");
        var target = Directory.CreateTempSubdirectory("phoenix-k8s-").FullName;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Contains("node_modules"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }

        return target;
    }

    [GeneratedRegex("phx_[A-Za-z0-9_-]{16,}")]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex("[0-9a-fA-F]{32,}")]
    private static partial Regex HexDigestPattern();

    [GeneratedRegex("(?<![A-Za-z0-9+/=-])[A-Za-z0-9+/]{40,}={0,2}")]
    private static partial Regex Base64TokenPattern();
}
