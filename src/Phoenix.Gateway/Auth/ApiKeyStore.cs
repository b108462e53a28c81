using System.Security.Cryptography;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Looks keys up in the current keys-file snapshot. The decoded hashes are cached per snapshot value, so a reload is
/// picked up on the next request.
/// </summary>
internal sealed class ApiKeyStore
{
    private readonly ReloadableSnapshot<ApiKeysFile> _snapshot;
    private ApiKeyIndex? _index;

    public ApiKeyStore(ReloadableSnapshot<ApiKeysFile> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _snapshot = snapshot;
    }

    /// <summary>
    /// The entry whose hash equals the hash of <paramref name="presentedKey"/>, or <see langword="null"/>. Every stored
    /// hash is compared, in constant time each, whether or not an earlier one matched.
    /// </summary>
    public ApiKeyEntry? Match(string presentedKey)
    {
        ArgumentNullException.ThrowIfNull(presentedKey);
        var index = Index();
        var (entries, hashes) = (index.Entries, index.Hashes);
        var presented = ApiKeys.HashBytes(presentedKey);
        ApiKeyEntry? found = null;
        for (var i = 0; i < hashes.Length; i++)
        {
            var equal = CryptographicOperations.FixedTimeEquals(presented, hashes[i]);
            found = equal ? entries[i] : found;
        }

        return found;
    }

    /// <summary>The entry with id <paramref name="keyId"/>, or <see langword="null"/>.</summary>
    public ApiKeyEntry? FindById(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        foreach (var entry in Index().Entries)
        {
            if (string.Equals(entry.Id, keyId, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    private ApiKeyIndex Index()
    {
        var file = _snapshot.Current;
        var index = Volatile.Read(ref _index);
        if (index is not null && ReferenceEquals(index.File, file))
        {
            return index;
        }

        var entries = file.Keys.ToArray();
        index = new ApiKeyIndex(file, entries, entries.Select(e => ApiKeys.DecodeHash(e.Hash)).ToArray());
        Volatile.Write(ref _index, index);
        return index;
    }
}
