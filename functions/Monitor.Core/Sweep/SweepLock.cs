using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
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
    public async Task<SweepLease?> AcquireAsync(Action<string>? waiting, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await storage.EnsureCreatedAsync(cancellationToken);
        var blob = storage.Config.GetBlobClient(BlobName);
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        var started = time.GetTimestamp();
        var announced = false;
        while (true)
        {
            var sent = time.GetTimestamp();
            try
            {
                await lease.AcquireAsync(settings.LeaseDuration, cancellationToken: cancellationToken);
                return new SweepLease(lease, sent, settings, logger, time);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                await CreateLockBlobAsync(blob, cancellationToken);
                continue;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
            {
                // Another sweep holds it: wait below.
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

    private static async Task CreateLockBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var content = BinaryData.FromString("Leased by the running overdue sweep, so that two sweeps never run at once. The content is not used.\n");
            await blob.UploadAsync(content, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Created (and perhaps leased) by a concurrent sweep meanwhile.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Another sweep holds the sweep lock {Lock}; waiting up to {MaxWaitSeconds} s for it")]
    private partial void LogWaiting(string @lock, double maxWaitSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep skipped: the sweep lock {Lock} was held by another sweep for {WaitedSeconds:0.#} s; the next sweep catches up")]
    private partial void LogSkipped(string @lock, double waitedSeconds);
}

/// <summary>
/// A held sweep lock. The lease is renewed every <see cref="SweepLockOptions.RenewInterval"/> until disposed, which
/// releases it. When it cannot be renewed in time (taken by another holder, broken, or storage failing for too long)
/// <see cref="Lost"/> is cancelled: the sweep must stop, since another one may start.
/// </summary>
public sealed partial class SweepLease : IAsyncDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly SweepLockOptions _settings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly TimeProvider _time;
    private readonly Task _renewal;
    private long _renewedAt;
    private int _renewals;
    // A hook at a named point for tests: the renewal loop is waiting for its next turn after n renewals.
    private readonly Lock _gate = new();
    private bool _waiting;
    private readonly List<(int Renewals, TaskCompletionSource Reached)> _waiters = [];

    internal SweepLease(BlobLeaseClient lease, long acquiredAt, SweepLockOptions settings, ILogger logger, TimeProvider time)
    {
        _lease = lease;
        _settings = settings;
        _logger = logger;
        _time = time;
        _renewedAt = acquiredAt;
        _renewal = Task.Run(() => RenewAsync(_stop.Token));
    }

    /// <summary>How many times the lease has been renewed.</summary>
    public int Renewals => Volatile.Read(ref _renewals);

    /// <summary>Completes once the lease has been renewed <paramref name="renewals"/> times and the loop waits for its next turn.</summary>
    internal Task WaitingAfterAsync(int renewals)
    {
        lock (_gate)
        {
            if (_waiting && _renewals >= renewals)
            {
                return Task.CompletedTask;
            }
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((renewals, reached));
            return reached.Task;
        }
    }

    private void SetWaiting(bool waiting)
    {
        lock (_gate)
        {
            _waiting = waiting;
            if (waiting)
            {
                foreach (var waiter in _waiters.Where(w => w.Renewals <= _renewals).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Reached.TrySetResult();
                }
            }
        }
    }

    /// <summary>Cancelled when the lease may no longer be held.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why <see cref="Lost"/> was cancelled (null while held).</summary>
    public string? LostReason { get; private set; }

    private async Task RenewAsync(CancellationToken stop)
    {
        var delay = _settings.RenewInterval;
        while (true)
        {
            try
            {
                var turn = Task.Delay(delay, _time, stop);
                SetWaiting(true);
                await turn;
                SetWaiting(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Give up while a renewal interval of the lease is still left, so that the sweep stops before another can start.
            var left = _settings.LeaseDuration - _settings.RenewInterval - _time.GetElapsedTime(_renewedAt);
            if (left <= TimeSpan.Zero)
            {
                Lose($"the lease was not renewed for {_time.GetElapsedTime(_renewedAt).TotalSeconds:0.#} s of its {_settings.LeaseDuration.TotalSeconds:0} s");
                return;
            }
            using var timeout = new CancellationTokenSource(left < _settings.RenewInterval ? left : _settings.RenewInterval, _time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
            var sent = _time.GetTimestamp();
            try
            {
                await _lease.RenewAsync(cancellationToken: attempt.Token);
                _renewedAt = sent;
                Interlocked.Increment(ref _renewals);
                delay = _settings.RenewInterval;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // LeaseIdMismatchWithLeaseOperation, LeaseIsBrokenAndCannotBeRenewed, ...: someone else may hold it now.
                Lose($"renewing the lease failed with {ex.Status} {ex.ErrorCode}");
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                // Storage failing or this attempt timed out: try again soon, while the lease still runs.
                LogRenewFailed(_logger, ex, _lease.Uri.AbsolutePath);
                delay = _settings.RenewInterval / 4;
            }
        }
    }

    private void Lose(string reason)
    {
        LostReason = reason;
        LogLost(_logger, _lease.Uri.AbsolutePath, reason);
        _lost.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewal;
        if (!_lost.IsCancellationRequested)
        {
            // After the lease's duration there is nothing left to release.
            using var timeout = new CancellationTokenSource(_settings.LeaseDuration);
            try
            {
                await _lease.ReleaseAsync(cancellationToken: timeout.Token);
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                // Not fatal: the next sweep waits at most for the rest of the lease.
                LogReleaseFailed(_logger, ex, _lease.Uri.AbsolutePath, _settings.LeaseDuration.TotalSeconds);
            }
        }
        _stop.Dispose();
        _lost.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the sweep lock {Lock} failed; retrying")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string @lock);

    [LoggerMessage(Level = LogLevel.Error, Message = "The sweep lock {Lock} is lost ({Reason}); the sweep stops")]
    private static partial void LogLost(ILogger logger, string @lock, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the sweep lock {Lock} failed; it expires by itself within {LeaseSeconds} s")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string @lock, double leaseSeconds);
}

/// <summary>A sweep stopped because its lock could no longer be renewed (another sweep may have started).</summary>
public sealed class SweepLockLostException(string message, Exception inner) : Exception(message, inner);
