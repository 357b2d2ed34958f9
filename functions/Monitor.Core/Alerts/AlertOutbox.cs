using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Alerts;

/// <summary>What the delivery step of one sweep did.</summary>
/// <param name="Retried">Deliveries of earlier sweeps (pending or failed) attempted again.</param>
/// <param name="Deferred">Deliveries not attempted in this sweep because an earlier one to the same target failed in it; a later sweep tries them.</param>
/// <param name="EntitiesRead">Outbox rows, alert rows and delivery rows read.</param>
public sealed record DeliveryRound(int Delivered, int Failed, int Deferred, int Retried, int EntitiesRead)
{
    public static DeliveryRound None { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>A delivery this sweep planned for an alert it raised, ready to send without reading it back.</summary>
public sealed record PlannedDelivery(AlertEntity Alert, AlertDeliveryEntity Delivery, OutboxEntity Outbox);

/// <summary>
/// The delivery outbox. Each alert gets one delivery per channel of each route that matches it (config/notifications.json),
/// plus the overdue-alerts queue. The sweep writes the alert row, then an outbox row per delivery (SweepSchedule, PK
/// "outbox"), then the AlertDeliveries rows; an outbox row is deleted only after its delivery row says "delivered". So
/// nothing is lost (a failure or a crash leaves the outbox row and a later sweep sends it, after a back-off when it
/// failed), and a delivered one is never sent again. The one repeat left is a crash between a send and the write that
/// records it: none of SMTP, webhooks or Storage queues take an idempotency key, so that window (one table write) is
/// at-least-once; e-mails carry a Message-ID stable per alert and route so that mail clients can fold such a repeat.
/// </summary>
public sealed partial class AlertOutbox(
    MonitorStorage storage,
    AlertStore alerts,
    AlertDeliveryStore deliveries,
    SweepScheduleStore schedule,
    MonitorConfiguration configuration,
    AlertMailer mailer,
    AlertWebhook webhook,
    IOptions<AlertOptions> alertOptions,
    IOptions<MonitorOptions> monitorOptions,
    IClock clock,
    ILogger<AlertOutbox> logger)
{
    /// <summary>The route name of the queue delivery every alert gets.</summary>
    public const string QueueRoute = "queue";

    /// <summary>The deliveries an alert gets under <paramref name="settings"/>: the queue, then each matching route's channels.</summary>
    public List<AlertDeliveryEntity> Plan(AlertEntity alert, NotificationSettings settings)
    {
        var planned = new List<AlertDeliveryEntity> { New(alert, QueueRoute, DeliveryChannels.Queue, StorageNames.AlertsQueue) };
        // A person on two matching routes gets one e-mail: the first route (in file order) that names the address sends it.
        var addressed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in settings.Routes.Where(r => r.Matches(alert)))
        {
            var email = route.Email.Where(addressed.Add).ToList();
            var channels = (route with { Email = email }).Channels();
            planned.AddRange(channels.Select(c => New(alert, route.Name, c.Channel, c.Target)));
        }
        return planned;
    }

    /// <summary>
    /// Records the deliveries of an alert whose row was just written: outbox rows first, then the delivery rows, so a
    /// delivery row always has its outbox row until it is delivered. Idempotent (deterministic keys; stored rows keep
    /// their status).
    /// </summary>
    public async Task<List<PlannedDelivery>> RecordAsync(AlertEntity alert, NotificationSettings settings, CancellationToken cancellationToken)
    {
        var planned = Plan(alert, settings);
        var outbox = planned.Select(d => new OutboxEntity
        {
            RowKey = SweepScheduleStore.OutboxKey(d.AlertId, d.RowKey),
            AlertId = d.AlertId,
            AlertPartition = d.AlertPartition,
            DeliveryKey = d.RowKey,
            Route = d.Route,
            Channel = d.Channel,
        }).ToList();
        await schedule.AddToOutboxAsync(outbox, cancellationToken);
        await deliveries.AddMissingAsync(planned, cancellationToken);
        return [.. planned.Zip(outbox, (d, o) => new PlannedDelivery(alert, d, o))];
    }

    /// <summary>Whether an alert that already had a row got its deliveries recorded (false: a crash came between the two).</summary>
    public async Task<bool> RecordedAsync(AlertEntity alert, CancellationToken cancellationToken) =>
        await deliveries.GetAsync(alert.RowKey, AlertDeliveryStore.Key(QueueRoute, DeliveryChannels.Queue), cancellationToken) is not null;

    /// <summary>The outbox rows left by earlier sweeps (read before this sweep raises anything).</summary>
    public Task<List<OutboxEntity>> BacklogAsync(CancellationToken cancellationToken) => schedule.OutboxAsync(cancellationToken);

    /// <summary>
    /// Sends the backlog that is due and the deliveries this sweep planned, oldest alert first and the queue before the
    /// people. After a delivery fails, the rest to the same target (the SMTP relay, one webhook) wait for a later sweep:
    /// a dead endpoint costs one attempt per sweep, not one per alert. A queue failure is a storage failure and fails
    /// the sweep, as any table write does; the outbox row stays, so the next sweep sends it.
    /// </summary>
    public async Task<DeliveryRound> DeliverAsync(IReadOnlyList<OutboxEntity> backlog, IReadOnlyList<PlannedDelivery> planned, NotificationSettings settings, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        int delivered = 0, failed = 0, deferred = 0, retried = 0, reads = backlog.Count;
        var plannedKeys = planned.Select(p => p.Outbox.RowKey).ToHashSet(StringComparer.Ordinal);
        var work = new List<(PlannedDelivery Item, bool Retry)>();
        var alertCache = new Dictionary<string, AlertEntity?>(StringComparer.Ordinal);
        foreach (var row in backlog.Where(r => !plannedKeys.Contains(r.RowKey) && (r.NextAttemptAt is null || r.NextAttemptAt <= now)))
        {
            if (!alertCache.TryGetValue(row.AlertId, out var alert))
            {
                alert = alertCache[row.AlertId] = await alerts.GetAsync(row.AlertPartition, row.AlertId, cancellationToken);
                reads++;
            }
            var delivery = alert is null ? null : await deliveries.GetAsync(row.AlertId, row.DeliveryKey, cancellationToken);
            reads += alert is null ? 0 : 1;
            if (alert is null || delivery is null || delivery.Status is DeliveryStatuses.Delivered or DeliveryStatuses.Cancelled)
            {
                // Done already (a crash came before this delete), or never recorded and not raised again: nothing to send.
                await schedule.RemoveFromOutboxAsync(row.RowKey, cancellationToken);
                continue;
            }
            work.Add((new PlannedDelivery(alert, delivery, row), true));
        }
        work.AddRange(planned.Select(p => (p, false)));

        var failing = new HashSet<string>(StringComparer.Ordinal);
        ConfigSnapshot? config = null;
        foreach (var (item, retry) in work.OrderBy(w => w.Item.Alert.ReachedAt).ThenBy(w => w.Item.Alert.RowKey, StringComparer.Ordinal)
                     .ThenBy(w => w.Item.Delivery.Channel == DeliveryChannels.Queue ? 0 : 1).ThenBy(w => w.Item.Delivery.RowKey, StringComparer.Ordinal))
        {
            var delivery = item.Delivery;
            var target = delivery.Channel is DeliveryChannels.Email or DeliveryChannels.Queue ? delivery.Channel : $"{delivery.Route}|{delivery.Channel}";
            if (failing.Contains(target))
            {
                deferred++;
                continue;
            }
            retried += retry ? 1 : 0;
            config ??= await configuration.LoadAsync(cancellationToken);
            var (error, cancelled) = await SendAsync(item.Alert, delivery, settings, config, cancellationToken);
            delivery.Attempts++;
            delivery.LastAttemptAt = now;
            if (error is null)
            {
                delivery.Status = DeliveryStatuses.Delivered;
                delivery.DeliveredAt = now;
                delivery.NextAttemptAt = null;
                await deliveries.UpdateAsync(delivery, cancellationToken);
                if (delivery.Channel == DeliveryChannels.Queue)
                {
                    item.Alert.Queued = true;
                    await alerts.MarkQueuedAsync(item.Alert, cancellationToken);
                }
                // Only now: a crash before this line leaves the row, and the retry reads "delivered" and sends nothing.
                await schedule.RemoveFromOutboxAsync(item.Outbox.RowKey, cancellationToken);
                delivered++;
                continue;
            }
            delivery.LastError = error;
            if (cancelled)
            {
                delivery.Status = DeliveryStatuses.Cancelled;
                await deliveries.UpdateAsync(delivery, cancellationToken);
                await schedule.RemoveFromOutboxAsync(item.Outbox.RowKey, cancellationToken);
                continue;
            }
            delivery.Status = DeliveryStatuses.Failed;
            delivery.NextAttemptAt = now + Backoff(delivery.Attempts);
            await deliveries.UpdateAsync(delivery, cancellationToken);
            item.Outbox.Attempts = delivery.Attempts;
            item.Outbox.LastError = error;
            await schedule.RescheduleAsync(item.Outbox, delivery.NextAttemptAt.Value, cancellationToken);
            failing.Add(target);
            failed++;
        }
        if (deferred > 0)
        {
            LogDeferred(deferred, string.Join(", ", failing));
        }
        return new DeliveryRound(delivered, failed, deferred, retried, reads);
    }

    /// <summary>The notice of an alert: its parties' zones from their calendars and the link to the request's page.</summary>
    public AlertNotice Notice(AlertEntity alert, ConfigSnapshot config)
    {
        var zones = new[] { alert.RequestingParty, alert.RespondingParty }.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(party => (Party: party, Calendar: config.CalendarOf(party)))
            .Where(p => p.Calendar is not null)
            .Select(p => (p.Party, p.Calendar!.Zone)).ToList();
        return new AlertNotice(alert, zones, AlertNotice.LinkOf(monitorOptions.Value.PublicBaseUrl, alert.RequestId));
    }

    private async Task<(string? Error, bool Cancelled)> SendAsync(AlertEntity alert, AlertDeliveryEntity delivery, NotificationSettings settings, ConfigSnapshot config, CancellationToken cancellationToken)
    {
        switch (delivery.Channel)
        {
            case DeliveryChannels.Queue:
                await storage.AlertsQueue.SendMessageAsync(AlertQueueMessage.From(alert).ToJson(), cancellationToken);
                return (null, false);
            case DeliveryChannels.Email when !mailer.Enabled:
                return (AlertMailer.NotConfigured, false);
            case DeliveryChannels.Email:
                var recipients = delivery.Target.Split(", ", StringSplitOptions.RemoveEmptyEntries);
                return (await mailer.SendAsync(Notice(alert, config).ToEmail(mailer.From, recipients), cancellationToken), false);
            default:
                var url = settings.Routes.FirstOrDefault(r => r.Name == delivery.Route)?.WebhookOf(delivery.Channel);
                if (url is null)
                {
                    return ($"route '{delivery.Route}' has no {delivery.Channel} URL any more (config/{NotificationSettings.Blob})", true);
                }
                var format = delivery.Channel == DeliveryChannels.Teams ? WebhookFormats.Teams : WebhookFormats.Slack;
                return (await webhook.PostAsync(url, WebhookPayload.Build(Notice(alert, config), format), alert.AlertId, cancellationToken), false);
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var delay = alertOptions.Value.DeliveryRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 16));
        return delay < TimeSpan.FromHours(1) ? delay : TimeSpan.FromHours(1);
    }

    private static AlertDeliveryEntity New(AlertEntity alert, string route, string channel, string target) => new()
    {
        PartitionKey = alert.RowKey,
        RowKey = AlertDeliveryStore.Key(route, channel),
        AlertId = alert.AlertId,
        AlertPartition = alert.PartitionKey,
        RequestId = alert.RequestId,
        Route = route,
        Channel = channel,
        Target = target,
        Status = DeliveryStatuses.Pending,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Deferred} deliveries wait for a later sweep: failing now: {Targets}")]
    private partial void LogDeferred(int deferred, string targets);
}
