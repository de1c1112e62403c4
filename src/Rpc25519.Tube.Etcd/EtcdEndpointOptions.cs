namespace Rpc25519.Tube.Etcd;

/// <summary>Settings of an <see cref="EtcdEndpoint"/>.</summary>
public sealed class EtcdEndpointOptions
{
    /// <summary>The table that holds the etcd keys: "etcd".</summary>
    public const string DefaultTable = "etcd";

    /// <summary>Where to listen, <c>host:port</c>; a loopback address by default (port 0 picks a free one, see
    /// <see cref="EtcdEndpoint.Address"/>). The endpoint speaks plain HTTP/2 (h2c), as etcd does without TLS, so
    /// bind it to loopback or a trusted network only.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1:2379";

    /// <summary>The Tube table the etcd keyspace lives in (<see cref="DefaultTable"/>). Every etcd key is a key of this
    /// table; other tables are not visible through the endpoint.</summary>
    public string Table { get; set; } = DefaultTable;

    /// <summary>The cluster id sent in every response header.</summary>
    public ulong ClusterId { get; set; }

    /// <summary>The member id sent in every response header (the replica's node id under <c>tube -etcd</c>).</summary>
    public ulong MemberId { get; set; }

    /// <summary>The shortest lease TTL granted (etcd grants at least its own minimum too); 2 s by default.</summary>
    public TimeSpan MinLeaseTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Logging for the endpoint and its Kestrel server (null: none).</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Table))
        {
            throw new ArgumentException("EtcdEndpointOptions.Table must name a Tube table, e.g. \"etcd\".", nameof(Table));
        }

        if (MinLeaseTtl < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException(
                $"EtcdEndpointOptions.MinLeaseTtl must be at least 1 s (Tube's shortest session); got {MinLeaseTtl}.",
                nameof(MinLeaseTtl));
        }

        EtcdEndpoint.ParseListenAddress(ListenAddress);
    }
}
