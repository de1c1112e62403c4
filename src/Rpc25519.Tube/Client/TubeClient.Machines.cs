using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;

namespace Rpc25519.Tube.Client;

/// <summary>Typed calls to user state machines by name.</summary>
public sealed partial class TubeClient
{
    /// <summary>Applies a typed command to the replicated machine registered as <paramref name="machine"/>, in this
    /// client's session, exactly once. Command and reply travel as MessagePack with integer keys
    /// (<c>[MessagePackObject]</c>, <c>[Key(n)]</c>), the format the machine decodes.</summary>
    /// <typeparam name="TCommand">The machine's command type.</typeparam>
    /// <typeparam name="TReply">The machine's reply type.</typeparam>
    /// <param name="machine">The machine's registered name.</param>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the wait (the command may still be applied, once).</param>
    /// <returns>The machine's reply.</returns>
    /// <exception cref="StateMachines.Errors.CommandRejectedException">The machine refused the command.</exception>
    public async Task<TReply> ExecuteAsync<TCommand, TReply>(string machine, TCommand command,
        CancellationToken cancellationToken = default) =>
        TubeSerializer.Deserialize<TReply>(
            await ExecuteAsync(machine, TubeSerializer.Serialize(command), cancellationToken));

    /// <summary>Asks the replicated machine <paramref name="machine"/> a typed read-only query.</summary>
    /// <typeparam name="TQuery">The machine's query type.</typeparam>
    /// <typeparam name="TReply">The machine's answer type.</typeparam>
    /// <param name="machine">The machine's registered name.</param>
    /// <param name="query">The query.</param>
    /// <param name="mode">How fresh the answer must be; linearizable by default.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The machine's answer.</returns>
    public async Task<TReply> QueryAsync<TQuery, TReply>(string machine, TQuery query,
        ReadMode mode = ReadMode.Linearizable, CancellationToken cancellationToken = default) =>
        TubeSerializer.Deserialize<TReply>(
            await QueryAsync(machine, TubeSerializer.Serialize(query), mode, cancellationToken));
}
