using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Reliability;

namespace Monitor.Tests.Sweep;

/// <summary>
/// A sweep that runs longer than the lease keeps the lock: the holder renews it, so a second host that waits longer
/// than the lease duration still finds it held. Its own class, so that it waits beside other tests.
/// </summary>
public sealed class SweepLockRenewalTests
{
    [Fact]
    public async Task A_held_lock_is_renewed_beyond_its_lease_duration()
    {
        // 15 s leases renewed every 5 s; the other host gives up after 20 s.
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromSeconds(20));
        await using var test = new TestStorage(ReliabilityData.AsOf, settings);
        await using var other = SweepLockSettings.Host(test, settings);
        var holder = await test.Services.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var competitor = await other.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Null(competitor);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(20), $"gave up after {started.Elapsed.TotalSeconds:0.0} s");
        Assert.False(holder.Lost.IsCancellationRequested, holder.LostReason);

        // Released: the other host takes it at once.
        await holder.DisposeAsync();
        await using var taken = await other.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(taken);
    }
}
