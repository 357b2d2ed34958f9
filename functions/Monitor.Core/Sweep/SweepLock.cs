using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Storage;

namespace Monitor.Core.Sweep;

/// <summary>
/// Mutual exclusion of sweeps across processes: a blob lease on <c>config/_state/sweep-lock</c>. Without it, a sweep
/// that meets an alert row not yet marked queued cannot tell a crashed writer (resend: at-least-once) from another
/// sweep still working on it (do not resend), and overlapping sweeps queue the same alert twice. The lease is finite,
/// so a holder that dies frees the lock by itself within <see cref="SweepLockOptions.LeaseDuration"/>.
/// </summary>
/// <remarks>Lease time is real elapsed time (<see cref="TimeProvider"/>, not the injected IClock that tests freeze): the
/// lease runs on the storage service's time. Tests replace the TimeProvider to step renewals deterministically.</remarks>
public sealed partial class SweepLock(MonitorStorage storage, IOptions<SweepLockOptions> options, ILogger<SweepLock> logger, TimeProvider time)
{
    public const string BlobName = "_state/sweep-lock";

    /// <summary>Where the lock lives, for messages: container/blob.</summary>
    public string Location => $"{storage.Config.Name}/{BlobName}";

    /// <summary>Why a sweep that found the lock held for the whole wait did nothing, and why that is safe.</summary>
    public string SkippedMessage =>
        $"Sweep skipped: another sweep held the sweep lock ({Location}) for the whole wait of {options.Value.MaxWait.TotalSeconds:0.###} s. "
        + "This is safe: levels are computed from stored state, so the next sweep catches up on everything this one would have done.";

    /// <summary>
    /// Takes the lock, waiting up to <see cref="SweepLockOptions.MaxWait"/> while another sweep holds it. Returns the
    /// held lease (renewed in the background until disposed, which releases it), or null when the wait ran out.
    /// </summary>
    /// <param name="waiting">Told once, when the lock is found held and this sweep starts to wait.</param>
    public async Task<BlobLease?> AcquireAsync(Action<string>? waiting, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await storage.EnsureCreatedAsync(cancellationToken);
        var blob = storage.Config.GetBlobClient(BlobName);
        var started = time.GetTimestamp();
        var announced = false;
        while (true)
        {
            if (await BlobLock.TryAcquireAsync(blob, LockContent, settings.Timings, time, logger, cancellationToken) is { } held)
            {
                return held;
            }
            var waited = time.GetElapsedTime(started);
            if (waited >= settings.MaxWait)
            {
                LogSkipped(Location, waited.TotalSeconds);
                return null;
            }
            if (!announced)
            {
                announced = true;
                var message = $"Another sweep is in progress (it holds the sweep lock {Location}); waiting up to {settings.MaxWait.TotalSeconds:0.###} s for it to finish.";
                LogWaiting(Location, settings.MaxWait.TotalSeconds);
                waiting?.Invoke(message);
            }
            var left = settings.MaxWait - waited;
            await Task.Delay(left < settings.PollInterval ? left : settings.PollInterval, time, cancellationToken);
        }
    }

    private const string LockContent = "Leased by the running overdue sweep, so that two sweeps never run at once. The content is not used.\n";

    [LoggerMessage(Level = LogLevel.Information, Message = "Another sweep holds the sweep lock {Lock}; waiting up to {MaxWaitSeconds} s for it")]
    private partial void LogWaiting(string @lock, double maxWaitSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep skipped: the sweep lock {Lock} was held by another sweep for {WaitedSeconds:0.#} s; the next sweep catches up")]
    private partial void LogSkipped(string @lock, double waitedSeconds);
}

/// <summary>A sweep stopped because its lock could no longer be renewed (another sweep may have started).</summary>
public sealed class SweepLockLostException(string message, Exception inner) : Exception(message, inner);
