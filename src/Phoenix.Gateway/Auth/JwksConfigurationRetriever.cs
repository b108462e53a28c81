using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Reads a bare JWKS document (<see cref="JwtOptions.JwksUrl"/>) as an <see cref="OpenIdConnectConfiguration"/> whose
/// signing keys are the set's, so JwtBearer's <see cref="ConfigurationManager{T}"/> caches and refreshes it as it does
/// a discovery document.
/// </summary>
internal sealed class JwksConfigurationRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        var document = await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false);
        var keySet = new JsonWebKeySet(document);
        var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = keySet, JwksUri = address };
        foreach (var key in keySet.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }
}
