namespace Rpc25519.Tube.StateMachines.Sessions;

/// <summary>The open sessions, by id and by expiry time (both sorted, so expiry order is the same everywhere).</summary>
internal sealed class SessionTable
{
    private readonly SortedDictionary<long, ClientSession> byId = [];
    private readonly SortedSet<(long ExpiresAtMs, long Id)> byExpiry = [];

    public int Count => byId.Count;

    public IEnumerable<ClientSession> All => byId.Values;

    public ClientSession Open(long id, long timeoutMs, long nowMs)
    {
        var session = new ClientSession { Id = id, TimeoutMs = timeoutMs, LastActiveMs = nowMs };
        Add(session);
        return session;
    }

    public bool TryGet(long id, out ClientSession session) => byId.TryGetValue(id, out session!);

    public void Touch(ClientSession session, long nowMs)
    {
        byExpiry.Remove((session.ExpiresAtMs, session.Id));
        session.LastActiveMs = Math.Max(session.LastActiveMs, nowMs);
        byExpiry.Add((session.ExpiresAtMs, session.Id));
    }

    public void Remove(long id)
    {
        if (byId.Remove(id, out var session))
        {
            byExpiry.Remove((session.ExpiresAtMs, id));
        }
    }

    /// <summary>The sessions whose idle timeout has passed at <paramref name="nowMs"/>, soonest first.</summary>
    public List<long> ExpiredAt(long nowMs)
    {
        var expired = new List<long>();
        foreach (var (expiresAtMs, id) in byExpiry)
        {
            if (expiresAtMs > nowMs)
            {
                break;
            }

            expired.Add(id);
        }

        return expired;
    }

    public void Replace(IEnumerable<ClientSession> sessions)
    {
        byId.Clear();
        byExpiry.Clear();
        foreach (var session in sessions)
        {
            Add(session);
        }
    }

    private void Add(ClientSession session)
    {
        byId.Add(session.Id, session);
        byExpiry.Add((session.ExpiresAtMs, session.Id));
    }
}
