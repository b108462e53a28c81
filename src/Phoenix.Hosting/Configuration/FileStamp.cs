namespace Phoenix.Hosting.Configuration;

/// <summary>What <see cref="FileChangeWatcher"/> compares between polls.</summary>
/// <param name="Exists">Whether the file exists (symlinks followed).</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="LastWriteUtc">Its last write time.</param>
internal readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
{
    /// <summary>Reads the stamp of <paramref name="path"/>; <c>default</c> when it does not exist or cannot be read.</summary>
    public static FileStamp Read(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc) : default;
    }
}
