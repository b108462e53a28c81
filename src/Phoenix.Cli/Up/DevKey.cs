using Phoenix.Cli.Common;
using Phoenix.Cli.Keys;
using Phoenix.Gateway.Auth;

namespace Phoenix.Cli.Up;

/// <summary>
/// The development key of a fresh data directory: all permissions, its hash in the keys file, the plain key in
/// <c>dev-api-key</c> (0600) for scripts and for the CLI itself.
/// </summary>
internal static class DevKey
{
    public const string Id = "dev";

    /// <summary>Creates the key when the keys file does not exist yet; returns the plain key when it was created.</summary>
    public static string? EnsureCreated(CliSettings settings, TimeProvider time)
    {
        if (File.Exists(settings.KeysFile))
        {
            return null;
        }

        var (_, key) = new KeysFileStore(settings.KeysFile, time).Create(Id, "Development key (phoenix up)", Permissions.All, 600, expiresIn: null);
        using (var stream = new FileStream(settings.DevKeyFile, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(key);
        }

        File.SetUnixFileMode(settings.DevKeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}
