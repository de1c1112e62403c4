using System.Text;
using MessagePack;

namespace Rpc25519.Messages;

/// <summary>
/// Per-connection memory for the decoder, so that the strings every call repeats are not allocated again: service
/// names come from a small cache, and a reply's call ID is the very key its request carried.
/// </summary>
/// <remarks>Not thread-safe: one connection's reader loop owns it.</remarks>
internal sealed class DecodeContext
{
    /// <summary>Distinct names remembered; the oldest is replaced when a new one arrives.</summary>
    private const int NamesMax = 16;

    private readonly string?[] _names = new string?[NamesMax];
    private readonly Func<ulong, object?>? _callIdOfPendingCall;
    private int _nextSlot;

    /// <summary>The call ID prefix the peer last used (one per connection in practice), shared by the headers that
    /// carry it.</summary>
    private CallIds.Prefix? _lastPrefix;

    /// <summary>The receiving connection's addresses: <see cref="MessageHeader.From"/> (the peer's) and
    /// <see cref="MessageHeader.To"/> (its own) of every message decoded here.</summary>
    private readonly string _from, _to;

    /// <summary>The string fields of the last header decoded, shared by the next one if it has the same.</summary>
    private HeaderStrings? _lastStrings;

    /// <param name="callIdOfPendingCall">Finds the call ID key (<see cref="MessageHeader.CallIdKey"/>) of the call
    /// waiting for a reply with this sequence number, if any.</param>
    /// <param name="from">See <see cref="_from"/>.</param>
    /// <param name="to">See <see cref="_to"/>.</param>
    public DecodeContext(Func<ulong, object?>? callIdOfPendingCall, string from = "", string to = "")
    {
        _callIdOfPendingCall = callIdOfPendingCall;
        _from = from;
        _to = to;
    }

    /// <summary>The string fields of a decoded header: this connection's addresses and the names read (the same
    /// object as the last header's when they match).</summary>
    public HeaderStrings Strings(string serviceName, string fromServiceName, string subject) =>
        HeaderStrings.Shared(ref _lastStrings, _from, _to, serviceName, fromServiceName, subject);

    /// <summary>Reads a name (service name), reusing an earlier string with the same bytes.</summary>
    public string ReadName(ref MessagePackReader reader)
    {
        if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> utf8))
        {
            return reader.ReadString() ?? "";
        }
        foreach (string? name in _names)
        {
            if (name is not null && name.Length == utf8.Length && Ascii.Equals(utf8, name))
            {
                return name;
            }
        }
        string fresh = Encoding.UTF8.GetString(utf8);
        _names[_nextSlot] = fresh;
        _nextSlot = (_nextSlot + 1) % NamesMax;
        return fresh;
    }

    /// <summary>Reads a call ID key (see <see cref="CallIds"/>); for a reply, returns the waiting request's own key
    /// when the ID matches, and otherwise the connection's last prefix when the ID is made of it.</summary>
    public object ReadCallId(ref MessagePackReader reader, MessageHeader hdr)
    {
        bool isReply = hdr.CallType is CallType.Reply or CallType.Error && hdr.SequenceNumber != 0;
        if (isReply && _lastPrefix is { } last && CallIds.TryReadPrefixed(ref reader, hdr.SequenceNumber, last))
        {
            // The usual reply: its ID is the connection's prefix and its number. No need to ask the call table
            // (which takes its lock) for the request's own key: this one is equal.
            return last;
        }
        object? known = isReply ? _callIdOfPendingCall?.Invoke(hdr.SequenceNumber) : null;
        object key = CallIds.Read(ref reader, hdr.SequenceNumber, known ?? _lastPrefix);
        if (key is CallIds.Prefix prefix)
        {
            _lastPrefix = prefix;
        }
        return key;
    }
}
