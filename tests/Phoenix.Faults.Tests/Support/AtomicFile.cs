namespace Phoenix.Faults.Tests.Support;

/// <summary>Replaces a watched configuration file the way an operator should: the whole content elsewhere, then one rename.</summary>
internal static class AtomicFile
{
    public static void Write(string path, string content)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
