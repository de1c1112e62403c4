using static Rpc25519.SimNet.Analyzers.Tests.Verify;

namespace Rpc25519.SimNet.Analyzers.Tests;

public sealed class DeterminismCodeFixTests
{
    [Fact]
    public Task Clock_reads_use_the_TimeProvider_in_scope() => CodeFix("""
        using System;
        class C
        {
            private readonly TimeProvider _time = TimeProvider.System;
            DateTime A() => {|#0:DateTime.UtcNow|};
            DateTimeOffset B() => {|#1:DateTimeOffset.UtcNow|};
            DateTime D() => {|#2:DateTime.Now|};
        }
        """, """
        using System;
        class C
        {
            private readonly TimeProvider _time = TimeProvider.System;
            DateTime A() => _time.GetUtcNow().UtcDateTime;
            DateTimeOffset B() => _time.GetUtcNow();
            DateTime D() => _time.GetLocalNow().DateTime;
        }
        """,
        [.. Enumerable.Range(0, 3).Select(i => Diagnostic(DiagnosticIds.WallClock).WithLocation(i))]);

    [Fact]
    public Task A_parameter_wins_over_a_field_and_a_static_member_ignores_instance_fields() => CodeFix("""
        using System;
        class C
        {
            private readonly TimeProvider _time = TimeProvider.System;
            DateTimeOffset A(TimeProvider clock) => {|#0:DateTimeOffset.UtcNow|};
            static DateTimeOffset B() => {|#1:DateTimeOffset.UtcNow|};
        }
        """, """
        using System;
        class C
        {
            private readonly TimeProvider _time = TimeProvider.System;
            DateTimeOffset A(TimeProvider clock) => clock.GetUtcNow();
            static DateTimeOffset B() => {|#1:DateTimeOffset.UtcNow|};
        }
        """,
        [Diagnostic(DiagnosticIds.WallClock).WithLocation(1)],
        Diagnostic(DiagnosticIds.WallClock).WithLocation(0), Diagnostic(DiagnosticIds.WallClock).WithLocation(1));

    [Fact]
    public Task ConfigureAwait_false_is_removed() => CodeFix("""
        using System.Threading.Tasks;
        class C
        {
            async Task M(Task t)
            {
                await {|#0:t.ConfigureAwait(false)|};
            }
        }
        """, """
        using System.Threading.Tasks;
        class C
        {
            async Task M(Task t)
            {
                await t;
            }
        }
        """, Diagnostic(DiagnosticIds.ConfigureAwaitFalse).WithLocation(0));

    [Fact]
    public Task Delays_and_timeouts_get_the_TimeProvider() => CodeFix("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        class C
        {
            async Task M(TimeProvider time, CancellationToken ct)
            {
                await {|#0:Task.Delay(TimeSpan.FromSeconds(1))|};
                await {|#1:Task.Delay(TimeSpan.FromSeconds(1), ct)|};
                using var cts = {|#2:new CancellationTokenSource(TimeSpan.FromSeconds(1))|};
            }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        class C
        {
            async Task M(TimeProvider time, CancellationToken ct)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time);
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
            }
        }
        """,
        [.. Enumerable.Range(0, 3).Select(i => Diagnostic(DiagnosticIds.RealTimer).WithLocation(i))]);
}
