using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tube.Tests.Hosting;

public sealed class RaftMessageSealTests
{
    private static readonly byte[] Key = RaftMessageSeal.DeriveKey([.. Enumerable.Range(0, 40).Select(i => (byte)i)])!;

    [Fact]
    public void ATaggedMessageOpensOnlyUnderItsKeyAndUnchanged()
    {
        byte[] message = [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 3))];
        byte[] sealedBytes = RaftMessageSeal.Seal(message, Key);
        Assert.Equal(message.Length + RaftMessageSeal.TagBytes, sealedBytes.Length);
        Assert.Equal(message.Length, RaftMessageSeal.Open(sealedBytes, Key));
        Assert.Equal(message, sealedBytes[..message.Length]);

        byte[] otherKey = RaftMessageSeal.DeriveKey(new byte[40])!;
        Assert.Equal(-1, RaftMessageSeal.Open(sealedBytes, otherKey));
        for (int i = 0; i < sealedBytes.Length; i += 37)
        {
            byte[] tampered = sealedBytes.ToArray();
            tampered[i] ^= 1;
            Assert.Equal(-1, RaftMessageSeal.Open(tampered, Key));
        }

        Assert.Equal(-1, RaftMessageSeal.Open(message, Key));
        Assert.Equal(-1, RaftMessageSeal.Open(new byte[RaftMessageSeal.TagBytes - 1], Key));
    }

    [Fact]
    public void WithoutAKeyMessagesGoUntagged()
    {
        byte[] message = [1, 2, 3];
        Assert.Same(message, RaftMessageSeal.Seal(message, null));
        Assert.Equal(3, RaftMessageSeal.Open(message, null));
        Assert.Null(RaftMessageSeal.DeriveKey(null));
        Assert.NotEqual(RaftMessageSeal.DeriveKey(new byte[32]), RaftMessageSeal.DeriveKey(new byte[33]));
    }
}
