using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// The HS256 key of gateway-issued tokens: <see cref="JwtOptions.SigningKey"/>, or a random 32-byte key made once per
/// process (logged as a warning: such tokens do not survive a restart and are not valid on another replica).
/// </summary>
internal sealed partial class JwtSigningKey
{
    public JwtSigningKey(IOptions<JwtOptions> options, ILogger<JwtSigningKey> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.SigningKey;
        byte[] bytes;
        if (configured is null)
        {
            bytes = RandomNumberGenerator.GetBytes(JwtOptions.MinSigningKeyBytes);
            IsEphemeral = true;
            if (!options.Value.UsesExternalIssuer)
            {
                LogEphemeralKey(logger);
            }
        }
        else
        {
            bytes = Convert.FromBase64String(configured);
        }

        Key = new SymmetricSecurityKey(bytes) { KeyId = "phoenix-hs256" };
    }

    /// <summary>The key; treat as secret.</summary>
    public SymmetricSecurityKey Key { get; }

    /// <summary>Whether the key was generated for this process only.</summary>
    public bool IsEphemeral { get; }

    [LoggerMessage(EventId = 4101, EventName = "EphemeralJwtSigningKey", Level = LogLevel.Warning,
        Message = "No Phoenix:Gateway:Jwt:SigningKey is configured: a random signing key was generated; issued tokens will not survive a restart nor be accepted by other replicas")]
    private static partial void LogEphemeralKey(ILogger logger);
}
