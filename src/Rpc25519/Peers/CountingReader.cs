using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Rpc25519.Peers;

/// <summary>
/// The reader a circuit hands out for <see cref="Circuit.Reads"/> and <see cref="Circuit.Errors"/>: it tells the
/// circuit of every fragment taken, so that the circuit can return credit to the sender (see <see cref="Circuit"/>).
/// </summary>
/// <remarks>Thread-safe as the channel it wraps.</remarks>
internal sealed class CountingReader(ChannelReader<Fragment> inner, Circuit owner) : ChannelReader<Fragment>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => inner.CanCount;

    public override int Count => inner.Count;

    public override bool CanPeek => inner.CanPeek;

    public override bool TryRead([MaybeNullWhen(false)] out Fragment item)
    {
        if (!inner.TryRead(out item))
        {
            return false;
        }
        owner.OnFragmentTaken(item);
        return true;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out Fragment item) => inner.TryPeek(out item);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        inner.WaitToReadAsync(cancellationToken);
}
