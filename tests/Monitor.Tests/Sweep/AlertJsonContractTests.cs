using Azure.Storage.Queues;
using Monitor.Core.Alerts;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The exact bytes of the public JSON contracts: the overdue-alerts queue message and the Slack webhook and Teams Workflows
/// bodies. Consumers parse these, so property names, order, null handling, escaping and the date format are pinned.
/// </summary>
public sealed class AlertJsonContractTests
{
    // Non-ASCII, HTML-sensitive characters, quotes, a backslash and a plus: the encoder's choices are part of the bytes.
    private static readonly AlertEntity Hostile = new()
    {
        PartitionKey = "2026-11",
        RowKey = "X<1>&*2*|update|overdue|0003",
        AlertId = "X<1>&*2*|update|overdue|0003",
        RequestId = "X<1>&*2*",
        RequestingParty = "US",
        RespondingParty = "CN",
        Category = "café \"q\" \\ a_b+c's 中",
        Priority = "high",
        Clock = "update",
        Level = "overdue",
        PreviousLevel = "at-risk",
        Cycle = 3,
        ReachedAt = DateTimeOffset.Parse("2026-11-20T09:00:00.25Z"),
        RaisedAt = DateTimeOffset.Parse("2026-11-20T09:05:00Z"),
        DueAt = DateTimeOffset.Parse("2026-11-20T09:00:00Z"),
    };

    // No due instant and no previous level: the optional parts of each body.
    private static readonly AlertEntity Sparse = new()
    {
        PartitionKey = "2026-11",
        RowKey = "A-1|acknowledgement|escalated|0000",
        AlertId = "A-1|acknowledgement|escalated|0000",
        RequestId = "A-1",
        RequestingParty = "CN",
        RespondingParty = "US",
        Category = "",
        Priority = "critical",
        Clock = "acknowledgement",
        Level = "escalated",
        PreviousLevel = null,
        Cycle = 0,
        ReachedAt = DateTimeOffset.Parse("2026-11-16T08:00:00Z"),
        RaisedAt = DateTimeOffset.Parse("2026-11-16T08:30:00Z"),
        DueAt = null,
    };

    [Fact]
    public void Slack_body_bytes_are_pinned()
    {
        Assert.Equal(
            """{"text":"OVERDUE: request X\u0026lt;1\u0026gt;\u0026amp;*2* (US to CN, high, caf\u00E9 \u0022q\u0022 \\ a_b\u002Bc\u0027s \u4E2D): the update clock (cycle 3) reached overdue at 2026-11-20T09:00:00Z (due 2026-11-20T09:00:00Z)\nAlert X\u0026lt;1\u0026gt;\u0026amp;*2*|update|overdue|0003, raised by the sweep at 2026-11-20T09:05:00Z."}""",
            WebhookPayload.Build(Hostile, "slack"));
        Assert.Equal(
            """{"text":"ESCALATED: request A-1 (CN to US, critical, ): the acknowledgement clock reached escalated at 2026-11-16T08:00:00Z\nAlert A-1|acknowledgement|escalated|0000, raised by the sweep at 2026-11-16T08:30:00Z."}""",
            WebhookPayload.Build(Sparse, "SLACK"));
    }

    [Fact]
    public void Teams_body_bytes_are_pinned()
    {
        Assert.Equal(
            """{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"ESCALATED: A-1 acknowledgement clock","size":"Large","weight":"Bolder","color":"Attention","wrap":true},{"type":"TextBlock","text":"ESCALATED: request A-1 (CN to US, critical, ): the acknowledgement clock reached escalated at 2026-11-16T08:00:00Z","wrap":true},{"type":"FactSet","facts":[{"title":"Request","value":"A-1"},{"title":"Requesting party","value":"CN"},{"title":"Responding party","value":"US"},{"title":"Priority","value":"critical"},{"title":"Clock","value":"acknowledgement"},{"title":"Level","value":"escalated (was unknown)"},{"title":"Reached at (UTC)","value":"2026-11-16T08:00:00Z"},{"title":"Alert","value":"A-1\\|acknowledgement\\|escalated\\|0000"}]}]}}]}""",
            WebhookPayload.Build(Sparse, "Teams"));
    }

    [Fact]
    public void Queue_message_writes_nulls_and_matches_the_earlier_anonymous_serialization()
    {
        Assert.Equal(
            """{"alertId":"A-1|acknowledgement|escalated|0000","requestId":"A-1","clock":"acknowledgement","level":"escalated","previousLevel":null,"cycle":0,"reachedAt":"2026-11-16T08:00:00+00:00","dueAt":null,"raisedAt":"2026-11-16T08:30:00+00:00","respondingParty":"US","requestingParty":"CN","category":"","priority":"critical"}""",
            AlertQueueMessage.From(Sparse).ToJson());
        foreach (var alert in new[] { Hostile, Sparse })
        {
            Assert.Equal(EarlierQueueMessage(alert), AlertQueueMessage.From(alert).ToJson());
        }
    }

    [Fact]
    public async Task Queue_message_bytes_on_the_wire_are_pinned()
    {
        // Critical (24x7): submitted a quarter second past midnight, so every instant carries a fraction.
        const string register = """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            Q<1>&'+é,US,CN,"café ""q"" \ +",critical,2026-11-16T00:00:00.25Z,Hostile text,
            Q-2,CN,US,information,critical,2026-11-16T00:00:00Z,Plain,
            """;
        await using var test = new TestStorage(settings: new Dictionary<string, string?> { ["Alerts:DigestEnabled"] = "false" });
        await test.PushAsync("register.csv", register, FeedKind.Requests);
        var (_, failures) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        var kit = new SweepTestKit(test);

        await kit.SweepAsync("2026-11-16T03:30:00Z");
        await kit.SweepAsync("2026-11-16T04:30:00Z");

        Assert.Equal(
            [
                """{"alertId":"Q-2|acknowledgement|at-risk|0000","requestId":"Q-2","clock":"acknowledgement","level":"at-risk","previousLevel":"pending","cycle":0,"reachedAt":"2026-11-16T03:00:00+00:00","dueAt":"2026-11-16T04:00:00+00:00","raisedAt":"2026-11-16T03:30:00+00:00","respondingParty":"US","requestingParty":"CN","category":"information","priority":"critical"}""",
                """{"alertId":"Q-2|acknowledgement|overdue|0000","requestId":"Q-2","clock":"acknowledgement","level":"overdue","previousLevel":"at-risk","cycle":0,"reachedAt":"2026-11-16T04:00:00+00:00","dueAt":"2026-11-16T04:00:00+00:00","raisedAt":"2026-11-16T04:30:00+00:00","respondingParty":"US","requestingParty":"CN","category":"information","priority":"critical"}""",
                """{"alertId":"Q\u003C1\u003E\u0026\u0027\u002B\u00C9|acknowledgement|at-risk|0000","requestId":"Q\u003C1\u003E\u0026\u0027\u002B\u00E9","clock":"acknowledgement","level":"at-risk","previousLevel":"pending","cycle":0,"reachedAt":"2026-11-16T03:00:00.25+00:00","dueAt":"2026-11-16T04:00:00.25+00:00","raisedAt":"2026-11-16T03:30:00+00:00","respondingParty":"CN","requestingParty":"US","category":"caf\u00E9 \u0022q\u0022 \\ \u002B","priority":"critical"}""",
                """{"alertId":"Q\u003C1\u003E\u0026\u0027\u002B\u00C9|acknowledgement|overdue|0000","requestId":"Q\u003C1\u003E\u0026\u0027\u002B\u00E9","clock":"acknowledgement","level":"overdue","previousLevel":"at-risk","cycle":0,"reachedAt":"2026-11-16T04:00:00.25+00:00","dueAt":"2026-11-16T04:00:00.25+00:00","raisedAt":"2026-11-16T04:30:00+00:00","respondingParty":"CN","requestingParty":"US","category":"caf\u00E9 \u0022q\u0022 \\ \u002B","priority":"critical"}""",
            ],
            await QueueBodiesAsync(test));
    }

    /// <summary>The message as OverdueSweeper serialized it before the named contract: the reference for the bytes.</summary>
    private static string EarlierQueueMessage(AlertEntity alert) => System.Text.Json.JsonSerializer.Serialize(new
    {
        alertId = alert.AlertId,
        requestId = alert.RequestId,
        clock = alert.Clock,
        level = alert.Level,
        previousLevel = alert.PreviousLevel,
        cycle = alert.Cycle,
        reachedAt = alert.ReachedAt,
        dueAt = alert.DueAt,
        raisedAt = alert.RaisedAt,
        respondingParty = alert.RespondingParty,
        requestingParty = alert.RequestingParty,
        category = alert.Category,
        priority = alert.Priority,
    });

    /// <summary>Every message body on the alerts queue, in ordinal order (a sweep raises requests' alerts in parallel).</summary>
    private static async Task<List<string>> QueueBodiesAsync(TestStorage test)
    {
        var queue = new QueueClient(AzuriteServer.ConnectionString, test.Storage.Names.Queue(StorageNames.AlertsQueue));
        var bodies = new List<string>();
        foreach (var message in (await queue.PeekMessagesAsync(32)).Value)
        {
            bodies.Add(message.Body.ToString());
        }
        return [.. bodies.Order(StringComparer.Ordinal)];
    }
}
