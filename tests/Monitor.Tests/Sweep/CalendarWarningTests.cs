using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Digests;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Sweep;

/// <summary>
/// A CN clock that reaches 2027, past the last year whose State Council notice the calendar lists, is computed with a
/// warning that the user sees in `monitor explain`, the API, the digest and the alert: never silently.
/// </summary>
public sealed class CalendarWarningTests
{
    private static readonly Instant AsOf = Instant.FromUtc(2027, 1, 6, 12, 0);

    [Fact]
    public async Task The_warning_reaches_explain_the_api_the_digest_and_the_alert()
    {
        await using var test = new TestStorage(AsOf);
        await test.PushAsync("register.csv",
            "request_id,requesting_party,responding_party,category,priority,submitted_at\nR-CN,US,CN,investigation,high,2026-12-30T09:00:00+08:00\n",
            FeedKind.Requests);

        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        const string Expected = "calendar CN lists its holidays and make-up working days only through 2026, and this clock reaches 2027-";
        // The response clock (5 business days from 30 December, after the 1 January holiday) is due on 6 January 17:00
        // +08:00: its at-risk and overdue alerts carry the warning.
        var alerts = (await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable)).Where(a => a.Clock == "response").ToList();
        Assert.Equal(["at-risk", "overdue"], alerts.Select(a => a.Level).Order());
        Assert.All(alerts, alert => Assert.StartsWith(Expected, alert.CalendarWarning));
        Assert.Equal(Instant.FromUtc(2027, 1, 6, 9, 0).ToDateTimeOffset(), alerts[0].DueAt);

        var explained = await test.Services.GetRequiredService<RequestExplainer>().ExplainAsync("R-CN", AsOf, CancellationToken.None);
        Assert.Contains(explained!.Render(), line => line.StartsWith($"  WARNING: {Expected}", StringComparison.Ordinal));

        var answer = await test.Services.GetRequiredService<ReportingApi>().HandleAsync("GET", "/api/requests/R-CN?asOf=2027-01-06T12:00:00Z", CancellationToken.None);
        Assert.Equal(200, answer.Status);
        Assert.Contains($"Warning: {Expected}", answer.Body);

        var digest = Assert.IsType<DigestWriteResult>(summary.Digest);
        var markdown = DigestRenderer.Markdown(digest.Report);
        Assert.Contains("## Calendar warnings", markdown);
        Assert.Contains($"R-CN response: {Expected}", markdown);
    }

    [Fact]
    public void The_webhook_text_carries_the_warning_and_is_unchanged_without_one()
    {
        var alert = new AlertEntity { AlertId = "R-CN|response|overdue|0000", RequestId = "R-CN", Clock = "response", Level = "overdue", RequestingParty = "US", RespondingParty = "CN" };
        var plain = Monitor.Core.Alerts.WebhookPayload.Slack(alert);
        alert.CalendarWarning = "calendar CN lists its holidays only through 2026";

        Assert.DoesNotContain("Warning", plain);
        Assert.Contains("\\nWarning: calendar CN lists its holidays only through 2026", Monitor.Core.Alerts.WebhookPayload.Slack(alert));
        Assert.Contains("Calendar warning", Monitor.Core.Alerts.WebhookPayload.Teams(alert));
    }
}
