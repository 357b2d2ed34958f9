using Microsoft.Extensions.Logging;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>What the webhook step of one sweep did.</summary>
/// <param name="Retried">Alerts of earlier sweeps that were still pending or failed, attempted again.</param>
/// <param name="Deferred">Alerts not attempted in this sweep because an earlier POST of the sweep failed; the next sweep retries them.</param>
/// <param name="EntitiesRead">Outbox rows and alert rows read.</param>
public sealed record WebhookRound(int Delivered, int Failed, int Deferred, int Retried, int EntitiesRead)
{
    public static WebhookRound None { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>
/// The webhook outbox. An alert that must go to the webhook gets an outbox row when it is written, before its queue
/// message; the row is deleted only after the alert row says "delivered". So a delivery is never lost (a failure or a
/// crash leaves the row, and the next sweep retries it), and in the normal path an alert is POSTed exactly once: the
/// sweep that raised it POSTs it from memory, and retries read the alert row first and skip it if it was delivered.
/// </summary>
public sealed partial class WebhookOutbox(AlertStore alerts, SweepScheduleStore schedule, AlertWebhook webhook, ILogger<WebhookOutbox> logger)
{
    public bool Enabled => webhook.Enabled;

    /// <summary>Records that <paramref name="alert"/> must still be POSTed (idempotent).</summary>
    public Task MarkAsync(AlertEntity alert, CancellationToken cancellationToken) => schedule.AddWebhookPendingAsync(alert, cancellationToken);

    /// <summary>The outbox rows left by earlier sweeps (read before this sweep raises anything).</summary>
    public async Task<List<WebhookPendingEntity>> BacklogAsync(CancellationToken cancellationToken)
    {
        return Enabled ? await schedule.WebhookPendingAsync(cancellationToken) : [];
    }

    /// <summary>
    /// POSTs the backlog, then the alerts this sweep raised (oldest first). After the first delivery that still fails
    /// once the resilience handler has given up, the rest wait for the next sweep: a dead endpoint costs one retry
    /// sequence per sweep, not one per alert.
    /// </summary>
    public async Task<WebhookRound> DeliverAsync(IReadOnlyList<WebhookPendingEntity> backlog, IReadOnlyList<AlertEntity> raised, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return WebhookRound.None;
        }
        int delivered = 0, failed = 0, deferred = 0, retried = 0, reads = backlog.Count;
        var failing = false;
        var raisedIds = raised.Select(a => a.RowKey).ToHashSet(StringComparer.Ordinal);
        foreach (var row in backlog.OrderBy(r => r.AlertPartition, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal))
        {
            if (raisedIds.Contains(row.RowKey))
            {
                // Raised again by this sweep (a crash recovery): it is POSTed below, once.
                continue;
            }
            var alert = await alerts.GetAsync(row.AlertPartition, row.RowKey, cancellationToken);
            if (alert is null)
            {
                // No alert row: the write that followed the outbox row never happened, and the re-raise writes both again.
                await DeleteAsync(row, cancellationToken);
                continue;
            }
            reads++;
            if (alert.WebhookStatus == WebhookStatuses.Delivered)
            {
                await DeleteAsync(row, cancellationToken);
                continue;
            }
            if (failing)
            {
                deferred++;
                continue;
            }
            retried++;
            failing = !await PostAndRecordAsync(alert, row, cancellationToken);
            (delivered, failed) = failing ? (delivered, failed + 1) : (delivered + 1, failed);
        }
        foreach (var alert in raised.Where(a => a.WebhookStatus is not null && a.WebhookStatus != WebhookStatuses.Delivered).OrderBy(a => a.ReachedAt).ThenBy(a => a.RowKey, StringComparer.Ordinal))
        {
            if (failing)
            {
                deferred++;
                continue;
            }
            failing = !await PostAndRecordAsync(alert, new WebhookPendingEntity { RowKey = alert.RowKey, AlertPartition = alert.PartitionKey }, cancellationToken);
            (delivered, failed) = failing ? (delivered, failed + 1) : (delivered + 1, failed);
        }
        if (deferred > 0)
        {
            LogDeferred(deferred);
        }
        return new WebhookRound(delivered, failed, deferred, retried, reads);
    }

    private async Task<bool> PostAndRecordAsync(AlertEntity alert, WebhookPendingEntity row, CancellationToken cancellationToken)
    {
        var status = await webhook.PostAsync(alert, cancellationToken);
        alert.WebhookStatus = status;
        await alerts.SetWebhookStatusAsync(alert, status, cancellationToken);
        if (status != WebhookStatuses.Delivered)
        {
            return false;
        }
        // Only now: a crash before this line leaves the row, and the retry sees "delivered" and POSTs nothing.
        await DeleteAsync(row, cancellationToken);
        return true;
    }

    private Task DeleteAsync(WebhookPendingEntity row, CancellationToken cancellationToken) => schedule.RemoveWebhookPendingAsync(row.RowKey, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook is failing: {Deferred} alerts wait for the next sweep")]
    private partial void LogDeferred(int deferred);
}
