using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Sweep;

namespace Monitor.Tests.Alerts;

/// <summary>The daily digest by e-mail (MailDev): once per local day at the route's local time, across a DST change.</summary>
public sealed class DigestEmailTests
{
    private readonly string _secretariat = $"secretariat-{Guid.NewGuid():N}@example.org";

    [Fact]
    public async Task The_digest_goes_out_once_a_day_at_the_local_time_across_the_end_of_dst()
    {
        var settings = MailDev.EmailSettings();
        settings["Alerts:DigestEnabled"] = "false";
        await using var test = new TestStorage(settings: settings);
        await EmailRoutingTests.UploadRoutesAsync(test, $$$"""{"digest": {"email": ["{{{_secretariat}}}"], "at": "08:00", "zone": "America/New_York"}}""");
        var kit = new SweepTestKit(test);

        // New York leaves daylight saving time at 02:00 on Sunday 1 November 2026: 08:00 is 12:00Z before, 13:00Z after.
        string[] sent =
        [
            await MailedAsync(kit, "2026-10-31T11:55:00Z"), // 07:55 EDT
            await MailedAsync(kit, "2026-10-31T12:00:00Z"), // 08:00 EDT: due
            await MailedAsync(kit, "2026-10-31T18:00:00Z"), // later that day: already sent
            await MailedAsync(kit, "2026-11-01T12:00:00Z"), // 07:00 EST: not yet, although 12:00Z was the time the day before
            await MailedAsync(kit, "2026-11-01T12:59:00Z"),
            await MailedAsync(kit, "2026-11-01T13:00:00Z"), // 08:00 EST: due
            await MailedAsync(kit, "2026-11-01T13:00:00Z"), // the same instant again
            await MailedAsync(kit, "2026-11-02T13:30:00Z"), // the first run of the next day after 08:00
        ];

        Assert.Equal(["-", "2026-10-31", "-", "-", "-", "2026-11-01", "-", "2026-11-02"], sent);
        Assert.Equal(
            ["[Monitor] SLA digest 2026-10-31: 0 clock(s) need attention", "[Monitor] SLA digest 2026-11-01: 0 clock(s) need attention", "[Monitor] SLA digest 2026-11-02: 0 clock(s) need attention"],
            (await MailDev.MessagesToAsync(_secretariat)).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.All(await MailDev.MessagesToAsync(_secretariat), m => Assert.Contains("no clock is at risk, overdue or escalated", m.Text));
    }

    [Fact]
    public async Task A_route_that_keeps_failing_is_an_operational_warning_in_the_digest()
    {
        await using var gate = new SmtpGate(MailDev.SmtpPort) { Down = true };
        var settings = MailDev.EmailSettings(gate.Port);
        settings["Alerts:DigestEnabled"] = "false";
        settings["Alerts:DeliveryRetryDelay"] = "00:00:00";
        settings["Alerts:FailingAfterAttempts"] = "2";
        await using var test = new TestStorage(settings: settings);
        await EmailRoutingTests.UploadRoutesAsync(test, """{"routes": [{"name": "duty", "email": ["nobody@example.org"]}]}""");
        await test.PushAsync("register.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            F-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,x,
            """, FeedKind.Requests);
        await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        var kit = new SweepTestKit(test);
        await kit.SweepAsync("2026-11-16T03:30:00Z");
        var builder = test.Services.GetRequiredService<DigestBuilder>();
        Assert.Empty((await builder.BuildAsync(SweepTestKit.At("2026-11-16T03:31:00Z"), CancellationToken.None)).Warnings);

        await kit.SweepAsync("2026-11-16T03:35:00Z");
        var report = await builder.BuildAsync(SweepTestKit.At("2026-11-16T03:36:00Z"), CancellationToken.None);

        var warning = Assert.Single(report.Warnings);
        Assert.StartsWith($"route 'duty' (email) keeps failing: 1 delivery(ies) waiting, tried up to 2 times; last error: SMTP 127.0.0.1:{gate.Port}: ", warning);
        Assert.Contains("## Operational warnings", DigestRenderer.Markdown(report));
        Assert.Contains("<h2>Operational warnings</h2>", DigestRenderer.Html(report));
    }

    /// <summary>Runs the local host's sweep step at <paramref name="utc"/>; the local date whose digest it e-mailed, or "-".</summary>
    private static async Task<string> MailedAsync(SweepTestKit kit, string utc)
    {
        var step = await kit.SweepStepAsync(utc);
        Assert.Null(step.DigestMail?.Error);
        return step.DigestMail?.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
    }
}
