using System.ComponentModel.DataAnnotations;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Monitor.Core.Storage;

/// <summary>A lock's blob lease duration (15 to 60 whole seconds) and how often its holder renews it.</summary>
public sealed record LeaseTimings(TimeSpan LeaseDuration, TimeSpan RenewInterval)
{
    /// <summary>What is wrong with the timings of the options section <paramref name="section"/> (a blob lease is granted in whole seconds; a failed renewal must be retried before the lease ends).</summary>
    public IEnumerable<ValidationResult> Problems(string section)
    {
        if (LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            yield return new ValidationResult($"{section}:LeaseDuration {LeaseDuration} must be whole seconds (a blob lease is granted in seconds)", [nameof(LeaseDuration)]);
        }
        if (RenewInterval * 2 > LeaseDuration)
        {
            yield return new ValidationResult($"{section}:RenewInterval {RenewInterval} must be at most half of LeaseDuration {LeaseDuration}, so that a failed renewal can be retried before the lease ends", [nameof(RenewInterval)]);
        }
    }
}

/// <summary>
/// Mutual exclusion across processes with a finite blob lease, renewed while held: the sweep lock and the per-source
/// pull locks. A holder that dies frees the lock by itself within the lease's duration. Lease time is real elapsed time
/// (<see cref="TimeProvider"/>, not the injected IClock that tests freeze): the lease runs on the storage service's time.
/// </summary>
public static class BlobLock
{
    /// <summary>
    /// One attempt at the lock on <paramref name="blob"/> (created with <paramref name="content"/> when missing): the
    /// held lease, renewed in the background until disposed, or null when another holder has it.
    /// </summary>
    public static async Task<BlobLease?> TryAcquireAsync(BlobClient blob, string content, LeaseTimings timings, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        while (true)
        {
            var sent = time.GetTimestamp();
            try
            {
                await lease.AcquireAsync(timings.LeaseDuration, cancellationToken: cancellationToken);
                return new BlobLease(lease, sent, timings, logger, time);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                await CreateLockBlobAsync(blob, content, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
            {
                return null;
            }
        }
    }

    private static async Task CreateLockBlobAsync(BlobClient blob, string content, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.FromString(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Created (and perhaps leased) by a concurrent holder meanwhile.
        }
    }
}

/// <summary>
/// A held blob lock. The lease is renewed every <see cref="LeaseTimings.RenewInterval"/> until disposed, which
/// releases it. When it cannot be renewed in time (taken by another holder, broken, or storage failing for too long)
/// <see cref="Lost"/> is cancelled: the holder must stop, since another one may start.
/// </summary>
public sealed partial class BlobLease : IAsyncDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly LeaseTimings _settings;
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

    internal BlobLease(BlobLeaseClient lease, long acquiredAt, LeaseTimings settings, ILogger logger, TimeProvider time)
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
            // Give up while a renewal interval of the lease is still left, so that the holder stops before another can start.
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
                // Not fatal: the next holder waits at most for the rest of the lease.
                LogReleaseFailed(_logger, ex, _lease.Uri.AbsolutePath, _settings.LeaseDuration.TotalSeconds);
            }
        }
        _stop.Dispose();
        _lost.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lock {Lock} failed; retrying")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string @lock);

    [LoggerMessage(Level = LogLevel.Error, Message = "The lock {Lock} is lost ({Reason}); its holder stops")]
    private static partial void LogLost(ILogger logger, string @lock, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the lock {Lock} failed; it expires by itself within {LeaseSeconds} s")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string @lock, double leaseSeconds);
}

