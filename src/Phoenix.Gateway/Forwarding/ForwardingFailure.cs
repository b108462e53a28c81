using System.Net.Sockets;
using Grpc.Core;

namespace Phoenix.Gateway.Forwarding;

/// <summary>Decides whether a failed call certainly never started the run (and so may go to another executor).</summary>
internal static class ForwardingFailure
{
    /// <summary>
    /// True when the executor said it refused the run (<c>phoenix-not-started</c> trailer: queue full, shutting
    /// down), or — unless <paramref name="refusalOnly"/> — when the connection was never made (refused, no route,
    /// name not resolved, TLS failed). Anything else may have started the run: never retried.
    /// </summary>
    public static bool NeverStarted(RpcException exception, bool refusalOnly = false)
    {
        if (exception.Trailers.GetValue("phoenix-not-started") == "true")
        {
            return true;
        }

        if (refusalOnly || exception.StatusCode != StatusCode.Unavailable)
        {
            return false;
        }

        for (var inner = exception.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound or SocketError.TryAgain }:
                    return true;
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return true;
            }
        }

        return false;
    }
}
