namespace Phoenix.Operations.Tests.Kubernetes;

/// <summary>The repository the tests were built from (the directory holding Phoenix.slnx).</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Phoenix.slnx")))
            {
                return dir.FullName;
            }
        }

        // Built with --artifacts-path outside the tree: the source tree is where this file was compiled.
        var source = SourceDirectory();
        for (var dir = new DirectoryInfo(source); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Phoenix.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Phoenix.slnx not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string Path => Root.Value;

    /// <summary>A path under the repository root.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => System.IO.Path.GetDirectoryName(file) ?? ".";
}
