using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>
/// A throw-away PKI for the gateway → executor mTLS tests: a CA, a server certificate for 127.0.0.1 and a
/// client certificate issued by it, and a client certificate issued by an unrelated CA. PEM files live under
/// /var/lib/phoenix-tests (never /tmp) and are removed on dispose.
/// </summary>
public sealed class ForwardingCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public ForwardingCertificates()
    {
        Directory = Path.Join("/var/lib/phoenix-tests", "fwd-tls-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("Phoenix Forwarding Test CA", caKey);
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = CreateCa("Phoenix Unrelated CA", otherCaKey);

        CaPath = Write("ca.crt", ca.ExportCertificatePem());
        OtherCaPath = Write("other-ca.crt", otherCa.ExportCertificatePem());
        (ServerCertificatePath, ServerKeyPath) = Issue(ca, "server", "127.0.0.1", ServerAuth, IPAddress.Loopback);
        (ClientCertificatePath, ClientKeyPath) = Issue(ca, "client", "phoenix-gateway", ClientAuth, address: null);
        (ForeignClientCertificatePath, ForeignClientKeyPath) = Issue(otherCa, "foreign-client", "phoenix-gateway", ClientAuth, address: null);
    }

    public string Directory { get; }

    public string CaPath { get; }

    /// <summary>A CA unrelated to <see cref="CaPath"/>; it issued <see cref="ForeignClientCertificatePath"/>.</summary>
    public string OtherCaPath { get; }

    public string ServerCertificatePath { get; }

    public string ServerKeyPath { get; }

    /// <summary>Client certificate issued by the CA the executor trusts.</summary>
    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    /// <summary>Client certificate issued by a CA the executor does not trust.</summary>
    public string ForeignClientCertificatePath { get; }

    public string ForeignClientKeyPath { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static X509Certificate2 CreateCa(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
    }

    private (string Certificate, string Key) Issue(X509Certificate2 ca, string fileName, string commonName, Oid usage, IPAddress? address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (address is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(address);
            request.CertificateExtensions.Add(san.Build());
        }

        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        return (Write(fileName + ".crt", issued.ExportCertificatePem()), Write(fileName + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    private string Write(string name, string pem)
    {
        var path = Path.Join(Directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
