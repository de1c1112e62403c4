namespace Rpc25519.Messages;

/// <summary>
/// The string fields of a <see cref="MessageHeader"/> — <see cref="MessageHeader.From"/>, <see cref="MessageHeader.To"/>,
/// <see cref="MessageHeader.ServiceName"/>, <see cref="MessageHeader.FromServiceName"/> and
/// <see cref="MessageHeader.Subject"/> — in one immutable object that many headers share: every message a connection
/// receives has the same addresses, and calls to one service the same names, so a header holds one reference instead
/// of five (a header is allocated on every send and every receive). A header that changes a field gets a new object.
/// </summary>
/// <remarks>Immutable, so sharing it between threads needs no lock; the caches that hand it out only decide whether
/// an existing object can serve.</remarks>
internal sealed class HeaderStrings
{
    /// <summary>All empty, as a new header has.</summary>
    public static readonly HeaderStrings Empty = new("", "", "", "", "");

    /// <summary>The last object made by writing only a service name into an empty header (a caller building a
    /// request): the next request to the same service (the same string instance) shares it.</summary>
    private static HeaderStrings? s_lastServiceOnly;

    private HeaderStrings(string from, string to, string serviceName, string fromServiceName, string subject)
    {
        From = from;
        To = to;
        ServiceName = serviceName;
        FromServiceName = fromServiceName;
        Subject = subject;
    }

    public string From { get; }

    public string To { get; }

    public string ServiceName { get; }

    public string FromServiceName { get; }

    public string Subject { get; }

    public HeaderStrings WithFrom(string value) =>
        ReferenceEquals(value, From) ? this : new(value, To, ServiceName, FromServiceName, Subject);

    public HeaderStrings WithTo(string value) =>
        ReferenceEquals(value, To) ? this : new(From, value, ServiceName, FromServiceName, Subject);

    public HeaderStrings WithServiceName(string value)
    {
        if (ReferenceEquals(value, ServiceName))
        {
            return this;
        }
        return ReferenceEquals(this, Empty)
            ? Shared(ref s_lastServiceOnly, "", "", value, "", "")
            : new(From, To, value, FromServiceName, Subject);
    }

    public HeaderStrings WithFromServiceName(string value) =>
        ReferenceEquals(value, FromServiceName) ? this : new(From, To, ServiceName, value, Subject);

    public HeaderStrings WithSubject(string value) =>
        ReferenceEquals(value, Subject) ? this : new(From, To, ServiceName, FromServiceName, value);

    /// <summary>An object with these fields: <paramref name="cache"/>'s if it has them (the addresses and names as
    /// the same instances, the subject as equal text), otherwise a new one, which then becomes the cache's.</summary>
    /// <param name="cache">One slot, owned by whoever makes many headers alike (a connection's decoder, a server
    /// session's replies); read and written without a lock (any object it holds is a correct answer for its own
    /// fields).</param>
    /// <param name="from">See <see cref="MessageHeader.From"/>.</param>
    /// <param name="to">See <see cref="MessageHeader.To"/>.</param>
    /// <param name="serviceName">See <see cref="MessageHeader.ServiceName"/>.</param>
    /// <param name="fromServiceName">See <see cref="MessageHeader.FromServiceName"/>.</param>
    /// <param name="subject">See <see cref="MessageHeader.Subject"/>.</param>
    public static HeaderStrings Shared(ref HeaderStrings? cache, string from, string to, string serviceName,
        string fromServiceName, string subject)
    {
        HeaderStrings? cached = Volatile.Read(ref cache);
        if (cached is not null && ReferenceEquals(cached.From, from) && ReferenceEquals(cached.To, to)
            && ReferenceEquals(cached.ServiceName, serviceName) && ReferenceEquals(cached.FromServiceName, fromServiceName)
            && string.Equals(cached.Subject, subject, StringComparison.Ordinal))
        {
            return cached;
        }
        var made = new HeaderStrings(from, to, serviceName, fromServiceName, subject);
        Volatile.Write(ref cache, made);
        return made;
    }
}
