using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core.Alerts;
using Monitor.Core.Ingest;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Sweep;

namespace Monitor.Tests.Alerts;

/// <summary>
/// Alerts through a real SMTP server (MailDev) and a real HTTP listener, routed by config/notifications.json: exactly the
/// routed recipients get exactly one message per alert, after the first sweep, a repeat at the same instant and later sweeps.
/// </summary>
public sealed class EmailRoutingTests
{
    // Critical (24x7): acknowledgement at risk 03:00, due 04:00, escalated 08:00 (UTC), for both requests.
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        R-CN,US,CN,investigation,critical,2026-11-16T00:00:00Z,Needs an answer from CN,
        R-US,CN,US,mitigation,critical,2026-11-16T00:00:00Z,Needs an answer from US,
        """;

    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    private string Cn => $"cn-duty-{_tag}@example.org";
    private string Us => $"us-duty-{_tag}@example.org";
    private string Hotline => $"hotline-{_tag}@example.org";

    [Fact]
    public async Task Each_alert_reaches_exactly_its_routed_recipients_once()
    {
        await using var teams = new TestWebhookListener(failFirst: 0);
        await using var test = new TestStorage(settings: Settings());
        await UploadRoutesAsync(test, $$"""
            {"routes": [
              {"name": "cn-duty", "respondingParty": "CN", "levels": ["overdue", "escalated"], "email": ["{{Cn}}"]},
              {"name": "us-duty", "respondingParty": ["US"], "email": "{{Us}}"},
              {"name": "hotline", "levels": ["escalated"], "email": ["{{Hotline}}"], "teams": "{{teams.Url}}"}]}
            """);
        var kit = await StartAsync(test);

        foreach (var at in new[] { "2026-11-16T03:30:00Z", "2026-11-16T03:30:00Z", "2026-11-16T04:30:00Z", "2026-11-16T04:30:00Z", "2026-11-16T08:30:00Z", "2026-11-16T09:00:00Z" })
        {
            var sweep = await kit.SweepAsync(at);
            Assert.Null(sweep.NotificationsError);
            Assert.Equal(0, sweep.Deliveries.Failed);
            // After every sweep: one message per routed recipient and alert in the Alerts table, nothing else.
            var alerts = await kit.AlertsAsync();
            Assert.Equal(Expected(alerts), await ReceivedAsync());
        }

        var all = await kit.AlertsAsync();
        Assert.Equal(6, all.Count);
        // Non-routed levels sent nothing: CN's at-risk reached no one, US's reached only us-duty.
        Assert.DoesNotContain(await ReceivedAsync(), m => m.Contains(Cn, StringComparison.Ordinal) && m.EndsWith("at-risk", StringComparison.Ordinal));
        // Teams got the two escalations, once each, as Adaptive Cards.
        Assert.Equal(
            ["R-CN|acknowledgement|escalated|0000", "R-US|acknowledgement|escalated|0000"],
            teams.Accepted.Select(body => JsonDocument.Parse(body).RootElement.GetProperty("attachments")[0].GetProperty("content").GetProperty("body")[2]
                .GetProperty("facts").EnumerateArray().Single(f => f.GetProperty("title").GetString() == "Alert").GetProperty("value").GetString()!.Replace("\\", "", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
        // Every delivery is recorded once, delivered at the first attempt.
        var deliveries = await kit.DeliveriesAsync();
        Assert.All(deliveries, d => Assert.Equal((DeliveryStatuses.Delivered, 1), (d.Status, d.Attempts)));
        Assert.Equal(6 + Expected(all).Count + 2, deliveries.Count);
        Assert.Empty(await test.ReadAllAsync<OutboxEntity>(StorageNames.SweepScheduleTable, $"PartitionKey eq '{OutboxEntity.Partition}'"));
    }

    [Fact]
    public async Task A_recipient_on_two_matching_routes_gets_one_message_per_alert()
    {
        await using var test = new TestStorage(settings: Settings());
        await UploadRoutesAsync(test, $$"""
            {"routes": [{"name": "cn-duty", "respondingParty": "CN", "email": ["{{Cn}}"]},
                        {"name": "everyone", "email": ["{{Cn}}", "{{Hotline}}"]}]}
            """);
        var kit = await StartAsync(test);

        await kit.SweepAsync("2026-11-16T03:30:00Z");

        Assert.Equal(
            [$"{Cn} [Monitor] R-CN acknowledgement at-risk", $"{Cn} [Monitor] R-US acknowledgement at-risk",
             $"{Hotline} [Monitor] R-CN acknowledgement at-risk", $"{Hotline} [Monitor] R-US acknowledgement at-risk"],
            await ReceivedAsync());
        Assert.Equal(
            [$"R-CN|acknowledgement|at-risk|0000 cn-duty {Cn}", $"R-CN|acknowledgement|at-risk|0000 everyone {Hotline}", $"R-US|acknowledgement|at-risk|0000 everyone {Cn}, {Hotline}"],
            (await kit.DeliveriesAsync()).Where(d => d.Channel == DeliveryChannels.Email).Select(d => $"{d.AlertId} {d.Route} {d.Target}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_email_names_the_parties_the_due_instant_in_both_zones_why_and_links_the_request()
    {
        await using var test = new TestStorage(settings: Settings());
        await UploadRoutesAsync(test, $$"""{"routes": [{"name": "cn-duty", "respondingParty": "CN", "levels": ["overdue"], "email": ["{{Cn}}"]}]}""");
        var kit = await StartAsync(test);

        await kit.SweepAsync("2026-11-16T04:30:00Z");

        var mail = Assert.Single(await MailDev.MessagesToAsync(Cn));
        Assert.Equal("[Monitor] R-CN acknowledgement overdue", mail.Subject);
        Assert.Equal("monitor@example.org", Assert.Single(mail.From).Address);
        Assert.Contains("Requesting party: US", mail.Text);
        Assert.Contains("Responding party: CN", mail.Text);
        Assert.Contains("Category: investigation", mail.Text);
        Assert.Contains("Priority: critical", mail.Text);
        Assert.Contains("Due (UTC): 2026-11-16T04:00:00Z", mail.Text);
        Assert.Contains("Due (US, America/New_York): 2026-11-15 23:00 (Sun) -05:00", mail.Text);
        Assert.Contains("Due (CN, Asia/Shanghai): 2026-11-16 12:00 (Mon) +08:00", mail.Text);
        Assert.Contains("Why: overdue: due 2026-11-16T04:00:00Z; escalates at 2026-11-16T08:00:00Z", mail.Text);
        Assert.Contains("Open the request: https://monitor.example.org/requests/R-CN", mail.Text);
        Assert.Contains("<a href=\"https://monitor.example.org/requests/R-CN\">", mail.Html);
        Assert.Contains("<td>2026-11-16 12:00 (Mon) +08:00</td>", mail.Html);
    }

    [Fact]
    public async Task An_smtp_outage_is_retried_after_the_backoff_and_then_delivered_once()
    {
        await using var gate = new SmtpGate(MailDev.SmtpPort) { Down = true };
        var settings = Settings(gate.Port);
        settings["Alerts:DeliveryRetryDelay"] = "00:01:00";
        await using var test = new TestStorage(settings: settings);
        await UploadRoutesAsync(test, $$"""{"routes": [{"name": "duty", "email": ["{{Us}}"]}]}""");
        var kit = await StartAsync(test);

        var down = await kit.SweepAsync("2026-11-16T03:30:00Z");

        // Two alerts (R-CN and R-US at risk): the first e-mail fails, the second waits; both queue messages went.
        Assert.Equal(new DeliveryRound(Delivered: 2, Failed: 1, Deferred: 1, Retried: 0, EntitiesRead: 0), down.Deliveries);
        Assert.Equal(1, gate.Refused);
        var failed = (await kit.DeliveriesAsync()).Single(d => d.Channel == DeliveryChannels.Email && d.Status == DeliveryStatuses.Failed);
        Assert.Equal(1, failed.Attempts);
        Assert.StartsWith($"SMTP 127.0.0.1:{gate.Port}: ", failed.LastError);
        Assert.Equal(test.Clock.GetCurrentInstant().ToDateTimeOffset().AddMinutes(1), failed.NextAttemptAt);
        // `monitor explain` and the API show each delivery: route, channel, status, attempts, last error.
        var explained = await test.Services.GetRequiredService<RequestExplainer>().ExplainAsync("R-CN", SweepTestKit.At("2026-11-16T03:30:00Z"), CancellationToken.None);
        Assert.Contains(explained!.Render(), line => line.StartsWith($"  R-CN|acknowledgement|at-risk|0000  route duty, email to {Us}: failed (1 attempt), last error: SMTP 127.0.0.1:{gate.Port}: ", StringComparison.Ordinal));
        Assert.Contains(explained.Render(), line => line.StartsWith("  R-CN|acknowledgement|at-risk|0000  route queue, queue to ", StringComparison.Ordinal) && line.EndsWith(": delivered 2026-11-20T00:00:00Z (1 attempt)", StringComparison.Ordinal));
        var answer = await test.Services.GetRequiredService<ReportingApi>().RequestAsync(new RequestQuery("R-CN", null), CancellationToken.None);
        Assert.Equal(
            [("queue", "queue", "delivered", 1, false), ("duty", "email", "failed", 1, true)],
            answer!.Deliveries.Select(d => (d.Route, d.Channel, d.Status, d.Attempts, d.LastError is not null)).OrderByDescending(d => d.Route == "queue"));

        // Within the back-off the failed one is not tried again; the deferred one is, and fails again.
        var early = await kit.SweepAsync("2026-11-16T03:31:00Z");
        Assert.Equal(new DeliveryRound(Delivered: 0, Failed: 1, Deferred: 0, Retried: 1, EntitiesRead: 4), early.Deliveries);

        gate.Down = false;
        test.Clock.Advance(NodaTime.Duration.FromMinutes(5));
        var back = await kit.SweepAsync("2026-11-16T03:40:00Z");
        Assert.Equal(new DeliveryRound(Delivered: 2, Failed: 0, Deferred: 0, Retried: 2, EntitiesRead: 6), back.Deliveries);
        await kit.SweepAsync("2026-11-16T03:45:00Z");

        Assert.Equal(
            ["[Monitor] R-CN acknowledgement at-risk", "[Monitor] R-US acknowledgement at-risk"],
            (await MailDev.MessagesToAsync(Us)).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.All((await kit.DeliveriesAsync()).Where(d => d.Channel == DeliveryChannels.Email), d => Assert.Equal((DeliveryStatuses.Delivered, 2), (d.Status, d.Attempts)));
    }

    [Fact]
    public async Task A_bad_notifications_file_is_named_and_the_last_good_routes_stay_in_force()
    {
        await using var test = new TestStorage(settings: Settings());
        await UploadRoutesAsync(test, $$"""{"routes": [{"name": "duty", "respondingParty": "CN", "email": ["{{Cn}}"]}]}""");
        var kit = await StartAsync(test);
        Assert.Null((await kit.SweepAsync("2026-11-16T03:30:00Z")).NotificationsError);

        await UploadRoutesAsync(test, $$"""{"routes": [{"name": "duty", "respondingParty": "CN", "levels": ["late"], "email": ["{{Us}}"]}]}""");
        var bad = await kit.SweepAsync("2026-11-16T04:30:00Z");

        const string Expected = "config/notifications.json: routes[0].levels[0]: 'late' is not one of at-risk, overdue, escalated; the last good version stays in force";
        Assert.Equal(Expected, bad.NotificationsError);
        Assert.Equal(["[Monitor] R-CN acknowledgement at-risk", "[Monitor] R-CN acknowledgement overdue"], (await MailDev.MessagesToAsync(Cn)).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.Empty(await MailDev.MessagesToAsync(Us));

        // A new process (the next `monitor run --once`) has no memory of the old file, but the stored copy of it.
        await using var fresh = LocalHost.CreateServices(test.Settings);
        var routes = await fresh.GetRequiredService<NotificationConfiguration>().LoadAsync(CancellationToken.None);
        Assert.Equal(Expected, routes.Error);
        Assert.Equal([Cn], Assert.Single(routes.Settings.Routes).Email);
    }

    [Theory]
    [InlineData("""{"routes": [{"name": "a", "levels": ["overdue"]}]}""", "routes[0]: route 'a' has no channel: give \"email\", \"teams\" or \"slack\"")]
    [InlineData("""{"routes": [{"name": "a", "email": ["not an address"]}]}""", "routes[0].email[0]: 'not an address' is not an e-mail address")]
    [InlineData("""{"routes": [{"name": "a", "emails": ["a@example.org"]}]}""", "routes[0].emails: unknown field")]
    [InlineData("""{"routes": [{"name": "a", "teams": "ftp://x/y"}]}""", "routes[0].teams: must be an absolute http or https URL")]
    [InlineData("""{"routes": [{"name": "a", "clocks": ["ack"], "email": "a@example.org"}]}""", "routes[0].clocks[0]: 'ack' is not one of acknowledgement, response, update")]
    [InlineData("""{"routes": [{"email": "a@example.org"}]}""", "routes[0].name: required")]
    [InlineData("""{"routes": [{"name": "a", "email": "a@example.org"}, {"name": "A", "email": "b@example.org"}]}""", "routes[1].name: 'A' is used twice")]
    [InlineData("""{"digest": {"email": ["a@example.org"], "at": "8am"}}""", "digest.at: '8am' is not a time of day as HH:mm")]
    [InlineData("""{"digest": {"email": ["a@example.org"], "zone": "Mars/Olympus"}}""", "digest.zone: 'Mars/Olympus' is not an IANA time zone")]
    [InlineData("""{"routes": [""", "config/notifications.json: not valid JSON")]
    public void Bad_documents_name_the_field_and_the_reason(string json, string message)
    {
        var error = Assert.Throws<NotificationConfigurationException>(() => NotificationSettings.Parse(json));
        Assert.StartsWith("config/notifications.json: ", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_route_matches_on_every_field_it_gives_and_absent_fields_match_all()
    {
        var settings = NotificationSettings.Parse("""
            {"routes": [{"name": "narrow", "requestingParty": "us", "respondingParty": "CN", "levels": ["escalated"], "clocks": ["response"],
                         "categories": ["Investigation"], "priorities": ["HIGH"], "slack": "https://hooks.example.org/x"},
                        {"name": "all", "email": "a@example.org"}]}
            """);
        var alert = new AlertEntity { RequestingParty = "US", RespondingParty = "CN", Level = "escalated", Clock = "response", Category = "investigation", Priority = "high" };
        Assert.Equal(["narrow", "all"], settings.Routes.Where(r => r.Matches(alert)).Select(r => r.Name));
        alert.Clock = "update";
        Assert.Equal(["all"], settings.Routes.Where(r => r.Matches(alert)).Select(r => r.Name));
    }

    /// <summary>"recipient subject" for every message that should exist for these alert rows.</summary>
    private List<string> Expected(IEnumerable<AlertEntity> alerts)
    {
        var expected = new List<string>();
        foreach (var a in alerts)
        {
            var subject = $"[Monitor] {a.RequestId} {a.Clock} {a.Level}";
            if (a.RespondingParty == "CN" && a.Level is "overdue" or "escalated")
            {
                expected.Add($"{Cn} {subject}");
            }
            if (a.RespondingParty == "US")
            {
                expected.Add($"{Us} {subject}");
            }
            if (a.Level == "escalated")
            {
                expected.Add($"{Hotline} {subject}");
            }
        }
        return [.. expected.Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> ReceivedAsync() =>
        [.. (await MailDev.MessagesToAsync(Cn, Us, Hotline)).SelectMany(m => m.To.Select(t => $"{t.Address} {m.Subject}")).Order(StringComparer.Ordinal)];

    private static Dictionary<string, string?> Settings(int? smtpPort = null)
    {
        var settings = MailDev.EmailSettings(smtpPort);
        settings["Monitor:PublicBaseUrl"] = "https://monitor.example.org/";
        settings["Alerts:DigestEnabled"] = "false";
        return settings;
    }

    internal static async Task UploadRoutesAsync(TestStorage test, string json)
    {
        await test.Storage.EnsureCreatedAsync(CancellationToken.None);
        await test.Storage.Config.GetBlobClient(NotificationSettings.Blob).UploadAsync(BinaryData.FromString(json), overwrite: true);
    }

    private static async Task<SweepTestKit> StartAsync(TestStorage test)
    {
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        var (_, failures) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        var kit = new SweepTestKit(test);
        Assert.Empty((await kit.SweepAsync("2026-11-16T01:00:00Z")).Alerts);
        return kit;
    }
}
