namespace Rpc25519.JSync.Tests.Support;

/// <summary>A read-only stream of seeded pseudo-random bytes (xorshift64*), generated on the fly: never held in memory.</summary>
internal sealed class SeededStream : Stream
{
    private readonly long _length;
    private ulong _state;
    private long _position;

    public SeededStream(long length, ulong seed)
    {
        _length = length;
        _state = seed | 1;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, _length - _position);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            BitConverter.TryWriteBytes(buffer[i..], _state * 0x2545F4914F6CDD1DUL);
        }
        for (; i < n; i++)
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            buffer[i] = (byte)((_state * 0x2545F4914F6CDD1DUL) >> 56);
        }
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
