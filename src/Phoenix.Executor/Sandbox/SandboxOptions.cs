using System.ComponentModel.DataAnnotations;

namespace Phoenix.Executor.Sandbox;

/// <summary>The sandbox (<c>Phoenix:Executor:Sandbox</c>). Read at start; a change needs a restart.</summary>
public sealed record SandboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Executor:Sandbox";

    /// <summary>Isolation mode. Default <see cref="SandboxMode.Bubblewrap"/>.</summary>
    public SandboxMode Mode { get; init; } = SandboxMode.Bubblewrap;

    /// <summary>
    /// Where run workdirs live (0711, owned by the service). Default: <c>/var/lib/phoenix/sandbox</c> when
    /// running as root, otherwise <c>sandbox</c> under the service's data directory. Never the shared /tmp.
    /// </summary>
    public string? Root { get; init; }

    /// <summary>Host uid that bubblewrap runs as (dedicated, unprivileged). Default 61000.</summary>
    [Range(1000, 4_000_000_000)]
    public long HostUid { get; init; } = 61_000;

    /// <summary>Host gid that bubblewrap runs as. Default 61000.</summary>
    [Range(1000, 4_000_000_000)]
    public long HostGid { get; init; } = 61_000;

    /// <summary>The uid and gid the command sees inside the sandbox. Default 1000.</summary>
    [Range(1, 65_000)]
    public int SandboxUid { get; init; } = 1000;

    /// <summary>The bubblewrap binary. Default <c>/usr/bin/bwrap</c>.</summary>
    [Required]
    public string BwrapPath { get; init; } = "/usr/bin/bwrap";

    /// <summary>Mount point of the cgroup v1 hierarchies. Default <c>/sys/fs/cgroup</c>.</summary>
    [Required]
    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    /// <summary>Parent group of every run's cgroup. Default <c>phoenix</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string CgroupParent { get; init; } = "phoenix";

    /// <summary>Read-only system paths bound into the sandbox; null means <c>/usr</c>, <c>/etc/alternatives</c>, the loader cache and <c>/etc/localtime</c>. A configured list replaces the default.</summary>
    public string[]? ReadOnlyBinds { get; init; }

    /// <summary>The read-only binds in force.</summary>
    internal IReadOnlyList<string> ReadOnlyBindsOrDefault => ReadOnlyBinds ?? ["/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime"];
}
