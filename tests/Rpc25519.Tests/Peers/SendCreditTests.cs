using Rpc25519.Peers;

namespace Rpc25519.Tests.Peers;

/// <summary>The per-circuit credit account: what a fragment costs, first-in-first-out waiting, cancel and
/// close.</summary>
public sealed class SendCreditTests
{
    [Fact]
    public void A_fragment_costs_one_unit_plus_one_per_4_KiB_capped_at_the_window()
    {
        Assert.Equal(1, SendCredit.CostOf(0, 1024));
        Assert.Equal(1, SendCredit.CostOf(4095, 1024));
        Assert.Equal(2, SendCredit.CostOf(4096, 1024));
        Assert.Equal(17, SendCredit.CostOf(64 * 1024, 1024));
        Assert.Equal(8, SendCredit.CostOf(64 * 1024 * 1024, 8));
    }

    [Fact]
    public async Task Waiting_senders_are_served_in_order_and_a_small_one_does_not_overtake_a_large_one()
    {
        var credit = new SendCredit();
        Task<bool> large = credit.TakeAsync(3, CancellationToken.None);
        Task<bool> small = credit.TakeAsync(1, CancellationToken.None);
        credit.Grant(1);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        Assert.False(credit.TryTake(1));
        credit.Grant(2);
        Assert.True(await large);
        Assert.False(small.IsCompleted);
        credit.Grant(1);
        Assert.True(await small);
        Assert.False(credit.TryTake(1));
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_close_releases_the_rest()
    {
        var credit = new SendCredit();
        using var cancel = new CancellationTokenSource();
        Task<bool> head = credit.TakeAsync(5, cancel.Token);
        Task<bool> next = credit.TakeAsync(1, CancellationToken.None);
        credit.Grant(1);
        Assert.False(next.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => head);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));

        Task<bool> stuck = credit.TakeAsync(1, CancellationToken.None);
        credit.Close();
        Assert.False(await stuck);
        credit.Grant(10);
        Assert.False(credit.TryTake(1));
    }
}
