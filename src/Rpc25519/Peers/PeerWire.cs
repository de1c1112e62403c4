using System.Globalization;
using Rpc25519.Messages;

namespace Rpc25519.Peers;

/// <summary>How fragments and the peer layer's own messages map onto <see cref="Message"/> (spec §1.3).</summary>
internal static class PeerWire
{
    /// <summary>The message that carries <paramref name="fragment"/> on <paramref name="circuit"/>.</summary>
    /// <remarks>Circuit traffic (117/118) carries only what routes it (<see cref="MessageHeader.ToPeerId"/>,
    /// <see cref="MessageHeader.CallId"/>) and what the application set: the receiver fills the peer names, IDs and service names
    /// in from its circuit (<see cref="FromMessage"/>), which keeps small fragments small on the wire. Opens carry
    /// everything, since the receiver has no circuit yet.</remarks>
    /// <exception cref="ArgumentException">The fragment has an empty or reserved (<c>#</c>) arg key.</exception>
    public static Message ToMessage(Fragment fragment, Circuit circuit, CallType typ)
    {
        LocalPeer local = circuit.LocalPeer;
        bool traffic = typ is CallType.PeerTraffic or CallType.PeerError;
        var hdr = new MessageHeader
        {
            CallType = typ,
            CallId = circuit.CircuitId,
            Subject = fragment.Subject,
            StreamPart = fragment.Part,
            Operation = fragment.Operation,
            ToPeerId = circuit.RemotePeerId,
            ToPeerServiceVersion = fragment.ToPeerServiceVersion,
            FromPeerServiceVersion = fragment.FromPeerServiceVersion,
        };
        if (traffic)
        {
            hdr.ServiceName = fragment.ToPeerServiceName;
            hdr.FromServiceName = fragment.FromPeerServiceName;
        }
        else
        {
            hdr.FromPeerId = local.PeerId;
            hdr.FromPeerName = local.PeerName;
            hdr.ToPeerName = circuit.RemotePeerName;
            hdr.ServiceName = Either(fragment.ToPeerServiceName, circuit.RemoteServiceName);
            hdr.FromServiceName = Either(fragment.FromPeerServiceName, local.ServiceName);
        }
        if (fragment.HasArgs)
        {
            foreach (KeyValuePair<string, string> arg in fragment.Args)
            {
                if (SystemArgs.IsReservedOrEmpty(arg.Key))
                {
                    throw new ArgumentException($"Fragment arg key '{arg.Key}' is empty or starts with '#', which " +
                        "is reserved for the library; choose another key.", nameof(fragment));
                }
                hdr.Args[arg.Key] = arg.Value;
            }
        }
        return new Message(hdr) { Payload = fragment.Payload, Error = fragment.Error };
    }

    /// <summary>The fragment a received message carries on <paramref name="circuit"/> (the message is not used
    /// afterwards); peer fields the sender left out are filled in from the circuit.</summary>
    public static Fragment FromMessage(Message message, Circuit circuit)
    {
        MessageHeader hdr = message.Header;
        LocalPeer local = circuit.LocalPeer;
        var fragment = new Fragment
        {
            FromPeerId = circuit.RemotePeerId,
            FromPeerName = Either(hdr.FromPeerName, circuit.RemotePeerName),
            FromPeerServiceName = Either(hdr.FromServiceName, circuit.RemoteServiceName),
            FromPeerServiceVersion = hdr.FromPeerServiceVersion,
            ToPeerId = local.PeerId,
            ToPeerName = local.PeerName,
            ToPeerServiceName = Either(hdr.ServiceName, local.ServiceName),
            ToPeerServiceVersion = hdr.ToPeerServiceVersion,
            CircuitId = hdr.CallId,
            Serial = hdr.Serial,
            CallType = hdr.CallType,
            Operation = hdr.Operation,
            Subject = hdr.Subject,
            Part = hdr.StreamPart,
            Payload = message.Payload,
            Error = message.Error,
            Created = hdr.Created,
        };
        if (hdr.HasArgs)
        {
            foreach (KeyValuePair<string, string> arg in hdr.Args)
            {
                fragment.Args[arg.Key] = arg.Value;
            }
        }
        return fragment;
    }

    /// <summary>A peer-layer control message (no payload) from <paramref name="fromPeer"/> to a remote peer.</summary>
    public static Message Control(CallType typ, string callId, LocalPeer fromPeer, string toPeerId) =>
        new(new MessageHeader
        {
            CallType = typ,
            CallId = callId,
            FromPeerId = fromPeer.PeerId,
            FromPeerName = fromPeer.PeerName,
            FromServiceName = fromPeer.ServiceName,
            ToPeerId = toPeerId,
        });

    /// <summary>Reads a non-negative integer system arg; null when it is missing or malformed.</summary>
    public static int? IntArg(MessageHeader hdr, string key) =>
        hdr.HasArgs && hdr.Args.TryGetValue(key, out string? text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Either(string preferred, string fallback) => preferred.Length > 0 ? preferred : fallback;
}
