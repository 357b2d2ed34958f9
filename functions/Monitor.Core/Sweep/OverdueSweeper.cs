using System.Collections.Concurrent;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Sweep;

/// <summary>What one sweep did.</summary>
/// <param name="EntitiesRead">Every table entity the sweep read: due schedule entries, request rows, timeline events,
/// existing alert rows met again, webhook outbox rows and their alerts.</param>
/// <param name="Alerts">The alerts this sweep wrote (an alert that already existed is not listed again).</param>
public sealed record SweepResult(Instant AsOf, int DueEntries, int RequestsEvaluated, int LevelChanges, int EntitiesRead, IReadOnlyList<AlertEntity> Alerts)
{
    /// <summary>The webhook deliveries of this sweep (all zero when no webhook is configured).</summary>
    public WebhookRound Webhooks { get; init; } = WebhookRound.None;

    /// <summary>Requests whose clocks could not be computed (e.g. no calendar for a party), with the reason; retried by every sweep.</summary>
    public IReadOnlyList<SweepProblem> Problems { get; init; } = [];

    /// <summary>Null when the sweep ran; otherwise why it did nothing (another sweep held the lock for the whole wait).</summary>
    public string? SkippedBecause { get; init; }
}

/// <summary>A request the sweep had to leave as it was, and why.</summary>
public sealed record SweepProblem(string RequestId, string Reason);

/// <summary>
/// Brings every request whose level can have changed by an instant T to its level at T. Only requests due in the
/// SweepSchedule are read, so the cost follows the number of changes, not the number of open requests. Levels
/// are derived from the event timeline, so a missed run is caught up by the next one and the same T twice
/// writes nothing. Each change to at-risk, overdue or escalated raises one alert with a deterministic key.
/// </summary>
public sealed partial class OverdueSweeper(
    MonitorStorage storage,
    RequestStore requests,
    RequestEventStore events,
    AlertStore alertStore,
    SweepScheduleStore schedule,
    MonitorConfiguration configuration,
    IOptions<MonitorOptions> options,
    WebhookOutbox outbox,
    ILogger<OverdueSweeper> logger,
    SweepLock sweepLock)
{
    private const int MaxConcurrencyRetries = 5;

    public Task<SweepResult> SweepAsync(Instant asOf, CancellationToken cancellationToken) => SweepAsync(asOf, null, cancellationToken);

    /// <summary>
    /// Sweeps while holding the sweep lock, so that sweeps of other processes (the timer, `monitor run`, `monitor
    /// sweep`) never overlap this one. When another sweep holds it for the whole wait, nothing is done and the result
    /// says so: safe, since the next sweep computes the same levels from state.
    /// </summary>
    /// <param name="waiting">Told once when another sweep holds the lock and this one starts waiting for it.</param>
    public async Task<SweepResult> SweepAsync(Instant asOf, Action<string>? waiting, CancellationToken cancellationToken)
    {
        await using var held = await sweepLock.AcquireAsync(waiting, cancellationToken);
        if (held is null)
        {
            return new SweepResult(asOf, 0, 0, 0, 0, []) { SkippedBecause = sweepLock.SkippedMessage };
        }
        using var whileHeld = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        try
        {
            return await SweepHoldingLockAsync(asOf, whileHeld.Token);
        }
        catch (OperationCanceledException ex) when (held.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SweepLockLostException(
                $"The sweep at {asOf} stopped because it lost the sweep lock {sweepLock.Location} ({held.LostReason}), so that it cannot overlap another sweep. "
                + "Alerts it wrote but did not queue are queued by the next sweep.", ex);
        }
    }

    private async Task<SweepResult> SweepHoldingLockAsync(Instant asOf, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var asOfOffset = asOf.ToDateTimeOffset();

        var due = await schedule.DueAsync(asOfOffset, cancellationToken);

        var webhookBacklog = await outbox.BacklogAsync(cancellationToken);
        var alerts = new ConcurrentBag<AlertEntity>();
        var problems = new ConcurrentBag<SweepProblem>();
        var reads = due.Count;
        var changes = 0;
        var groups = due.GroupBy(e => e.RequestId, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = options.Value.WriteParallelism, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                int entitiesRead, levelChanges;
                List<AlertEntity> raised;
                try
                {
                    (entitiesRead, levelChanges, raised) = await EvaluateAsync(group.Key, [.. group], asOf, config, ct);
                }
                catch (SlaConfigurationException ex)
                {
                    // One request's configuration problem must not stop the others. Its schedule entry stays, so the
                    // sweep after the configuration is fixed computes it.
                    LogProblem(group.Key, ex.Message);
                    problems.Add(new SweepProblem(group.Key, ex.Message));
                    return;
                }
                Interlocked.Add(ref reads, entitiesRead);
                Interlocked.Add(ref changes, levelChanges);
                foreach (var alert in raised)
                {
                    alerts.Add(alert);
                }
            });

        var ordered = alerts.OrderBy(a => a.ReachedAt).ThenBy(a => a.RowKey, StringComparer.Ordinal).ToList();
        var webhooks = await outbox.DeliverAsync(webhookBacklog, ordered, cancellationToken);
        reads += webhooks.EntitiesRead;
        LogSweep(asOfOffset, due.Count, groups.Count, changes, ordered.Count);
        return new SweepResult(asOf, due.Count, groups.Count, changes, reads, ordered)
        {
            Webhooks = webhooks,
            Problems = [.. problems.OrderBy(p => p.RequestId, StringComparer.Ordinal)],
        };
    }

    /// <summary>Marks every request for recomputation (after a policy or calendar change: "repair").</summary>
    public async Task<int> MarkAllDirtyAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var marks = new List<(string, string)>();
        await foreach (var row in requests.KeysAsync(cancellationToken))
        {
            marks.Add((row.RequestId.Length > 0 ? row.RequestId : row.RowKey, row.PartitionKey));
        }
        await schedule.MarkDirtyAsync(marks, options.Value.WriteParallelism, cancellationToken);
        return marks.Count;
    }

    private async Task<(int Reads, int Changes, List<AlertEntity> Alerts)> EvaluateAsync(
        string requestId, List<ScheduleEntity> entries, Instant asOf, ConfigSnapshot config, CancellationToken cancellationToken)
    {
        var reads = 0;
        for (var attempt = 1; ; attempt++)
        {
            var partition = entries.OrderByDescending(e => e.Timestamp).Select(e => e.RequestPartition).FirstOrDefault(p => p.Length > 0);
            var raw = partition is null ? null : await requests.GetForUpdateAsync(partition, requestId, cancellationToken);
            if (raw is null)
            {
                await schedule.ReplaceAsync(entries, null, cancellationToken);
                return (reads, 0, []);
            }
            var row = RequestRows.ToRequest(raw);
            reads++;
            var timeline = await events.ClockEventsAsync(requestId, cancellationToken);
            reads += timeline.Count;

            var evaluation = ClockEvaluation.Evaluate(row, timeline, asOf, config);
            foreach (var warning in evaluation.Clocks.All.Select(c => c.CalendarWarning).OfType<string>().Distinct())
            {
                LogCalendarWarning(requestId, warning);
            }
            var alerts = new List<AlertEntity>();
            foreach (var alert in evaluation.Alerts)
            {
                var (isNew, alertReads) = await RaiseAsync(alert, cancellationToken);
                reads += alertReads;
                if (isNew)
                {
                    alerts.Add(alert);
                }
            }
            try
            {
                var updated = RequestRows.WithClockColumns(raw, evaluation.Row);
                if (!RequestRows.SameClockColumns(raw, updated))
                {
                    await requests.ReplaceIfUnchangedAsync(updated, raw.ETag, cancellationToken);
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < MaxConcurrencyRetries)
            {
                // A register re-import changed the row meanwhile: evaluate again from fresh state.
                continue;
            }
            var nextEntry = evaluation.NextChangeAt is { } next ? SweepScheduleKeys.At(next, requestId, partition!) : null;
            // The entry an earlier sweep left at the old next change (the row's ScheduleKey) is superseded when new
            // events moved it: without this it would stay, and wake a sweep later for nothing.
            var consumed = row.ScheduleKey is { } previous && previous != nextEntry?.RowKey && entries.TrueForAll(e => e.RowKey != previous)
                ? [.. entries, new ScheduleEntity { RowKey = previous, RequestId = requestId, ETag = ETag.All }]
                : entries;
            await schedule.ReplaceAsync(consumed, nextEntry, cancellationToken);
            return (reads, evaluation.LevelChanges, [.. alerts]);
        }
    }

    /// <summary>
    /// Writes the alert once (deterministic key), records it in the webhook outbox when a webhook is configured, then
    /// queues it unless an earlier attempt already did. Returns whether this call completed it (false: it existed).
    /// </summary>
    private async Task<(bool IsNew, int Reads)> RaiseAsync(AlertEntity alert, CancellationToken cancellationToken)
    {
        var reads = 0;
        alert.WebhookStatus = outbox.Enabled ? WebhookStatuses.Pending : null;
        if (!await alertStore.TryAddAsync(alert, cancellationToken))
        {
            var existing = await alertStore.GetAsync(alert.PartitionKey, alert.RowKey, cancellationToken)
                ?? throw new InvalidOperationException($"alert {alert.RowKey} existed a moment ago and is gone");
            reads++;
            alert.WebhookStatus = existing.WebhookStatus;
            if (existing.Queued)
            {
                alert.Queued = true;
                return (false, reads);
            }
        }
        if (alert.WebhookStatus is not null && alert.WebhookStatus != WebhookStatuses.Delivered)
        {
            // Before the queue message: once the alert is queued, a crash can no longer lose its webhook delivery.
            await outbox.MarkAsync(alert, cancellationToken);
        }
        await storage.AlertsQueue.SendMessageAsync(AlertQueueMessage.From(alert).ToJson(), cancellationToken);
        alert.Queued = true;
        await alertStore.MarkQueuedAsync(alert, cancellationToken);
        return (true, reads);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: {Warning}")]
    private partial void LogCalendarWarning(string requestId, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep left request {RequestId} as it was: {Reason}")]
    private partial void LogProblem(string requestId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep at {AsOf:u}: {Due} due entries, {Requests} requests evaluated, {Changes} level changes, {Alerts} alerts")]
    private partial void LogSweep(DateTimeOffset asOf, int due, int requests, int changes, int alerts);
}
