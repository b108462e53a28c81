namespace Phoenix.Gateway.Auth;

/// <summary>The entries of one keys-file snapshot with their decoded hashes (same order).</summary>
internal sealed record ApiKeyIndex(ApiKeysFile File, ApiKeyEntry[] Entries, byte[][] Hashes);
