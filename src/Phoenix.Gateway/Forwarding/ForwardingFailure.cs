using System.Net.Sockets;
using Grpc.Core;

namespace Phoenix.Gateway.Forwarding;

/// <summary>Decides whether a failed call certainly never started the run (and so may go to another executor).</summary>
internal static class ForwardingFailure
{
    /// <summary>
    /// SocketsHttpHandler's message when the HTTP/2 connection set-up failed (no stream was ever opened on it). If a
    /// runtime words it differently, such a failure is merely not retried: the safe side.
    /// </summary>
    private const string Http2NotEstablished = "An HTTP/2 connection could not be established";

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

        // Grpc.Net.Client reports a failed TLS handshake as INTERNAL, a refused connection as UNAVAILABLE.
        if (refusalOnly || exception.StatusCode is not (StatusCode.Unavailable or StatusCode.Internal))
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
                case IOException or HttpRequestException when inner.Message.StartsWith(Http2NotEstablished, StringComparison.Ordinal):
                    // With TLS 1.3 the executor rejects the gateway's client certificate after the client's side of
                    // the handshake is done: the failure shows up as the HTTP/2 connection preface never being
                    // answered. No request is sent on a connection before that handshake completes.
                    return true;
            }
        }

        return false;
    }
}
