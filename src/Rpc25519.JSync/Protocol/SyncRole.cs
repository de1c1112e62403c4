namespace Rpc25519.JSync.Protocol;

/// <summary>Which side of a sync an endpoint plays.</summary>
public enum SyncRole
{
    /// <summary>Has the wanted tree and sends plans and literal bytes.</summary>
    Giver = 0,

    /// <summary>Is brought up to date: summarizes what it has, rebuilds files and applies metadata.</summary>
    Taker = 1,
}
