using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Reliability;

namespace Monitor.Tests.Sweep;

/// <summary>
/// A sweep that runs longer than the lease keeps the lock: the holder renews it every RenewInterval. The lock's time is
/// stepped with a fake TimeProvider and each step awaits the renewal loop's own "waiting for its next turn" point, so
/// the test neither sleeps nor depends on how fast a loaded machine answers; the lease itself is real (Azurite).
/// </summary>
public sealed class SweepLockRenewalTests
{
    [Fact]
    public async Task A_held_lock_is_renewed_beyond_its_lease_duration()
    {
        // 15 s leases renewed every 5 s: four turns take the holder 20 s past its acquisition, beyond one lease.
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromSeconds(20));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var test = new TestStorage(ReliabilityData.AsOf, settings, services => services.AddSingleton<TimeProvider>(time));
        var holder = await test.Services.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);
        var blob = test.Storage.Config.GetBlobClient(SweepLock.BlobName);

        for (var turn = 1; turn <= 4; turn++)
        {
            await holder.WaitingAfterAsync(turn - 1).WaitAsync(TimeSpan.FromMinutes(1));
            time.Advance(TimeSpan.FromSeconds(5));
            await holder.WaitingAfterAsync(turn).WaitAsync(TimeSpan.FromMinutes(1));

            // Renewed, and held as far as any other host can tell.
            Assert.Equal(turn, holder.Renewals);
            var taken = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15)));
            Assert.Equal(409, taken.Status);
        }
        Assert.False(holder.Lost.IsCancellationRequested, holder.LostReason);

        // Released: another host takes it at once.
        await holder.DisposeAsync();
        await using var other = SweepLockSettings.Host(test, settings);
        await using var next = await other.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(next);
    }

    /// <summary>Renewals that stop (storage failing for the rest of the lease) lose the lock before the lease can lapse.</summary>
    [Fact]
    public async Task A_lease_not_renewed_in_time_is_given_up_while_it_still_runs()
    {
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromSeconds(20));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var test = new TestStorage(ReliabilityData.AsOf, settings, services => services.AddSingleton<TimeProvider>(time));
        var holder = await test.Services.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);
        await holder.WaitingAfterAsync(0).WaitAsync(TimeSpan.FromMinutes(1));

        // The next turn comes 11 s after the last renewal: less than one renewal interval of the 15 s lease is left.
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = holder.Lost.Register(lost.SetResult);
        time.Advance(TimeSpan.FromSeconds(11));
        await lost.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, holder.Renewals);
        Assert.StartsWith("the lease was not renewed for 11 s of its 15 s", holder.LostReason);
        await holder.DisposeAsync();
    }
}
