using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitor.Cli;
using Monitor.Core.Alerts;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>
/// Webhook delivery against a real HTTP listener on 127.0.0.1 and a real Azurite: the standard resilience handler
/// retries, a failure is recorded in the alert's AlertDeliveries row and retried by the next sweep, and no alert is POSTed
/// twice. Alerts:WebhookUrl is the "webhook" route that matches every alert; the queue is a delivery of its own.
/// </summary>
public sealed partial class WebhookDeliveryTests
{
    // Critical (24x7): acknowledgement at risk 03:00, due 04:00, escalated 08:00.
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        W-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,Needs an answer,
        """;

    [Fact]
    public async Task Retries_with_backoff_until_delivered_and_posts_each_alert_once()
    {
        await using var hook = new TestWebhookListener(failFirst: 2);
        await using var test = new TestStorage(settings: Settings(hook.Url, retries: 3));
        var kit = await StartAsync(test);

        var atRisk = await kit.SweepAsync("2026-11-16T03:30:00Z");

        Assert.Equal([500, 500, 200], hook.Calls.Select(c => c.Status));
        Assert.Equal(new DeliveryRound(Delivered: 2, Failed: 0, Deferred: 0, Retried: 0, EntitiesRead: 0), atRisk.Deliveries);
        var accepted = Assert.Single(hook.Accepted);
        Assert.Equal("W-1|acknowledgement|at-risk|0000", AlertIdIn(accepted));
        Assert.StartsWith("AT-RISK: request W-1 (US to CN, critical, investigation): the acknowledgement clock reached at-risk at 2026-11-16T03:00:00Z (due 2026-11-16T04:00:00Z)",
            JsonDocument.Parse(accepted).RootElement.GetProperty("text").GetString());
        Assert.Equal(["W-1|acknowledgement|at-risk|0000 delivered"], await StatusesAsync(kit));
        Assert.Empty(await OutboxAsync(test));

        await kit.SweepAsync("2026-11-16T04:30:00Z");
        await kit.SweepAsync("2026-11-16T04:30:00Z");
        await kit.SweepAsync("2026-11-16T05:00:00Z");

        Assert.Equal([500, 500, 200, 200], hook.Calls.Select(c => c.Status));
        Assert.Equal(["W-1|acknowledgement|at-risk|0000", "W-1|acknowledgement|overdue|0000"], hook.Accepted.Select(AlertIdIn));
        Assert.Equal(["W-1|acknowledgement|at-risk|0000 delivered", "W-1|acknowledgement|overdue|0000 delivered"], await StatusesAsync(kit));
    }

    [Fact]
    public async Task A_failed_delivery_is_recorded_and_the_next_sweep_delivers_it()
    {
        await using var hook = new TestWebhookListener(failFirst: 1000);
        await using var test = new TestStorage(settings: Settings(hook.Url, retries: 2));
        var kit = await StartAsync(test);

        // The catch-up raises at-risk (03:00) and overdue (04:00). The first POST fails 3 times (1 + 2 retries); the
        // second is not tried in this sweep, since the endpoint is down.
        var failing = await kit.SweepAsync("2026-11-16T04:30:00Z");

        Assert.Equal(new DeliveryRound(Delivered: 2, Failed: 1, Deferred: 1, Retried: 0, EntitiesRead: 0), failing.Deliveries);
        Assert.Equal([500, 500, 500], hook.Calls.Select(c => c.Status));
        Assert.Equal(
            ["W-1|acknowledgement|at-risk|0000 failed: HTTP 500 Internal Server Error", "W-1|acknowledgement|overdue|0000 pending"],
            await StatusesAsync(kit));
        Assert.Equal(["W-1|acknowledgement|at-risk|0000", "W-1|acknowledgement|overdue|0000"], await OutboxAsync(test));
        // The queue does not depend on the webhook: both alerts are there.
        Assert.Equal(2, (await kit.DrainQueueAsync()).Count);

        hook.FailuresLeft = 0;
        var recovered = await kit.SweepAsync("2026-11-16T04:45:00Z");

        // Nothing was due; the two outbox rows, their alerts and their delivery rows were read and both delivered.
        Assert.Equal(0, recovered.DueEntries);
        Assert.Equal(new DeliveryRound(Delivered: 2, Failed: 0, Deferred: 0, Retried: 2, EntitiesRead: 6), recovered.Deliveries);
        Assert.Equal(6, recovered.EntitiesRead);
        Assert.Equal(["W-1|acknowledgement|at-risk|0000", "W-1|acknowledgement|overdue|0000"], hook.Accepted.Select(AlertIdIn).Order(StringComparer.Ordinal));
        Assert.Equal(["W-1|acknowledgement|at-risk|0000 delivered", "W-1|acknowledgement|overdue|0000 delivered"], await StatusesAsync(kit));
        Assert.Empty(await OutboxAsync(test));

        var calls = hook.Calls.Count;
        await kit.SweepAsync("2026-11-16T05:00:00Z");
        Assert.Equal(calls, hook.Calls.Count);

        await kit.SweepAsync("2026-11-16T08:30:00Z");
        Assert.Equal(
            ["W-1|acknowledgement|at-risk|0000", "W-1|acknowledgement|escalated|0000", "W-1|acknowledgement|overdue|0000"],
            hook.Accepted.Select(AlertIdIn).Order(StringComparer.Ordinal));
        Assert.Equal(["W-1|acknowledgement|escalated|0000"], await kit.DrainQueueAsync());
    }

    [Fact]
    public async Task An_outbox_row_left_by_a_crash_after_delivery_posts_nothing_again()
    {
        await using var hook = new TestWebhookListener(failFirst: 0);
        await using var test = new TestStorage(settings: Settings(hook.Url, retries: 1));
        var kit = await StartAsync(test);
        await kit.SweepAsync("2026-11-16T03:30:00Z");
        var delivered = Assert.Single(await kit.AlertsAsync());
        Assert.Single(hook.Calls);

        // As if the process died after recording "delivered" but before deleting the outbox row.
        var deliveryKey = AlertDeliveryStore.Key("webhook", DeliveryChannels.Slack);
        await test.Services.GetRequiredService<SweepScheduleStore>().AddToOutboxAsync(
            [new OutboxEntity { RowKey = SweepScheduleStore.OutboxKey(delivered.RowKey, deliveryKey), AlertId = delivered.RowKey, AlertPartition = delivered.PartitionKey, DeliveryKey = deliveryKey }],
            CancellationToken.None);
        var next = await kit.SweepAsync("2026-11-16T03:40:00Z");

        Assert.Single(hook.Calls);
        Assert.Equal(new DeliveryRound(Delivered: 0, Failed: 0, Deferred: 0, Retried: 0, EntitiesRead: 3), next.Deliveries);
        Assert.Empty(await OutboxAsync(test));
    }

    [Fact]
    public async Task Teams_format_posts_an_adaptive_card_through_workflows()
    {
        await using var hook = new TestWebhookListener(failFirst: 0);
        await using var test = new TestStorage(settings: Settings(hook.Url, retries: 1, format: "teams"));
        var kit = await StartAsync(test);

        await kit.SweepAsync("2026-11-16T03:30:00Z");

        using var message = JsonDocument.Parse(Assert.Single(hook.Accepted));
        Assert.Equal("message", message.RootElement.GetProperty("type").GetString());
        var attachment = Assert.Single(message.RootElement.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("AT-RISK: W-1 acknowledgement clock", card.GetProperty("body")[0].GetProperty("text").GetString());
        var facts = card.GetProperty("body").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "FactSet").GetProperty("facts").EnumerateArray()
            .ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString()!);
        Assert.Equal("W-1", facts["Request"]);
        Assert.Equal("at-risk (was pending)", facts["Level"]);
        Assert.Equal("2026-11-16T03:00:00Z", facts["Reached at (UTC)"]);
        Assert.Equal(@"W-1\|acknowledgement\|at-risk\|0000", facts["Alert"]);
    }

    [Fact]
    public async Task An_unreachable_webhook_is_recorded_as_failed_with_the_reason()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var test = new TestStorage(settings: Settings(new Uri($"http://127.0.0.1:{port}/nobody"), retries: 1));
        var kit = await StartAsync(test);

        var result = await kit.SweepAsync("2026-11-16T03:30:00Z");

        Assert.Equal(1, result.Deliveries.Failed);
        var status = Assert.Single(await StatusesAsync(kit));
        Assert.StartsWith("W-1|acknowledgement|at-risk|0000 failed: ", status);
        Assert.Contains("refused", status, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["W-1|acknowledgement|at-risk|0000"], await OutboxAsync(test));
    }

    [Fact]
    public async Task Without_a_webhook_alerts_get_only_the_queue_delivery_and_no_outbox_row_stays()
    {
        await using var test = new TestStorage();
        var kit = await StartAsync(test);

        var result = await kit.SweepAsync("2026-11-16T03:30:00Z");

        Assert.Equal(new DeliveryRound(Delivered: 1, Failed: 0, Deferred: 0, Retried: 0, EntitiesRead: 0), result.Deliveries);
        Assert.Empty(await StatusesAsync(kit));
        Assert.Empty(await OutboxAsync(test));
        Assert.Equal(["W-1|acknowledgement|at-risk|0000"], await kit.DrainQueueAsync());
    }

    [Theory]
    [InlineData("Alerts:WebhookUrl", "ftp://example.org/hook", "is not an absolute http or https URL")]
    [InlineData("Alerts:WebhookUrl", "/relative", "is not an absolute http or https URL")]
    [InlineData("Alerts:Format", "discord", "Alerts:Format must be 'slack' or 'teams'")]
    public void Bad_alert_settings_are_refused_with_a_clear_message(string key, string value, string message)
    {
        using var services = LocalHost.CreateServices(new Dictionary<string, string?> { [key] = value });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AlertOptions>>().Value);
        Assert.Contains(message, error.Message);
    }

    private static Dictionary<string, string?> Settings(Uri url, int retries, string format = "slack") => new()
    {
        ["Alerts:WebhookUrl"] = url.ToString(),
        ["Alerts:Format"] = format,
        ["Alerts:WebhookMaxRetries"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerts:WebhookRetryDelay"] = "00:00:00.010",
        ["Alerts:WebhookAttemptTimeout"] = "00:00:05",
        // A failed delivery is tried again by the very next sweep (the back-off has its own test).
        ["Alerts:DeliveryRetryDelay"] = "00:00:00",
        ["Alerts:DigestEnabled"] = "false",
    };

    private static async Task<SweepTestKit> StartAsync(TestStorage test)
    {
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        var (_, failures) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        var kit = new SweepTestKit(test);
        var first = await kit.SweepAsync("2026-11-16T01:00:00Z");
        Assert.Empty(first.Alerts);
        return kit;
    }

    /// <summary>"alertId status" of each webhook delivery, with ": reason" after a failure.</summary>
    private static async Task<List<string>> StatusesAsync(SweepTestKit kit) =>
        [.. (await kit.DeliveriesAsync()).Where(d => d.Route == "webhook")
            .Select(d => $"{d.AlertId} {d.Status}{(d.Status == DeliveryStatuses.Failed ? $": {d.LastError}" : "")}").Order(StringComparer.Ordinal)];

    private static async Task<List<string>> OutboxAsync(TestStorage test) =>
        [.. (await test.ReadAllAsync<OutboxEntity>(StorageNames.SweepScheduleTable, $"PartitionKey eq '{OutboxEntity.Partition}'"))
            .Where(r => r.Route == "webhook").Select(r => r.AlertId).Order(StringComparer.Ordinal)];

    private static string AlertIdIn(string slackBody)
    {
        var text = JsonDocument.Parse(slackBody).RootElement.GetProperty("text").GetString()!;
        return AlertIdPattern().Match(text).Groups[1].Value;
    }

    [GeneratedRegex(@"Alert (\S+), raised")]
    private static partial Regex AlertIdPattern();
}
