using System.Globalization;
using Microsoft.Extensions.Logging;
using MimeKit;
using Monitor.Core.Alerts;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Digests;

/// <summary>What a digest e-mail run did: the local date it was for, the recipients, and the error when the relay refused it.</summary>
public sealed record DigestMailResult(LocalDate Date, IReadOnlyList<string> Recipients, string? Error);

/// <summary>
/// E-mails the daily digest to the "digest" recipients of config/notifications.json, once per local day: the first digest
/// run at or after the configured local time in the configured zone sends it (so a DST change moves the UTC instant, not
/// the local hour). The day's AlertDeliveries row (PK "digest|yyyy-MM-dd") records it; a delivered day is never sent
/// again, a failed one is tried by the next run. As with alerts, only a crash between the send and that write repeats it.
/// </summary>
public sealed partial class DigestMailer(
    NotificationConfiguration notifications, DigestBuilder builder, AlertMailer mailer, AlertDeliveryStore deliveries, IClock clock, ILogger<DigestMailer> logger)
{
    public const string Route = "digest";

    /// <returns>Null when nothing was due (no digest recipients, before the local time, or already delivered today).</returns>
    public async Task<DigestMailResult?> SendIfDueAsync(Instant asOf, CancellationToken cancellationToken)
    {
        var digest = (await notifications.LoadAsync(cancellationToken)).Settings.Digest;
        if (digest is null)
        {
            return null;
        }
        var local = asOf.InZone(digest.Zone);
        if (local.TimeOfDay < digest.At)
        {
            return null;
        }
        var partition = $"{Route}{KeyEncoding.Separator}{local.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture)}";
        var key = AlertDeliveryStore.Key(Route, DeliveryChannels.Email);
        var row = await deliveries.GetAsync(partition, key, cancellationToken) ?? new AlertDeliveryEntity
        {
            PartitionKey = partition,
            RowKey = key,
            AlertId = partition,
            Route = Route,
            Channel = DeliveryChannels.Email,
            Target = string.Join(", ", digest.Email),
            Status = DeliveryStatuses.Pending,
        };
        if (row.Status == DeliveryStatuses.Delivered)
        {
            return null;
        }
        var report = await builder.BuildAsync(asOf, cancellationToken);
        var error = mailer.Enabled ? null : AlertMailer.NotConfigured;
        if (error is null)
        {
            var message = new MimeMessage { Subject = $"[Monitor] SLA digest {local.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture)}: {report.Items.Count} clock(s) need attention" };
            message.From.Add(mailer.From);
            message.To.AddRange(digest.Email.Select(MailboxAddress.Parse));
            message.Body = new BodyBuilder { TextBody = DigestRenderer.Markdown(report), HtmlBody = DigestRenderer.Html(report) }.ToMessageBody();
            error = await mailer.SendAsync(message, cancellationToken);
        }
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        row.Attempts++;
        row.LastAttemptAt = now;
        row.Status = error is null ? DeliveryStatuses.Delivered : DeliveryStatuses.Failed;
        row.DeliveredAt = error is null ? now : null;
        row.LastError = error ?? row.LastError;
        await deliveries.UpdateAsync(row, cancellationToken);
        if (error is not null)
        {
            LogFailed(local.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture), error);
        }
        return new DigestMailResult(local.Date, digest.Email, error);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The digest e-mail of {Date} was not sent (the next digest run tries again): {Error}")]
    private partial void LogFailed(string date, string error);
}
