using System.Diagnostics;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// Three replicas in network namespaces of their own, made by the test (root only): each namespace has one end of a
/// veth pair with the address 10.213.S.(i+1), whose other end is a port of a bridge in a "hub" namespace; one more
/// veth pair links the hub to the test's own namespace (10.213.S.254), so the test's clients reach every replica.
/// Isolating a replica sets its hub-side link down: it hears no peer and no client. Names carry the test process's id,
/// and S is one that no address of this namespace uses yet, so concurrent test runs do not collide. Everything is deleted on dispose, and also when the
/// set-up fails half-way.
/// </summary>
internal sealed class NetnsMesh : IPartitioner
{
    private const int Port = 7000;
    private readonly string tag = "tb" + (Environment.ProcessId % 0xFFFF).ToString("x4");
    private readonly int subnet = FreeSubnet();
    private readonly IReadOnlyList<string> names;

    public NetnsMesh(IReadOnlyList<string> names)
    {
        this.names = names;
        try
        {
            Ip("netns", "add", Hub);
            Ip("-n", Hub, "link", "add", "br0", "type", "bridge");
            Ip("-n", Hub, "link", "set", "br0", "up");
            for (int i = 0; i < names.Count; i++)
            {
                Ip("netns", "add", Namespace(i));
                Ip("-n", Namespace(i), "link", "set", "lo", "up");
                Ip("link", "add", HubSide(i), "type", "veth", "peer", "name", tag + "r" + i);
                Ip("link", "set", tag + "r" + i, "netns", Namespace(i));
                Ip("-n", Namespace(i), "link", "set", tag + "r" + i, "name", "eth0");
                Ip("-n", Namespace(i), "addr", "add", $"{Host(i)}/24", "dev", "eth0");
                Ip("-n", Namespace(i), "link", "set", "eth0", "up");
                Attach(HubSide(i));
            }

            Ip("link", "add", HubSide(9), "type", "veth", "peer", "name", RootSide);
            Attach(HubSide(9));
            Ip("addr", "add", $"10.213.{subnet}.254/24", "dev", RootSide);
            Ip("link", "set", RootSide, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>True when this process runs as root with CAP_NET_ADMIN and TUBE_FAULT_NET does not ask for relays:
    /// the partition tests then use namespaces (CI runs as root). A root process in a container without the capability
    /// cannot make namespaces; the tests then partition through relays and say so in their output.</summary>
    public static bool Wanted => WhyNot is null;

    /// <summary>Why namespaces are not used (for the test's output), or null when they are.</summary>
    public static string? WhyNot => !OperatingSystem.IsLinux() ? "not Linux"
        : !Environment.IsPrivilegedProcess ? "not root"
        : !HasNetAdmin() ? "root without CAP_NET_ADMIN (a container?)"
        : Environment.GetEnvironmentVariable("TUBE_FAULT_NET") == "relay" ? "TUBE_FAULT_NET=relay"
        : null;

    /// <summary>Bit 12 (CAP_NET_ADMIN) of the effective capability set in /proc/self/status.</summary>
    private static bool HasNetAdmin()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line["CapEff:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber,
            System.Globalization.CultureInfo.InvariantCulture, out ulong effective) && (effective & (1UL << 12)) != 0;
    }

    public string Kind => "network namespaces and veth pairs";

    public bool CutsClients => true;

    private string Hub => tag + "hub";

    private string RootSide => tag + "root";

    public string ClientAddress(int index) => $"{Host(index)}:{Port}";

    public IReadOnlyDictionary<string, string> AddressBookOf(int index) =>
        names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => ClientAddress(p.i));

    public IReadOnlyList<string>? Launcher(int index) => ["ip", "netns", "exec", Namespace(index)];

    public void Isolate(int index) => Ip("-n", Hub, "link", "set", HubSide(index), "down");

    public void HealAll()
    {
        for (int i = 0; i < names.Count; i++)
        {
            Ip("-n", Hub, "link", "set", HubSide(i), "up");
        }
    }

    public void Dispose()
    {
        // Deleting a namespace deletes the veth ends in it, and with them their peers.
        foreach (string space in Enumerable.Range(0, names.Count).Select(Namespace).Append(Hub))
        {
            TryIp("netns", "del", space);
        }

        TryIp("link", "del", RootSide);
    }

    private string Namespace(int index) => tag + "n" + index;

    private string HubSide(int index) => tag + "h" + index;

    private string Host(int index) => $"10.213.{subnet}.{index + 1}";

    private void Attach(string link)
    {
        Ip("link", "set", link, "netns", Hub);
        Ip("-n", Hub, "link", "set", link, "master", "br0");
        Ip("-n", Hub, "link", "set", link, "up");
    }

    private static void Ip(params string[] args)
    {
        (int code, string errors, _) = Run(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"'ip {string.Join(' ', args)}' failed ({code}): {errors.Trim()}. As " +
                "root the partition test builds network namespaces: it needs iproute2 (apt-get install iproute2) and " +
                "the CAP_NET_ADMIN capability; set TUBE_FAULT_NET=relay to partition through loopback relays instead.");
        }
    }

    private static void TryIp(params string[] args) => Run(args);

    /// <summary>A third byte S, starting from one taken from the process id, such that no address here is in
    /// 10.213.S.0/24.</summary>
    private static int FreeSubnet()
    {
        (_, _, string addresses) = Run(["-4", "-o", "addr", "show"]);
        return Enumerable.Range(0, 200).Select(k => 20 + ((Environment.ProcessId + k) % 200))
            .First(s => !addresses.Contains($" 10.213.{s}.", StringComparison.Ordinal));
    }

    private static (int Code, string Errors, string Output) Run(string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using Process process = Process.Start(info)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, errors, output.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"cannot run ip: {e.Message}", "");
        }
    }
}
