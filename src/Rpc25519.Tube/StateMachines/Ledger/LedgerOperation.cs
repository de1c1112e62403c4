namespace Rpc25519.Tube.StateMachines.Ledger;

/// <summary>What a <see cref="LedgerCommand"/> does.</summary>
public enum LedgerOperation
{
    /// <summary>Open an account with an initial balance (money enters the ledger only here).</summary>
    OpenAccount = 0,

    /// <summary>Move money from one account to another; refused when the source has too little.</summary>
    Transfer = 1,

    /// <summary>Read one account's balance.</summary>
    Balance = 2,

    /// <summary>Read the sum of all balances and the total issued (always equal).</summary>
    Total = 3,
}
