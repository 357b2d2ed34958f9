using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Monitor.Core.Digests;
using NodaTime;

namespace Monitor.Functions;

/// <summary>
/// The scheduled daily digest, on its own timer so it does not depend on the sweep: the first run at or after
/// Alerts:DigestTimeOfDayUtc of each UTC day writes that day's digest, later runs that day leave it; the first run at or
/// after the "digest" time of config/notifications.json (in its zone) e-mails it.
/// </summary>
public sealed partial class DailyDigest(DigestWriter digests, DigestMailer mailer, IClock clock, ILogger<DailyDigest> logger)
{
    [Function(nameof(DailyDigest))]
    public async Task Run([TimerTrigger("%DailyDigestSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        // The e-mail has its own local hour (config/notifications.json "digest"); it is sent once per local day.
        await mailer.SendIfDueAsync(now, cancellationToken);
        var written = await digests.WriteIfDueAsync(now, cancellationToken);
        if (written is null)
        {
            LogNotDue(timer.IsPastDue);
            return;
        }
        LogWritten(timer.IsPastDue, written.Report.Items.Count, written.MarkdownBlob);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Daily digest (past due: {PastDue}): not due, or already written today")]
    private partial void LogNotDue(bool pastDue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily digest (past due: {PastDue}): {Items} clocks need attention, written to {Blob}")]
    private partial void LogWritten(bool pastDue, int items, string blob);
}
