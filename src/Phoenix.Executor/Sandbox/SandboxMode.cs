namespace Phoenix.Executor.Sandbox;

/// <summary>How commands are isolated.</summary>
public enum SandboxMode
{
    /// <summary>bubblewrap with namespaces, seccomp, cgroups and rlimits. The default; required in production.</summary>
    Bubblewrap,

    /// <summary>A plain child process with a cleared environment and a private workdir. Development only; every run logs a security warning.</summary>
    Unsandboxed,
}
