using System.Runtime.InteropServices;

namespace Phoenix.Executor.Sandbox;

/// <summary>The few Linux calls .NET does not wrap.</summary>
internal static partial class Native
{
    public const ulong MsNoSuid = 2;
    public const ulong MsNoDev = 4;
    public const int MntDetach = 2;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Lchown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "close_range", SetLastError = true)]
    private static partial int CloseRange(uint first, uint last, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    public static bool IsRoot => GetEuid() == 0;

    /// <summary>
    /// Marks every descriptor from 3 up close-on-exec, so nothing this process holds or inherited (a file, a
    /// socket, a pipe from whoever started it) reaches a sandbox. Falls back to /proc/self/fd before Linux 5.11.
    /// </summary>
    public static void MarkDescriptorsCloseOnExec()
    {
        const int closeRangeCloexec = 4;
        if (CloseRange(3, uint.MaxValue, closeRangeCloexec) == 0)
        {
            return;
        }

        const int setFd = 2;
        const int fdCloexec = 1;
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd >= 3)
            {
                _ = Fcntl(fd, setFd, fdCloexec);
            }
        }
    }

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
