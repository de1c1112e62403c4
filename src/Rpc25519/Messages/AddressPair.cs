namespace Rpc25519.Messages;

/// <summary><see cref="MessageHeader.From"/> and <see cref="MessageHeader.To"/> together: both are the same for every
/// message a connection receives, so that connection shares one pair among all its messages instead of each header
/// holding two fields. Immutable; a header that changes one of them gets a new pair.</summary>
/// <param name="From">See <see cref="MessageHeader.From"/>.</param>
/// <param name="To">See <see cref="MessageHeader.To"/>.</param>
internal sealed record AddressPair(string From, string To)
{
    /// <summary>No addresses, as a new header has.</summary>
    public static readonly AddressPair Empty = new("", "");
}
