using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Reliability;

namespace Monitor.Tests.Sweep;

/// <summary>
/// A sweep that runs longer than the lease keeps the lock: the holder renews it, so a second host that waits longer
/// than the lease duration still finds it held. It measures real lease time against a real Azurite, so it runs alone:
/// beside the heavy load tests one renewal call could take longer than its 5 s attempt (seen: the lease given up after
/// 11.3 s under a load average of 10 to 30), which says nothing about the lock.
/// </summary>
[Collection(RealTimeLeaseCollection.Name)]
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

/// <summary>Tests that measure real time against a real lease; xunit runs this collection after the others, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeLeaseCollection
{
    public const string Name = "real-time lease";
}
