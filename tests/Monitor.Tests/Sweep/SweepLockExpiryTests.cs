using System.Diagnostics;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Reliability;

namespace Monitor.Tests.Sweep;

/// <summary>
/// A holder that died leaves a lease nobody renews or releases: the next sweep waits for it to expire (15 s, the
/// shortest lease Azure Storage grants) and then takes the lock. Its own class, so that it waits beside other tests.
/// </summary>
public sealed class SweepLockExpiryTests
{
    [Fact]
    public async Task A_lock_whose_holder_died_is_taken_over_when_its_lease_expires()
    {
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromMinutes(2));
        await using var test = new TestStorage(ReliabilityData.AsOf, settings);
        await ReliabilityData.UploadAsync(test.Storage, ReliabilityData.Files(requests: 10, feeds: 1, recordsPerFeed: 100, density: 0.5, withDuplicateAndBroken: false));
        Assert.Empty((await test.Host.ProcessPendingAsync(null, CancellationToken.None)).Failures);

        // What a sweep killed mid-run leaves behind: the lease it took, never renewed nor released. It is taken for 60 s,
        // so the sweep below surely meets it however slowly it starts; once the sweep says it waits, the holder's last
        // act shortens it (the same lease ID, a new duration) to the 15 s that Azure Storage grants at least.
        var blob = test.Storage.Config.GetBlobClient(SweepLock.BlobName);
        await blob.UploadAsync(BinaryData.FromString("left by a sweep that died"), overwrite: true);
        var dead = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        await dead.AcquireAsync(TimeSpan.FromSeconds(60));

        var waits = 0;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sweep = test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(ReliabilityData.AsOf, _ =>
        {
            Interlocked.Increment(ref waits);
            waiting.TrySetResult();
        }, CancellationToken.None);
        await waiting.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var elapsed = Stopwatch.StartNew();
        await dead.AcquireAsync(TimeSpan.FromSeconds(15));
        var result = await sweep.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Null(result.SkippedBecause);
        Assert.NotEmpty(result.Alerts);
        Assert.Equal(1, waits);
        // It waited for the expiry (not less: the lease was live until then).
        Assert.True(elapsed.Elapsed >= TimeSpan.FromSeconds(14), $"the sweep ran {elapsed.Elapsed.TotalSeconds:0.0} s after the dead holder's lease was set to 15 s");
        Assert.Equal(result.Alerts.Select(a => a.AlertId).Order(StringComparer.Ordinal),
            (await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names)).QueuedAlertIds);
        // And it released the lock at the end: the next sweep does not wait.
        var next = await test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(ReliabilityData.AsOf, _ => Interlocked.Increment(ref waits), CancellationToken.None);
        Assert.Null(next.SkippedBecause);
        Assert.Equal(1, waits);
    }
}
