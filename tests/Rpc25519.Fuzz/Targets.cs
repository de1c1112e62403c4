using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Tls;
using Rpc25519.Compression;
using Rpc25519.ConfigFiles;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Rpc;
using Rpc25519.Rpc.Streams;
using Rpc25519.Security;
using Rpc25519.Transport;

namespace Rpc25519.Fuzz;

/// <summary>
/// The fuzz targets. Each is a plain static method taking the input bytes; the only exceptions allowed out of it are
/// the library's documented, typed failures for that input (<see cref="FuzzTarget.IsExpected"/>).
/// </summary>
public static class Targets
{
    /// <summary>The frame limit the frame targets decode under (small, so that bombs show quickly).</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    /// <summary>Every target, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        // A zstd body may expand to the frame limit from a few bytes (that is what zstd does to repetitive data); its
        // memory is bounded by the limit, so targets that reach zstd may allocate it once per input.
        Frame("frame", FrameStream, 64, MaxFrameBytes),
        Frame("frame-none", b => FrameBody(0, b), 64),
        Frame("frame-snappy", b => FrameBody((byte)CompressionAlgo.Snappy, b), 64 + 22),
        Frame("frame-lz4", b => FrameBody((byte)CompressionAlgo.Lz4, b), 64 + 256),
        Frame("frame-zstd", b => FrameBody((byte)CompressionAlgo.Zstd03, b), 64, MaxFrameBytes),
        // A server's large-frame path: zstd decompressed piece by piece into the payload. What its cost allows: the
        // payload and the other fields' strings (up to twice the limit together) and the buffer for those fields.
        Frame("frame-zstd-large", LargeZstdFrameBody, 64, 3 * MaxFrameBytes),
        Frame("frame-nosys", b => FrameBody((byte)CompressionAlgo.NoSystemCompression, b), 64),
        Frame("frame-unknown", b => FrameBody(8, b), 64),
        Frame("message", Message, 64),
        Frame("peer-control", PeerControl, 64),
        Frame("stream-control", StreamControl, 64),
        new("psk-record", PskRecord, e => e is AuthenticationRejectedException, 4, 512 * 1024),
        new("tls-record", TlsRecord, e => e is IOException { InnerException: TlsFatalAlert or TlsFatalAlertReceived },
            4, 256 * 1024),
        new("config-sexp", b => RpcOptions.ParseSexp(Text(b)), e => e is ConfigFileException, 256, 256 * 1024),
        new("config-json", b => RpcOptions.ParseJson(Text(b)), e => e is ConfigFileException, 256, 256 * 1024),
        new("key-file", KeyFile, e => e is RpcException, 64, 2 * 1024 * 1024),
        new("certificate", Certificate, e => e is RpcException, 256, 1024 * 1024),
        new("certificate-der", CertificateDer, e => e is CertificateRejectedException, 256, 1024 * 1024),
    ];

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such target.</exception>
    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'; known: {string.Join(", ", All.Select(t => t.Name))}.");

    private static FuzzTarget Frame(string name, FuzzEntry run, long factor, long extra = 0) =>
        new(name, run, e => e is RpcProtocolException, factor, 256 * 1024 + extra);

    // ---- frames and messages ----------------------------------------------------------------------------------

    /// <summary>A byte stream as the reader loop sees it: frames decoded one after another.</summary>
    public static void FrameStream(ReadOnlySpan<byte> input)
    {
        ReadOnlySequence<byte> buffer = Segmented(input);
        var context = NewDecodeContext();
        while (ReadFrame(ref buffer, context, out _))
        {
        }
    }

    /// <summary>One frame whose header names <paramref name="compression"/> and whose body is the input.</summary>
    public static void FrameBody(byte compression, ReadOnlySpan<byte> body)
    {
        byte[] frame = new byte[FrameHeader.Size + body.Length];
        FrameHeader.Write(frame, compression, body.Length);
        body.CopyTo(frame.AsSpan(FrameHeader.Size));
        ReadOnlySequence<byte> buffer = Segmented(frame);
        if (!ReadFrame(ref buffer, NewDecodeContext(), out _))
        {
            throw new InvalidOperationException("A whole frame was not read (fuzz harness bug).");
        }
    }

    /// <summary>One zstd frame whose body is the input, decoded the way a server decodes a large frame (under a budget;
    /// the decompressed buffers must all be given back, whatever happens).</summary>
    public static void LargeZstdFrameBody(ReadOnlySpan<byte> body)
    {
        byte[] frame = new byte[FrameHeader.Size + body.Length];
        FrameHeader.Write(frame, (byte)CompressionAlgo.Zstd03, body.Length);
        body.CopyTo(frame.AsSpan(FrameHeader.Size));
        ReadOnlySequence<byte> whole = Segmented(frame);
        if (!FrameHeader.TryRead(whole, MaxFrameBytes, out FrameHeader header))
        {
            return;
        }
        var budget = new MemoryBudget(4L * MaxFrameBytes);
        try
        {
            LargeFrameDecoder.Decode(header, whole.Slice(FrameHeader.Size), MaxFrameBytes, NewDecodeContext(), budget);
        }
        finally
        {
            if (budget.DecodeBufferBytes != 0)
            {
                throw new InvalidOperationException($"{budget.DecodeBufferBytes} decompressed bytes not given back.");
            }
        }
    }

    /// <summary>A message body without a frame header or decode context.</summary>
    public static void Message(ReadOnlySpan<byte> input) => MessageCodec.Decode(Segmented(input));

    /// <summary>Peer-layer control messages (circuit opens, acks, credit, refusals): decoded, then their system args
    /// read the way the peer layer reads them.</summary>
    public static void PeerControl(ReadOnlySpan<byte> input)
    {
        Message message = MessageCodec.Decode(Segmented(input), NewDecodeContext());
        MessageHeader hdr = message.Header;
        _ = PeerWire.IntArg(hdr, SystemArgs.Window);
        _ = PeerWire.IntArg(hdr, SystemArgs.Credit);
        if (message.Error.Length > 0)
        {
            // The refusal a circuit open gets (PeerApi.RefusalFrom), which also reads the service-limit args.
            _ = Invoke(RefusalFrom, null, message);
        }
    }

    /// <summary>A stream's frames (parts, credit grants, the final reply) routed the way an open stream routes
    /// them: into a receive window, a send credit, and the reply's error.</summary>
    public static void StreamControl(ReadOnlySpan<byte> input)
    {
        ReadOnlySequence<byte> buffer = Segmented(input);
        DecodeContext context = NewDecodeContext();
        var inbox = new StreamInbox(StreamCredit.InitialBytes, static _ => ValueTask.CompletedTask,
            TaskCreationOptions.RunContinuationsAsynchronously);
        var outbox = new StreamOutbox(TaskCreationOptions.RunContinuationsAsynchronously);
        while (ReadFrame(ref buffer, context, out Message? message))
        {
            MessageHeader hdr = message.Header;
            switch (hdr.CallType)
            {
                case WireCallType.StreamCredit:
                    outbox.Grant(hdr.StreamPart);
                    break;
                case CallType.DownloadBegin or CallType.DownloadMore or CallType.DownloadEnd or CallType.UploadMore
                    or CallType.UploadEnd:
                    inbox.Add(message, hdr.CallType is CallType.DownloadEnd or CallType.UploadEnd);
                    break;
                case CallType.Reply or CallType.Error:
                    Exception? error = ReplyErrors.ToException(message);
                    inbox.Finish(error);
                    outbox.Fail(error ?? new RpcException("finished"));
                    break;
            }
        }
    }

    // ---- record layers ----------------------------------------------------------------------------------------

    /// <summary>Fixed key material for the record-layer targets (and their seeds).</summary>
    public static byte[] RecordKey => [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    public static byte[] RecordIv => [.. Enumerable.Range(100, 12).Select(i => (byte)i)];

    /// <summary>The pre-shared-key record decoder (PskConnection.Decode) over the input, with fixed keys.</summary>
    public static void PskRecord(ReadOnlySpan<byte> input)
    {
        object connection = NewPskConnection(sendKey: new byte[32], receiveKey: RecordKey);
        var decoded = PipeWriter.Create(Stream.Null);
        try
        {
            _ = Invoke(PskDecode, connection, Segmented(input), decoded);
        }
        finally
        {
            decoded.Complete();
        }
    }

    /// <summary>Records sealed by the PSK layer with the key <see cref="PskRecord"/> opens (for seeds).</summary>
    public static byte[] PskSeal(params byte[][] plains)
    {
        object connection = NewPskConnection(sendKey: RecordKey, receiveKey: new byte[32]);
        var output = new MemoryStream();
        var encoded = PipeWriter.Create(output);
        foreach (byte[] plain in plains)
        {
            _ = Invoke(PskEncode, connection, new ReadOnlySequence<byte>(plain), encoded);
        }
        encoded.FlushAsync().AsTask().GetAwaiter().GetResult();
        encoded.Complete();
        return output.ToArray();
    }

    /// <summary>The TLS 1.3 application-data path after the handshake: <see cref="TlsRecordReader"/> (record length,
    /// then <see cref="TlsRecordLayer.Open"/>) over an input that holds the fuzz bytes and then ends, with fixed keys.
    /// Bad records fail the read with an <see cref="IOException"/> around the TLS alert.</summary>
    public static void TlsRecord(ReadOnlySpan<byte> input)
    {
        using var records = new TlsRecordLayer(new byte[32], new byte[12], 0, RecordKey, RecordIv, 0);
        var wire = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        wire.Writer.Write(input);
        wire.Writer.Complete();
        using var reader = new TlsRecordReader(wire.Reader, records, static _ => { }, "fuzz",
            NullLogger.Instance, TimeProvider.System);
        long opened = 0;
        while (true)
        {
            ValueTask<ReadResult> pending = reader.ReadAsync();
            if (!pending.IsCompleted)
            {
                throw new InvalidOperationException("A read over an input that has ended waited for more.");
            }
            ReadResult read = pending.GetAwaiter().GetResult();
            opened += read.Buffer.Length;
            if (opened > input.Length)
            {
                throw new InvalidOperationException($"{opened} bytes opened from {input.Length} bytes of records.");
            }
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Records sealed with the key <see cref="TlsRecord"/> opens (for seeds); a null entry seals a
    /// close_notify.</summary>
    public static byte[] TlsSeal(params byte[]?[] plains)
    {
        using var records = new TlsRecordLayer(RecordKey, RecordIv, 0, new byte[32], new byte[12], 0);
        var output = new MemoryStream();
        byte[] buffer = new byte[TlsRecordLayer.MaxPlaintextBytes + TlsRecordLayer.OverheadBytes];
        foreach (byte[]? plain in plains)
        {
            int n = plain is null ? records.SealCloseNotify(buffer) : records.Seal(plain, buffer);
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }

    // ---- files ------------------------------------------------------------------------------------------------

    /// <summary>A private key file (plain PKCS#8 or our pass-phrase protected form); the pass-phrase is "fuzz" and
    /// Argon2 is held to small settings so that one input stays fast.</summary>
    public static void KeyFile(ReadOnlySpan<byte> input) =>
        PrivateKeyFile.Parse(Text(input), "fuzz.key", static _ => "fuzz", maxMemoryKiB: 64, maxIterations: 2);

    /// <summary>A PEM certificate file, then what the library reads from each certificate.</summary>
    public static void Certificate(ReadOnlySpan<byte> input)
    {
        List<Org.BouncyCastle.X509.X509Certificate> certificates = CertificateChecker.ParsePem(Text(input), "fuzz.crt");
        foreach (Org.BouncyCastle.X509.X509Certificate certificate in certificates)
        {
            // What SelfCertificates.Describe / IsSignedBy and a TLS handshake read from a loaded certificate.
            _ = CertificateText.Describe(certificate);
            _ = CertificateChecker.IsSignedBy(certificate, certificate);
            _ = CertificateChecker.Check(certificate, certificate, FixedNow, clientRole: false);
            _ = CertificateChecker.Check(certificate, null, FixedNow, clientRole: true);
        }
    }

    /// <summary>A peer's certificate as a TLS handshake delivers it (DER), checked as TlsSettings.VerifyPeer checks
    /// it, against itself as CA (so the signature, name and usage checks run).</summary>
    public static void CertificateDer(ReadOnlySpan<byte> input)
    {
        byte[] der = input.ToArray();
        try
        {
            _ = CertificateChecker.CheckEncoded(der, null, FixedNow, clientRole: true);
        }
        catch (CertificateRejectedException)
        {
        }
        _ = CertificateChecker.CheckEncoded(der, SampleCa.Value, FixedNow, clientRole: false);
    }

    private static readonly Lazy<Org.BouncyCastle.X509.X509Certificate> SampleCa =
        new(() => new Org.BouncyCastle.X509.X509Certificate(Seeds.SampleCertificateDer));

    /// <summary>The instant certificates are checked at (fixed, so runs repeat).</summary>
    private static readonly DateTimeOffset FixedNow = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    // ---- plumbing ---------------------------------------------------------------------------------------------

    /// <summary>Text as a file reader would decode it (invalid UTF-8 becomes U+FFFD).</summary>
    public static string Text(ReadOnlySpan<byte> input) => Encoding.UTF8.GetString(input);

    /// <summary>The input cut into up to three segments, as a pipe hands over bytes that arrived in pieces.</summary>
    public static ReadOnlySequence<byte> Segmented(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return new ReadOnlySequence<byte>(input.ToArray());
        }
        int a = input.Length / 3;
        int b = 2 * input.Length / 3;
        var first = new Segment(input[..a].ToArray(), 0);
        Segment second = first.Append(input[a..b].ToArray());
        Segment third = second.Append(input[b..].ToArray());
        return new ReadOnlySequence<byte>(first, 0, third, third.Memory.Length);
    }

    private static DecodeContext NewDecodeContext() =>
        new(static seq => seq is > 0 and < 4 ? "call-" + seq : null);

    /// <summary>The reader loop's own frame decoding (RpcConnection.TryDecodeFrame).</summary>
    private static bool ReadFrame(ref ReadOnlySequence<byte> buffer, DecodeContext context,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message) =>
        RpcConnection.TryDecodeFrame(ref buffer, MaxFrameBytes, context, out message, out _);
    private static readonly MethodInfo RefusalFrom = Method(typeof(PeerApi), "RefusalFrom");
    private static readonly MethodInfo PskDecode = Method(typeof(PskConnection), "Decode");
    private static readonly MethodInfo PskEncode = Method(typeof(PskConnection), "Encode");

    private static readonly ConstructorInfo PskConstructor =
        typeof(PskConnection).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();

    private static object NewPskConnection(byte[] sendKey, byte[] receiveKey) =>
        PskConstructor.Invoke([new NullConnection(), sendKey, receiveKey, NullLogger.Instance, TimeProvider.System]);

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)
        ?? throw new MissingMethodException(type.FullName, name);

    private static object? Invoke(MethodInfo method, object? target, params object?[] args) =>
        method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, args, null);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>An inner connection that is never used: the record decoders only read its address.</summary>
    private sealed class NullConnection : IConnection
    {
        public string LocalAddress => "fuzz://local";

        public string RemoteAddress => "fuzz://remote";

        public IDuplexPipe Transport => throw new NotSupportedException();

        public CancellationToken ConnectionClosed => CancellationToken.None;

        public void Abort(Exception? reason)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
