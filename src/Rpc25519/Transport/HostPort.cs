using System.Globalization;
using System.Net;

namespace Rpc25519.Transport;

/// <summary>Parses <c>host:port</c> strings and formats <c>network://ip:port</c> addresses.</summary>
internal static class HostPort
{
    /// <summary>Splits <c>host:port</c> (IPv6 hosts in brackets, <c>[::1]:5000</c>). Accepts an optional
    /// <c>tcp://</c> prefix.</summary>
    /// <exception cref="RpcTransportException">The string is not <c>host:port</c> with a port in 0..65535.</exception>
    public static (string Host, int Port) Split(string hostPort)
    {
        ArgumentNullException.ThrowIfNull(hostPort);
        string text = hostPort.Trim();
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new RpcTransportException($"Address '{hostPort}' is not host:port; write it like 127.0.0.1:5000.");
        }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > IPEndPoint.MaxPort)
        {
            throw new RpcTransportException($"Address '{hostPort}' has no valid port (0..65535).");
        }
        return (host, port);
    }

    /// <summary>Formats an endpoint as <c>network://ip:port</c> (IPv6 in brackets; IPv4-mapped IPv6 as IPv4).</summary>
    public static string Format(string network, EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            return string.Create(CultureInfo.InvariantCulture, $"{network}://{new IPEndPoint(address, ip.Port)}");
        }
        return $"{network}://{endPoint}";
    }

    /// <summary>Resolves a host to addresses: IP literals as they are, <c>localhost</c> to the loopback address,
    /// other names through DNS.</summary>
    public static async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal];
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback];
        }
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new RpcTransportException($"Cannot resolve host '{host}': {e.Message}", e);
        }
    }
}
