using Rpc25519.SimNet;
using Rpc25519.Tube.Client;

namespace Rpc25519.Tube.Tests.Client;

/// <summary>One czar candidate of a <see cref="CzarRun"/>: its node, its czar and the changes its watcher read.</summary>
internal sealed class CzarCandidate(int index, SimNode node)
{
    public int Index { get; } = index;

    public SimNode Node { get; } = node;

    public TubeCzar Czar { get; set; } = null!;

    public List<TubeCzarChange> Changes { get; } = [];

    /// <summary>The virtual time at which the watcher read each of <see cref="Changes"/>.</summary>
    public List<DateTimeOffset> ChangedAt { get; } = [];

    public Task Watching { get; set; } = Task.CompletedTask;

    public bool Disposed { get; set; }

    /// <summary>When this candidate was first told it lost the tenure with <paramref name="token"/>, or null.</summary>
    public DateTimeOffset? LostAt(long token)
    {
        int i = Changes.FindIndex(c => !c.IsCzar && c.FencingToken == token);
        return i < 0 ? null : ChangedAt[i];
    }

    /// <summary>When this candidate was told it was elected with <paramref name="token"/>, or null.</summary>
    public DateTimeOffset? ElectedAt(long token)
    {
        int i = Changes.FindIndex(c => c.IsCzar && c.FencingToken == token);
        return i < 0 ? null : ChangedAt[i];
    }
}
