using System.Runtime.InteropServices;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// A descriptor open in this process without <c>O_CLOEXEC</c>, as a supervisor, a wrapper script or
/// socket activation may hand to the service: every child the process starts inherits it unless the
/// launcher closes it. .NET opens its own files close-on-exec, so the file is opened by .NET and then
/// <c>dup</c>ed, which clears the flag on the copy.
/// </summary>
internal sealed class InheritableDescriptor : IDisposable
{
    private InheritableDescriptor(int number) => Number = number;

    public int Number { get; }

    public static InheritableDescriptor Open(string path)
    {
        using var file = File.OpenHandle(path);
        var number = Dup((int)file.DangerousGetHandle());
        return number >= 0 ? new InheritableDescriptor(number) : throw new IOException($"dup failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    public void Dispose() => _ = Close(Number);

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
