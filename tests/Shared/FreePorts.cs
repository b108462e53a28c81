using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace Phoenix.Testing;

/// <summary>Free loopback ports.</summary>
[SupportedOSPlatform("linux")]
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port nobody listens on right now (bound then released) and that this process has not been given before. The
    /// kernel may hand a just-released port out again; two services of one stack on the same port would have the
    /// second fail to bind while the first answers its readiness probe in its place.
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
