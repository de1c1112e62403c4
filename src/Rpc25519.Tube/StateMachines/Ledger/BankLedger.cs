using System.Buffers.Binary;
using System.Text;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Ledger;

/// <summary>
/// An example of a user-defined replicated state machine: a bank ledger. Money enters only when an account is
/// opened; transfers move it and are refused when the source would go negative. Invariant: the sum of all balances
/// equals the money issued, and no balance is negative (<see cref="CheckInvariant"/>). Registered beside or instead
/// of the KV store, it gets sessions and exactly-once retries from <see cref="StateMachineSet"/>, so a retried
/// transfer never moves money twice.
/// </summary>
public sealed class BankLedger : IReplicatedStateMachine
{
    /// <summary>The name the examples and tests register the ledger under.</summary>
    public const string DefaultName = "ledger";

    private readonly SortedDictionary<string, long> balances = new(StringComparer.Ordinal);
    private long issued;

    /// <summary>How many accounts exist.</summary>
    public int AccountCount => balances.Count;

    /// <summary>The money issued so far.</summary>
    public long Issued => issued;

    /// <inheritdoc />
    public byte[] Apply(ApplyContext context, ReadOnlyMemory<byte> command)
    {
        var c = TubeSerializer.Deserialize<LedgerCommand>(command);
        return TubeSerializer.Serialize(c.Operation switch
        {
            LedgerOperation.OpenAccount => Open(context, c),
            LedgerOperation.Transfer => Transfer(context, c),
            _ => Read(c),
        });
    }

    /// <inheritdoc />
    public byte[] Query(ReadContext context, ReadOnlyMemory<byte> query) =>
        TubeSerializer.Serialize(Read(TubeSerializer.Deserialize<LedgerCommand>(query)));

    /// <inheritdoc />
    public void WriteSnapshot(Stream destination) => TubeSerializer.Serialize(destination, new LedgerSnapshot
    {
        Issued = issued, Accounts = [.. balances.Keys], Balances = [.. balances.Values],
    });

    /// <inheritdoc />
    public void RestoreSnapshot(Stream source)
    {
        var snapshot = TubeSerializer.Deserialize<LedgerSnapshot>(source);
        balances.Clear();
        for (int i = 0; i < snapshot.Accounts.Count; i++)
        {
            balances.Add(snapshot.Accounts[i], snapshot.Balances[i]);
        }

        issued = snapshot.Issued;
    }

    /// <summary>Throws when the invariant is broken: balances must sum to the money issued, none negative.</summary>
    /// <exception cref="InvalidOperationException">The invariant does not hold (a bug, or a command applied
    /// twice).</exception>
    public void CheckInvariant()
    {
        long sum = balances.Values.Sum();
        if (sum != issued || balances.Values.Any(b => b < 0))
        {
            throw new InvalidOperationException(
                $"Ledger invariant broken: balances sum to {sum} but {issued} was issued, or a balance is negative.");
        }
    }

    private LedgerReply Open(ApplyContext context, LedgerCommand c)
    {
        string account = ValidAccount(c.Account);
        if (c.Amount < 0)
        {
            throw new InvalidCommandException($"An initial balance cannot be negative; got {c.Amount}.");
        }

        if (c.Amount > long.MaxValue - issued)
        {
            throw new InvalidCommandException(
                $"The ledger has issued {issued}; it cannot issue {c.Amount} more (the total must fit in 64 bits).");
        }

        if (!balances.TryAdd(account, c.Amount))
        {
            throw new CommandRejectedException($"Account '{account}' already exists; transfer to it instead.");
        }

        issued += c.Amount;
        Record(context, account);
        return new LedgerReply { Balance = c.Amount };
    }

    private LedgerReply Transfer(ApplyContext context, LedgerCommand c)
    {
        string from = RequireAccount(c.Account);
        string to = RequireAccount(c.ToAccount);
        if (c.Amount <= 0 || from == to)
        {
            throw new InvalidCommandException(
                "A transfer moves a positive amount between two different accounts.");
        }

        if (balances[from] < c.Amount)
        {
            throw new CommandRejectedException(
                $"Account '{from}' holds {balances[from]}, less than the {c.Amount} to transfer; transfer less.");
        }

        balances[from] -= c.Amount;
        balances[to] += c.Amount;
        Record(context, from);
        Record(context, to);
        return new LedgerReply { Balance = balances[from] };
    }

    private LedgerReply Read(LedgerCommand c) => c.Operation switch
    {
        LedgerOperation.Balance => new LedgerReply { Balance = balances[RequireAccount(c.Account)] },
        LedgerOperation.Total => new LedgerReply { Sum = balances.Values.Sum(), Issued = issued },
        _ => throw new MalformedCommandException($"Unknown ledger operation {(int)c.Operation}."),
    };

    private void Record(ApplyContext context, string account)
    {
        var balance = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(balance, balances[account]);
        context.RecordChange(DefaultName, Encoding.UTF8.GetBytes(account), ChangeKind.Put, 0, balance);
    }

    private static string ValidAccount(string? account) => string.IsNullOrEmpty(account)
        ? throw new InvalidCommandException("An account needs a non-empty name.")
        : account;

    private string RequireAccount(string? account) => balances.ContainsKey(ValidAccount(account))
        ? account!
        : throw new CommandRejectedException($"Account '{account}' does not exist; open it first.");
}
