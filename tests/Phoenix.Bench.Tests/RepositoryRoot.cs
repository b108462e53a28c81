using System.Runtime.CompilerServices;

namespace Phoenix.Bench.Tests;

/// <summary>The repository the tests were built from (the directory holding Phoenix.slnx), found from this source file.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(SourceDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Join(dir.FullName, "Phoenix.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Phoenix.slnx not found above " + SourceDirectory());
    }

    private static string SourceDirectory([CallerFilePath] string file = "") => System.IO.Path.GetDirectoryName(file) ?? ".";
}
