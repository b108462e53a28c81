using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// One run's private writable directory. As root it is a fresh size-capped tmpfs mounted on an empty
/// directory under the sandbox root (mode 0700, owned by the sandbox uid): files are written into a file
/// system nobody else has touched, and removal is an unmount, which never follows anything the command
/// planted. Without root it is a plain 0700 directory, removed without following symlinks.
/// </summary>
internal sealed class Workdir : IDisposable
{
    private readonly bool _mounted;
    private readonly uint _uid;
    private readonly uint _gid;
    private bool _disposed;

    private Workdir(string path, bool mounted, uint uid, uint gid)
    {
        Path = path;
        _mounted = mounted;
        _uid = uid;
        _gid = gid;
    }

    public string Path { get; }

    /// <summary>Creates the workdir for <paramref name="run"/> and writes its files.</summary>
    public static Workdir Create(string root, string key, RunSpec run, uint uid, uint gid, bool mount)
    {
        var workdir = CreateEmpty(root, key, run.Policy.WorkdirSizeMb, uid, gid, mount);
        try
        {
            workdir.AddFiles(run);
            return workdir;
        }
        catch
        {
            workdir.Dispose();
            throw;
        }
    }

    /// <summary>Creates an empty workdir (a fresh tmpfs of <paramref name="sizeMb"/> MiB when <paramref name="mount"/>).</summary>
    public static Workdir CreateEmpty(string root, string key, int sizeMb, uint uid, uint gid, bool mount)
    {
        var path = System.IO.Path.Join(root, key);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var workdir = new Workdir(path, mount, uid, gid);
        if (mount)
        {
            var data = $"size={sizeMb}m,mode=0700,uid={uid},gid={gid}";
            if (Native.Mount("tmpfs", path, "tmpfs", Native.MsNoSuid | Native.MsNoDev, data) != 0)
            {
                var error = Native.LastError();
                workdir.Dispose();
                throw new IOException($"mount tmpfs on the workdir failed: {error}");
            }
        }

        return workdir;
    }

    /// <summary>Writes <paramref name="run"/>'s files and creates its working directory.</summary>
    public void AddFiles(RunSpec run)
    {
        foreach (var file in run.Files)
        {
            Write(file, _uid, _gid, chown: _mounted);
        }

        if (run.WorkingDirectory.Length > 0)
        {
            CreateDirectories(run.WorkingDirectory, _uid, _gid, chown: _mounted);
        }
    }

    /// <summary>Removes the workdir. Never follows a symlink. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Remove(Path, _mounted);
    }

    /// <summary>Removes a workdir left by a crash (mounted or not).</summary>
    internal static void Remove(string path, bool maybeMounted)
    {
        if (maybeMounted)
        {
            // Detach: everything the command wrote goes with the file system.
            _ = Native.Umount2(path, Native.MntDetach);
        }

        try
        {
            var info = new DirectoryInfo(path);
            if (info.LinkTarget is not null)
            {
                info.Delete();
            }
            else if (info.Exists)
            {
                // .NET's recursive delete unlinks symlinks instead of descending into them.
                info.Delete(recursive: true);
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private void Write(RunFile file, uint uid, uint gid, bool chown)
    {
        var directory = System.IO.Path.GetDirectoryName(file.Path);
        if (!string.IsNullOrEmpty(directory))
        {
            CreateDirectories(directory, uid, gid, chown);
        }

        var target = System.IO.Path.Join(Path, file.Path);
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | (file.Executable ? UnixFileMode.UserExecute : UnixFileMode.None);

        // CreateNew is O_CREAT|O_EXCL: it fails on any existing entry, a symlink included, and never follows one.
        using (var stream = new FileStream(target, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            stream.Write(file.Content.Span);
        }

        Own(target, uid, gid, chown);
    }

    private void CreateDirectories(string relative, uint uid, uint gid, bool chown)
    {
        var current = Path;
        foreach (var segment in relative.Split('/'))
        {
            current = System.IO.Path.Join(current, segment);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null || File.Exists(current))
            {
                throw new IOException("a path component is not a directory");
            }

            if (!info.Exists)
            {
                Directory.CreateDirectory(current, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Own(current, uid, gid, chown);
            }
        }
    }

    private static void Own(string path, uint uid, uint gid, bool chown)
    {
        if (chown && Native.Lchown(path, uid, gid) != 0)
        {
            throw new IOException($"chown in the workdir failed: {Native.LastError()}");
        }
    }
}
