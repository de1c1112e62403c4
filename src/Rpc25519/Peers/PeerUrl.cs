namespace Rpc25519.Peers;

/// <summary>
/// A peer or circuit URL, <c>scheme://host:port/service/peerId[/circuitId]</c>, split into its parts.
/// <see cref="NetAddress"/> (<c>scheme://host:port</c>) names the connection, the rest the peer on its far side.
/// </summary>
internal sealed record PeerUrl(string NetAddress, string ServiceName, string PeerId, string CircuitId)
{
    public static string Format(string netAddress, string serviceName, string peerId, string circuitId = "") =>
        circuitId.Length == 0
            ? $"{netAddress}/{serviceName}/{peerId}"
            : $"{netAddress}/{serviceName}/{peerId}/{circuitId}";

    /// <summary>Parses <paramref name="url"/>; a URL without a scheme is read as <c>tcp://</c>.</summary>
    /// <exception cref="ArgumentException">It is not of the form above; the message shows the expected
    /// form.</exception>
    public static PeerUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string text = url.Contains("://", StringComparison.Ordinal) ? url : "tcp://" + url;
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal) + 3;
        int pathStart = text.IndexOf('/', schemeEnd);
        string[] parts = pathStart < 0 ? [] : text[(pathStart + 1)..].Split('/');
        if (pathStart <= schemeEnd || parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"'{url}' is not a peer URL; expected tcp://host:port/service[/peerId" +
                "[/circuitId]].", nameof(url));
        }
        return new PeerUrl(text[..pathStart], parts[0], parts.Length > 1 ? parts[1] : "",
            parts.Length > 2 ? parts[2] : "");
    }

    /// <summary>Whether two <c>scheme://host:port</c> addresses name the same port (hosts are compared loosely, so
    /// that a server bound to all interfaces matches the address a client dialled).</summary>
    public static bool SamePort(string a, string b)
    {
        int colonA = a.LastIndexOf(':');
        int colonB = b.LastIndexOf(':');
        return colonA > 0 && colonB > 0 && a.AsSpan(colonA).SequenceEqual(b.AsSpan(colonB));
    }
}
