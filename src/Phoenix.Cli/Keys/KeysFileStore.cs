using System.Text.Json;
using System.Text.RegularExpressions;
using Phoenix.Cli.Common;
using Phoenix.Gateway.Auth;

namespace Phoenix.Cli.Keys;

/// <summary>
/// Reads and edits the gateway's keys file. Every write is validated with the gateway's own rules first, then
/// replaces the file atomically (temporary file in the same directory, mode 0600, then rename), so a running
/// gateway only ever reloads a whole, valid file. Concurrent CLI edits are serialized by a lock file (<c>keys.json.lock</c>, left in place).
/// </summary>
internal sealed partial class KeysFileStore(string path, TimeProvider time)
{
    public string Path { get; } = path;

    public ApiKeysFile Load()
    {
        if (!File.Exists(Path))
        {
            return new ApiKeysFile();
        }

        try
        {
            using var stream = File.OpenRead(Path);
            return ApiKeysFile.Parse(stream);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException)
        {
            throw new CliException($"The keys file {Path} cannot be read: {e.Message}", ExitCodes.Failed);
        }
    }

    /// <summary>Loads, applies <paramref name="edit"/>, validates and writes, under the lock.</summary>
    public T Edit<T>(Func<ApiKeysFile, (ApiKeysFile File, T Result)> edit)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var lockFile = AcquireLock();
        var (file, result) = edit(Load());
        Save(file);
        return result;
    }

    /// <summary>A new key: returns the entry and the plain key (shown once, never stored).</summary>
    public (ApiKeyEntry Entry, string Key) Create(string? id, string name, IReadOnlyList<string> permissions, int? rateLimitPerMinute, TimeSpan? expiresIn) =>
        Edit(file =>
        {
            var key = ApiKeys.Generate();
            var finalId = id ?? UniqueId(file, name);
            if (file.Keys.Any(k => string.Equals(k.Id, finalId, StringComparison.Ordinal)))
            {
                throw new CliException($"A key with id '{finalId}' already exists (choose another with --id).", ExitCodes.Usage);
            }

            var entry = new ApiKeyEntry
            {
                Id = finalId,
                Name = name,
                Hash = ApiKeys.Hash(key),
                Permissions = permissions,
                RateLimitPerMinute = rateLimitPerMinute,
                ExpiresAt = expiresIn is { } ttl ? time.GetUtcNow() + ttl : null,
            };
            return (file with { Keys = [.. file.Keys, entry] }, (entry, key));
        });

    public ApiKeyEntry SetDisabled(string id, bool disabled) =>
        Edit(file => Replace(file, id, entry => entry with { Disabled = disabled }));

    /// <summary>Gives key <paramref name="id"/> a new secret (the old one stops working at the gateway's next reload).</summary>
    public (ApiKeyEntry Entry, string Key) Rotate(string id)
    {
        var key = ApiKeys.Generate();
        var entry = Edit(file => Replace(file, id, entry => entry with { Hash = ApiKeys.Hash(key) }));
        return (entry, key);
    }

    private static (ApiKeysFile, ApiKeyEntry) Replace(ApiKeysFile file, string id, Func<ApiKeyEntry, ApiKeyEntry> change)
    {
        var index = file.Keys.ToList().FindIndex(k => string.Equals(k.Id, id, StringComparison.Ordinal));
        if (index < 0)
        {
            var known = file.Keys.Count == 0 ? "the file has no keys" : "known: " + string.Join(", ", file.Keys.Select(k => k.Id));
            throw new CliException($"No key with id '{id}' ({known}).", ExitCodes.Failed);
        }

        var keys = file.Keys.ToArray();
        keys[index] = change(keys[index]);
        return (file with { Keys = keys }, keys[index]);
    }

    private static string UniqueId(ApiKeysFile file, string name)
    {
        var slug = NotIdCharacters().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-', '.');
        slug = slug.Length == 0 ? "key" : slug[..Math.Min(slug.Length, 56)];
        var candidate = slug;
        for (var n = 2; file.Keys.Any(k => string.Equals(k.Id, candidate, StringComparison.Ordinal)); n++)
        {
            candidate = $"{slug}-{n}";
        }

        return candidate;
    }

    private void Save(ApiKeysFile file)
    {
        var result = new ApiKeysFileValidator().Validate(null, file);
        if (result.Failed)
        {
            throw new CliException("The keys file would be invalid, nothing was written: " + string.Join(" ", result.Failures), ExitCodes.Usage);
        }

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, file, ApiKeysJsonContext.Default.ApiKeysFile);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private FileStream AcquireLock()
    {
        var lockPath = Path + ".lock";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (attempt < 50)
            {
                Task.Delay(100).GetAwaiter().GetResult();
            }
        }
    }

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex NotIdCharacters();
}
