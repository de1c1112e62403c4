using System.Buffers;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Rpc;
using Rpc25519.Security;

namespace Rpc25519.Fuzz;

/// <summary>
/// Writes the small, valid seed inputs of every target (<c>dotnet run --project tests/Rpc25519.Fuzz -- seeds</c>).
/// The committed corpus is this output; rerun it when a wire or file format changes.
/// </summary>
public static class Seeds
{
    public static void WriteAll(string root)
    {
        Write(root, "message", Messages().Select(Encode));
        Write(root, "frame-none", Messages().Select(Encode));
        Write(root, "frame-nosys", Messages().Take(3).Select(Encode));
        Write(root, "frame-unknown", Messages().Take(2).Select(Encode));
        Write(root, "frame-snappy", Compressed(CompressionAlgo.Snappy));
        Write(root, "frame-lz4", Compressed(CompressionAlgo.Lz4));
        Write(root, "frame-zstd", Compressed(CompressionAlgo.Zstd03));
        Write(root, "frame-zstd-large", LargeCompressed());
        var frames = new List<byte[]>();
        foreach (byte compression in new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 255 })
        {
            byte[] body = compression is >= 1 and <= 6
                ? Compress((CompressionAlgo)compression, Encode(Big()))
                : Encode(Messages().First());
            frames.Add(Frame(compression, body));
        }
        frames.Add([.. Messages().SelectMany(m => Frame(0, Encode(m)))]);
        Write(root, "frame", frames);
        Write(root, "peer-control", PeerMessages().Select(Encode));
        Write(root, "stream-control", StreamFrames());
        Write(root, "psk-record", [
            Targets.PskSeal(Frame(0, Encode(Messages().First()))),
            Targets.PskSeal("a"u8.ToArray(), new byte[300], Encoding.UTF8.GetBytes(new string('x', 3000)))]);
        Write(root, "tls-record", [
            Targets.TlsSeal(Frame(0, Encode(Messages().First()))),
            Targets.TlsSeal("hello"u8.ToArray(), new byte[100], null)]);
        RpcOptions sample = SampleOptions();
        Write(root, "config-sexp", [
            Encoding.UTF8.GetBytes(sample.ToSexp(omitDefaults: true)),
            Encoding.UTF8.GetBytes(sample.ToSexp(omitDefaults: false))]);
        Write(root, "config-json", [Encoding.UTF8.GetBytes(sample.ToJson())]);
        KeyFiles(root);
    }

    private static RpcOptions SampleOptions() => new()
    {
        ServerAddress = "127.0.0.1:7777",
        MaxFrameBytes = 4 * 1024 * 1024,
        DefaultCallTimeout = TimeSpan.FromSeconds(3),
    };

    private static IEnumerable<Message> Messages()
    {
        yield return new Message(new MessageHeader
        {
            CallType = CallType.Call, ServiceName = "echo", CallId = "call-1", SequenceNumber = 1, Subject = "hi",
        }) { Payload = "hello"u8.ToArray() };
        yield return new Message(new MessageHeader
        {
            CallType = CallType.Reply, CallId = "call-2", SequenceNumber = 2, Serial = 7,
            Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Deadline = new DateTimeOffset(2026, 1, 2, 3, 4, 15, TimeSpan.Zero),
        }) { Error = "boom" };
        yield return new Message(new MessageHeader { CallType = WireCallType.KeepAlive });
        var args = new Message(new MessageHeader
        {
            CallType = CallType.OneWay, ServiceName = "svc", FromServiceName = "from", ToPeerId = "to-peer",
            FromPeerId = "from-peer", ToPeerName = "tn", FromPeerName = "fn", ToPeerServiceVersion = "1",
            FromPeerServiceVersion = "2", StreamPart = 3, Operation = 4, SkipCompression = true,
        });
        args.Header.Args["k"] = "v";
        args.Header.Args["#window"] = "8";
        yield return args;
        yield return Big();
    }

    private static Message Big() =>
        new(new MessageHeader { CallType = CallType.Call, ServiceName = "echo", CallId = "big", SequenceNumber = 3 })
        {
            Payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compressible text ", 100))),
        };

    private static IEnumerable<Message> PeerMessages()
    {
        foreach (CallType type in new[] { WireCallType.PeerStart, WireCallType.PeerStartCircuit,
                     WireCallType.PeerCircuitEstablishedAck, WireCallType.PeerEndCircuit, CallType.PeerTraffic,
                     CallType.PeerError, WireCallType.PeerFromIsShutdown })
        {
            var message = new Message(new MessageHeader
            {
                CallType = type, CallId = "circuit-1", FromPeerId = "peer-a", ToPeerId = "peer-b",
                ServiceName = "svc", StreamPart = 1,
            });
            message.Header.Args[SystemArgs.Window] = "16";
            message.Header.Args[SystemArgs.Credit] = "4";
            yield return message;
        }
        var refusal = new Message(new MessageHeader
        {
            CallType = WireCallType.PeerCircuitEstablishedAck, CallId = "circuit-2",
        }) { Error = "limit" };
        refusal.Header.Args[SystemArgs.LimitedExistingPeerIdFirstUrl] = "tcp://127.0.0.1:1/svc/peer-a";
        refusal.Header.Args[SystemArgs.LimitedExistingPeerIds] = "peer-a,peer-b";
        refusal.Header.Args[SystemArgs.LimitedServiceMax] = "1";
        yield return refusal;
    }

    private static IEnumerable<byte[]> StreamFrames()
    {
        Message Part(CallType type, long part, int bytes) =>
            new(new MessageHeader { CallType = type, CallId = "s1", SequenceNumber = 1, StreamPart = part })
            {
                Payload = new byte[bytes],
            };
        byte[] Frames(params Message[] messages) => [.. messages.SelectMany(m => Frame(0, Encode(m)))];
        yield return Frames(Part(CallType.DownloadBegin, 0, 10), Part(CallType.DownloadMore, 1, 10),
            Part(CallType.DownloadEnd, 2, 0));
        yield return Frames(Part(CallType.UploadMore, 0, 100), Part(WireCallType.StreamCredit, 1 << 20, 0),
            Part(CallType.UploadEnd, 1, 5));
        yield return Frames(Part(CallType.DownloadBegin, 0, 10),
            new Message(new MessageHeader { CallType = CallType.Reply, CallId = "s1", SequenceNumber = 1 }),
            new Message(new MessageHeader { CallType = CallType.Error, CallId = "s1", Subject = "nope" }));
    }

    private static void KeyFiles(string root)
    {
        string temp = Path.Combine(Path.GetTempPath(), "rpc25519-fuzz-seeds-" + Environment.ProcessId);
        Directory.CreateDirectory(temp);
        try
        {
            Ed25519PrivateKeyParameters key = CertificateMaker.NewKey();
            string plain = Path.Combine(temp, "plain.key");
            string locked = Path.Combine(temp, "locked.key");
            PrivateKeyFile.Write(plain, key, null, null);
            PrivateKeyFile.Write(locked, key, "fuzz", new Argon2Settings { Iterations = 1, MemoryKiB = 8, Threads = 1 });
            Write(root, "key-file", [File.ReadAllBytes(plain), File.ReadAllBytes(locked)]);
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var ca = CertificateMaker.CreateCa(key, now, TimeSpan.FromDays(3650));
            Ed25519PrivateKeyParameters nodeKey = CertificateMaker.NewKey();
            var node = CertificateMaker.CreateIdentity(nodeKey.GeneratePublicKey(), "node@example.org", key, ca, now,
                TimeSpan.FromDays(3650));
            Write(root, "certificate", [SelfCertificates.PemBytes(ca), SelfCertificates.PemBytes(node),
                [.. SelfCertificates.PemBytes(node), .. SelfCertificates.PemBytes(ca)]]);
            Write(root, "certificate-der", [ca.GetEncoded(), node.GetEncoded()]);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>A CA certificate the certificate-der target checks peers against (the first certificate seed).</summary>
    public static byte[] SampleCertificateDer =>
        PemBlock.ParseAll(File.ReadAllText(Path.Combine(Corpus.Root, "certificate", "seed-00")))[0].Body;

    /// <summary>Zstd bodies for the large-frame path: a payload beyond the first 64 KiB look, and fields that need a
    /// second look (a long error before the payload).</summary>
    private static IEnumerable<byte[]> LargeCompressed()
    {
        Message large = Big();
        large.Payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compressible text ", 12_000)));
        yield return Compress(CompressionAlgo.Zstd03, Encode(large));
        large.Error = string.Concat(Enumerable.Repeat("a long error ", 8_000));
        yield return Compress(CompressionAlgo.Zstd03, Encode(large));
    }

    private static IEnumerable<byte[]> Compressed(CompressionAlgo algo)
    {
        yield return Compress(algo, Encode(Big()));
        Message withArgs = Big();
        withArgs.Header.Args["key"] = "value";
        withArgs.Header.Subject = "subject";
        yield return Compress(algo, Encode(withArgs));
    }

    public static byte[] Encode(Message message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A compressed body (length prefix and codec block) of <paramref name="body"/>, compressed even when
    /// it is small.</summary>
    public static byte[] Compress(CompressionAlgo algo, byte[] body)
    {
        byte[] padded = body.Length >= FrameCompressor.MinBytesToCompress ? body : [.. body, .. new byte[256]];
        using var output = new PooledBufferWriter();
        int n = FrameCompressor.TryCompress(algo, padded, output);
        if (n == 0)
        {
            throw new InvalidOperationException($"{algo} did not compress the seed.");
        }
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Frame(byte compression, byte[] body)
    {
        byte[] frame = new byte[FrameHeader.Size + body.Length];
        FrameHeader.Write(frame, compression, body.Length);
        body.CopyTo(frame, FrameHeader.Size);
        return frame;
    }

    private static void Write(string root, string target, IEnumerable<byte[]> seeds)
    {
        string dir = Path.Combine(root, target);
        Directory.CreateDirectory(dir);
        int i = 0;
        foreach (byte[] seed in seeds)
        {
            File.WriteAllBytes(Path.Combine(dir, $"seed-{i++:D2}"), seed);
        }
    }
}
